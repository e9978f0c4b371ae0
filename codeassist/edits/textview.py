"""A file's text seen as lines, with offsets that map back to the original.

The matcher works on text whose CRLF line endings are normalised to LF; this
view keeps the offsets of both so a match found in the normalised text is
reported at the right characters of the file as it is on disk.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property


class TextView:
    """The lines of ``content`` (CRLF read as LF) and lazily computed comparison keys."""

    def __init__(self, content: str) -> None:
        self.original = content
        crlf = content.count("\r\n")
        self.norm = content.replace("\r\n", "\n") if crlf else content
        # The file's dominant line ending is the one new text gets.
        self.eol = "\r\n" if crlf and crlf * 2 >= content.count("\n") else "\n"
        self.final_newline = self.norm.endswith("\n")
        body = self.norm[:-1] if self.final_newline else self.norm
        self.lines: list[str] = body.split("\n") if self.norm else []
        self.starts: list[int] = []
        pos = 0
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line) + 1
        self._orig_starts: list[int] | None = None
        if crlf:
            self._orig_starts = []
            pos = 0
            for line in content.split("\n"):
                self._orig_starts.append(pos)
                pos += len(line) + 1

    @cached_property
    def rstripped(self) -> list[str]:
        return [line.rstrip() for line in self.lines]

    @cached_property
    def stripped(self) -> list[str]:
        return [line.strip() for line in self.lines]

    @cached_property
    def nonblank(self) -> list[int]:
        """Indices of the lines that are not blank."""
        return [i for i, key in enumerate(self.stripped) if key]

    def to_original(self, pos: int) -> int:
        """Map an offset in the normalised text to the same place in the original."""
        if self._orig_starts is None or not self.starts:
            return pos
        if pos >= len(self.norm):
            return len(self.original)
        line = bisect_right(self.starts, pos) - 1
        return self._orig_starts[line] + (pos - self.starts[line])

    def line_of(self, pos: int) -> int:
        """0-based index of the line holding normalised offset ``pos``."""
        return max(0, bisect_right(self.starts, pos) - 1)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Normalised offsets of lines ``[i, j)``, including the newline that ends line ``j - 1``."""
        start = self.starts[i] if i < len(self.lines) else len(self.norm)
        end = self.starts[j] if j < len(self.lines) else len(self.norm)
        return start, end

    def ends_with_newline(self, j: int) -> bool:
        """Whether a region ending before line ``j`` ends with a newline."""
        return j < len(self.lines) or self.final_newline


def find_windows(keys: Sequence[str], pattern: Sequence[str], limit: int = 50, begin: int = 0) -> list[int]:
    """Start indices (at least ``begin``) where ``pattern`` occurs as a run in ``keys`` (at most ``limit``).

    Candidates come from the pattern's rarest line, so repetitive files with a
    distinctive pattern stay linear rather than O(n * m).
    """
    m = len(pattern)
    if m == 0 or m > len(keys):
        return []
    wanted = set(pattern)
    where: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key in wanted:
            where[key].append(i)
    if len(where) < len(wanted):
        return []
    anchor = min(range(m), key=lambda k: (len(where[pattern[k]]), not pattern[k].strip()))
    found: list[int] = []
    target = list(pattern)
    for pos in where[pattern[anchor]]:
        s = pos - anchor
        if begin <= s <= len(keys) - m and list(keys[s : s + m]) == target:
            found.append(s)
            if len(found) >= limit:
                break
    return found


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` without endings; a final newline does not make an extra empty line."""
    if not text:
        return []
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")
