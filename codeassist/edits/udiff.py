"""Parser for the udiff format (being written)."""

from __future__ import annotations

from codeassist.edits.markup import Parsed


def parse(lines: list[str]) -> Parsed:
    """Not yet implemented: reads nothing."""
    return Parsed.empty()
