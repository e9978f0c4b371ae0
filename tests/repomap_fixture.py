"""A small multi-file repository the repo map tests and golden files share."""

from __future__ import annotations

from pathlib import Path

from conftest import git

FILES: dict[str, str] = {
    "shop/models.py": '''"""Domain objects."""

from dataclasses import dataclass


@dataclass
class Product:
    sku: str
    price_cents: int

    def display_price(self) -> str:
        return f"{self.price_cents / 100:.2f}"


@dataclass
class LineItem:
    product: Product
    quantity: int

    def subtotal(self) -> int:
        return self.product.price_cents * self.quantity
''',
    "shop/cart.py": '''"""The shopping cart."""

from shop.models import LineItem, Product
from shop.pricing import apply_discount


class ShoppingCart:
    def __init__(self) -> None:
        self.items: list[LineItem] = []

    def add_product(self, product: Product, quantity: int = 1) -> None:
        self.items.append(LineItem(product, quantity))

    def total_cents(self, code: str | None = None) -> int:
        total = sum(item.subtotal() for item in self.items)
        return apply_discount(total, code)
''',
    "shop/pricing.py": '''"""Discount codes."""

DISCOUNTS = {"TEN": 10, "HALF": 50}


def apply_discount(total_cents: int, code: str | None) -> int:
    percent = DISCOUNTS.get(code or "", 0)
    return total_cents - total_cents * percent // 100


def _round_half_up(value: float) -> int:
    return int(value + 0.5)
''',
    "shop/checkout.py": '''"""Checkout flow."""

from shop.cart import ShoppingCart
from shop.models import Product
from shop.pricing import apply_discount


def checkout(cart: ShoppingCart, code: str | None = None) -> str:
    cents = cart.total_cents(code)
    return format_receipt(cents)


def format_receipt(
    cents: int,
    currency: str = "EUR",
) -> str:
    return f"{cents / 100:.2f} {currency}"


def quick_buy(sku: str, price: int) -> str:
    cart = ShoppingCart()
    cart.add_product(Product(sku, price))
    return checkout(cart)
''',
    "cli.py": '''import sys

from shop.checkout import quick_buy


def main(argv: list[str]) -> int:
    print(quick_buy(argv[0], int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
''',
    "tests/test_cart.py": '''from shop.cart import ShoppingCart
from shop.models import Product


def test_total():
    cart = ShoppingCart()
    cart.add_product(Product("a", 250), 2)
    assert cart.total_cents() == 500
''',
    "README.md": "# shop\n",
}


def make_shop(root: Path) -> Path:
    """Write the fixture into ``root`` (an existing git repository) and commit it."""
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-qm", "shop")
    return root


def make_shop_with_plugins(root: Path) -> Path:
    """The shop and a dozen plugin modules that use its cart: enough links for a ranked, stored graph."""
    make_shop(root)
    for i in range(12):
        (root / "shop" / f"plugin_{i:02}.py").write_text(
            f"from shop.cart import ShoppingCart\n\n\ndef run_{i}(cart: ShoppingCart) -> int:\n"
            f"    return cart.total_cents()\n\n\nclass Plugin{i % 3}:\n    name = 'p{i}'\n"
        )
    git(root, "add", ".")
    git(root, "commit", "-qm", "plugins")
    return root
