defmodule Shop.Cart do
  @moduledoc "A shopping cart kept in memory."

  alias Shop.{Item, Pricing}
  import Enum, only: [reduce: 3]
  require Logger

  @max_items 50

  defstruct items: [], owner: nil

  @type t :: %__MODULE__{items: [Item.t()], owner: String.t() | nil}

  defprotocol Priced do
    def price(item)
  end

  @spec new(String.t()) :: t()
  def new(owner), do: %__MODULE__{owner: owner}

  def add(%__MODULE__{items: items} = cart, %Item{} = item) when length(items) < @max_items do
    Logger.debug("adding #{item.sku}")
    %{cart | items: [item | items]}
  end

  def total(cart) do
    cart.items
    |> reduce(0, fn item, acc -> acc + Pricing.price(item) end)
    |> round_cents()
  end

  defp round_cents(amount), do: Float.round(amount / 1, 2)

  defmacro with_cart(owner, do: block) do
    quote do
      var!(cart) = new(unquote(owner))
      unquote(block)
    end
  end
end

defimpl Shop.Cart.Priced, for: Shop.Item do
  def price(item), do: item.cents
end
