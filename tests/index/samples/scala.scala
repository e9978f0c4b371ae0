package com.example.orders

import scala.concurrent.Future
import scala.collection.mutable.{Map => MutableMap}

trait Repository[A] {
  def find(id: Long): Option[A]
  def save(item: A): Unit
}

sealed trait Status
case object Open extends Status
case object Closed extends Status

case class Order(id: Long, lines: List[Line], status: Status = Open)

final case class Line(sku: String, quantity: Int)

class InMemoryRepository extends Repository[Order] with Logging {
  private val orders = MutableMap.empty[Long, Order]

  override def find(id: Long): Option[Order] = orders.get(id)

  override def save(item: Order): Unit = {
    orders.update(item.id, item)
    log(s"saved ${item.id}")
  }
}

object Orders {
  val MaxLines: Int = 100
  type Total = BigDecimal

  def total(order: Order): Total =
    order.lines.map(line => BigDecimal(line.quantity)).sum

  def open(repo: Repository[Order], id: Long): Future[Option[Order]] =
    Future.successful(repo.find(id).filter(_.status == Open))
}

enum Color {
  case Red, Green
}
