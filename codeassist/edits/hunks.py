"""A proposed change split into hunks, and put back together from the hunks a reviewer kept.

Pure text, like the rest of ``edits/``: :func:`split_hunks` cuts the change
from ``before`` to ``after`` into the hunks ``diff -u`` would show (changes
closer than twice the context join one hunk); :func:`combine` rebuilds the
file with only the kept hunks applied, the rest as it was. Keeping every
hunk gives ``after``, keeping none gives ``before``, byte for byte.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass

CONTEXT = 3


@dataclass(frozen=True)
class Proposed:
    """One file of a proposed change; ``before`` None for a new file, ``after`` None for a deletion."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Hunk:
    index: int
    header: str  # "@@ -12,7 +12,8 @@"
    lines: tuple[str, ...]  # " context", "-removed", "+added", each ending in a newline

    def text(self) -> str:
        return self.header + "\n" + "".join(self.lines)


def _groups(before: str, after: str) -> list[list[tuple[str, int, int, int, int]]]:
    a, b = before.splitlines(True), after.splitlines(True)
    return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(CONTEXT))


def split_hunks(before: str, after: str) -> list[Hunk]:
    """The hunks of the change from ``before`` to ``after``, in file order."""
    a, b = before.splitlines(True), after.splitlines(True)
    hunks: list[Hunk] = []
    for index, group in enumerate(_groups(before, after)):
        first, last = group[0], group[-1]
        a_start, a_len = first[1], last[2] - first[1]
        b_start, b_len = first[3], last[4] - first[3]
        lines: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + _nl(line) for line in a[i1:i2]]
                continue
            lines += ["-" + _nl(line) for line in a[i1:i2]]
            lines += ["+" + _nl(line) for line in b[j1:j2]]
        header = f"@@ -{_range(a_start, a_len)} +{_range(b_start, b_len)} @@"
        hunks.append(Hunk(index, header, tuple(lines)))
    return hunks


def combine(before: str, after: str, keep: Collection[int]) -> str:
    """``before`` with the hunks whose index is in ``keep`` applied (indexes as :func:`split_hunks` gives them)."""
    a, b = before.splitlines(True), after.splitlines(True)
    owner: dict[tuple[int, int], int] = {}  # a change's (i1, j1) -> its hunk
    for index, group in enumerate(_groups(before, after)):
        for tag, i1, _, j1, _ in group:
            if tag != "equal":
                owner[(i1, j1)] = index
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or owner.get((i1, j1)) not in keep:
            out += a[i1:i2]
        else:
            out += b[j1:j2]
    return "".join(out)


def _nl(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _range(start: int, length: int) -> str:
    # As diff -u writes it: 1-based, and an empty range names the line before it.
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"
