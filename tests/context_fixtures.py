"""A fixture repository and fake repo map providers shared by the context tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.tokens import estimate_tokens

FIXTURE_FILES = {
    "README.md": "# shop\n\nA tiny shop for the tests.\n",
    "AGENTS.md": "Use type hints everywhere.\nRun `make test` before you commit.\n",
    "CONVENTIONS.md": "Money is an int of cents, never a float.\n",
    "shop/__init__.py": "",
    "shop/AGENTS.md": "Modules in shop/ never import from cli/.\n",
    "shop/cart.py": (
        "from shop.prices import price_of\n\n\n"
        "class Cart:\n"
        "    def __init__(self) -> None:\n"
        "        self.items: list[str] = []\n\n"
        "    def add(self, sku: str) -> None:\n"
        "        self.items.append(sku)\n\n"
        "    def total(self) -> int:\n"
        "        return sum(price_of(s) for s in self.items)\n"
    ),
    "shop/prices.py": (
        'PRICES = {"apple": 50, "pear": 70}\n\n\n'
        "def price_of(sku: str) -> int:\n"
        "    return PRICES[sku]\n"
    ),
    "cli/main.py": "from shop.cart import Cart\n\n\ndef main() -> None:\n    cart = Cart()\n    print(cart.total())\n",
    "tests/test_cart.py": "from shop.cart import Cart\n\n\ndef test_empty() -> None:\n    assert Cart().total() == 0\n",
}


def write_fixture(root: Path) -> Path:
    for rel, text in FIXTURE_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@dataclass(frozen=True)
class FakeRanked:
    path: str
    rank: float
    symbols: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeMap:
    text: str
    tokens: int
    files: tuple[FakeRanked, ...]


# A fixed ranking, so golden files do not depend on the real map engine.
FAKE_RANKING = (("shop/prices.py", 0.4, "price_of"), ("shop/cart.py", 0.35, "Cart"), ("cli/main.py", 0.25, "main"))


class FakeMapProvider:
    """Returns a map sized to about ``tokens`` (padded with filler lines) and records every call."""

    def __init__(self, *, fill: bool = False) -> None:
        self.fill = fill
        self.calls: list[dict[str, object]] = []

    def __call__(
        self,
        root: Path,
        *,
        chat_files: Sequence[str],
        query: str,
        tokens: int,
        model: str | None,
        seed_files: Sequence[str] = (),
        max_files: int | None = None,
    ) -> FakeMap:
        self.calls.append({"chat_files": tuple(chat_files), "query": query, "tokens": tokens, "max_files": max_files})
        ranked = tuple(FakeRanked(p, r, (s,)) for p, r, s in FAKE_RANKING if p not in chat_files)
        lines = [f"{f.path}:\n  def {f.symbols[0]}(...)" for f in ranked]
        text = "\n".join(lines) + "\n"
        i = 0
        while self.fill and estimate_tokens(text + f"filler/module_{i}.py\n", model) < tokens:
            text += f"filler/module_{i}.py\n"
            i += 1
        return FakeMap(text, estimate_tokens(text, model), ranked)
