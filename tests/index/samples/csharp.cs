using System;
using System.Collections.Generic;
using Shop.Models;

namespace Shop.Services
{
    public interface IRepository<T>
    {
        T Find(int id);
        void Save(T item);
    }

    public enum OrderState { Open, Paid }

    public record OrderLine(string Sku, int Quantity);

    public struct Money
    {
        public decimal Amount;
    }

    public class OrderService : ServiceBase, IRepository<Order>
    {
        public const int MaxLines = 50;
        private readonly Dictionary<int, Order> _orders = new();

        public OrderService(ILogger logger) : base(logger) { }

        public Order Find(int id)
        {
            return _orders.TryGetValue(id, out var order) ? order : null;
        }

        public void Save(Order item)
        {
            _orders[item.Id] = item;
            Logger.Info($"saved {item.Id}");
        }

        public int Count => _orders.Count;

        public static Money Total(IEnumerable<Order> orders)
        {
            var total = new Money();
            foreach (var order in orders) total.Amount += order.Sum();
            return total;
        }
    }

    public delegate void OrderHandler(Order order);
}
