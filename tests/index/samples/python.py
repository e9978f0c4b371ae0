"""Inventory of items kept in a warehouse."""
# mypy: ignore-errors

import logging
import os.path as osp
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

MAX_ITEMS = 1000
logger = logging.getLogger(__name__)

ItemId: TypeAlias = int


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int = 0


class Inventory(Base):
    """Keeps items by name."""

    def __init__(self, root: str) -> None:
        self.root = osp.abspath(root)
        self.items: dict[str, Item] = {}

    @property
    def size(self) -> int:
        return len(self.items)

    def add(self, item: Item) -> None:
        if self.size >= MAX_ITEMS:
            raise OverflowError("inventory full")
        self.items[item.name] = item
        logger.info("added %s", item.name)

    def __iter__(self) -> Iterator[Item]:
        return iter(sorted(self.items.values(), key=by_name))


def by_name(item: Item) -> str:
    return item.name


def load(path: str) -> Inventory:
    def parse(line: str) -> Item:
        name, count = line.split(",")
        return Item(name, int(count))

    inventory = Inventory(osp.dirname(path))
    with open(path) as handle:
        for line in handle:
            inventory.add(parse(line))
    return inventory
