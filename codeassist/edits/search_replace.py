"""SEARCH/REPLACE blocks: a path line, an optional fence, then the markers.

::

    path/to/file.py
    ```python
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
    ```

Tolerated: any path-line form :func:`codeassist.edits.markup.path_from_line`
reads, a path in the fence info string, no fence, a missing closing fence,
text after ``<<<<<<< SEARCH``, 5 to 9 marker characters, ``>>>>>>> UPDATED``
or a bare ``>>>>>>>``, several blocks per file (a block with no path line of
its own belongs to the previous block's file). An empty SEARCH section becomes
a ``create`` edit (see :class:`codeassist.edits.types.Edit`).
"""

from __future__ import annotations

import re

from codeassist.edits.markup import Fence, Parsed, fence, join_lines, path_before
from codeassist.edits.types import Edit, ParseIssue

HEAD = re.compile(r"^\s{0,3}<{5,9}\s*SEARCH\b")
TAIL = re.compile(r"^\s{0,3}>{5,9}(?:\s*(?:REPLACE|UPDATED)\b.*)?\s*$")
_DIVIDER = re.compile(r"^\s{0,3}={7}\s*$")
_LOOSE_DIVIDER = re.compile(r"^\s{0,3}={5,9}\s*$")


class _BareFences:
    """Where the next bare fence line is, computed once when first needed (keeps hostile input linear)."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._next: list[int] | None = None

    def after(self, j: int) -> int | None:
        if self._next is None:
            n = len(self._lines)
            self._next = [n] * (n + 1)
            for k in range(n - 1, -1, -1):
                f = fence(self._lines[k])
                self._next[k] = k if f is not None and not f.info else self._next[k + 1]
        k = self._next[j + 1] if j + 1 < len(self._next) else len(self._lines)
        return k if k < len(self._lines) else None


def _scan_block(lines: list[str], head: int, bare_fences: _BareFences) -> tuple[int | None, int | None, int]:
    """Find the divider and the tail of the block opened at ``head``.

    Returns ``(divider, tail, stop)``; ``tail`` is None when the block is not
    closed before the next SEARCH marker or the end (``stop`` is where the
    scan ended). A SEARCH marker inside a code fence that the block's own text
    opened is text (a block that edits documentation or tests about blocks).
    """
    divider: int | None = None
    inner: Fence | None = None  # the fence the block's text has open, if any
    j = head + 1
    n = len(lines)
    while j < n:
        line = lines[j]
        f = fence(line)
        if f is not None:
            inner = f if inner is None else (None if f.closes(inner) else inner)
        elif HEAD.match(line):
            if inner is None:
                return divider, None, j
            close = bare_fences.after(j)
            if close is None or not fence(lines[close]).closes(inner):  # type: ignore[union-attr]
                return divider, None, j
            j, inner = close + 1, None
            continue
        elif divider is None and _DIVIDER.match(line):
            divider = j
        elif TAIL.match(line):
            if divider is None:
                loose = [k for k in range(head + 1, j) if _LOOSE_DIVIDER.match(lines[k])]
                divider = loose[0] if len(loose) == 1 else None
            return divider, j, j
        j += 1
    return divider, None, n


def parse(lines: list[str]) -> Parsed:
    """Read every SEARCH/REPLACE block in ``lines`` (the reply split on newlines)."""
    out = Parsed.empty()
    bare_fences = _BareFences(lines)
    last_path: str | None = None
    prev_end = 0
    i = 0
    n = len(lines)
    while i < n:
        if "<<<<<" not in lines[i] or not HEAD.match(lines[i]):
            i += 1
            continue
        head = i
        path = path_before(lines, head, stop=prev_end, bare=True) or last_path
        last_path = path
        divider, tail, stop = _scan_block(lines, head, bare_fences)
        if tail is None:
            where = "before the next SEARCH marker" if stop < n else "before the end of the reply"
            out.issues.append(
                ParseIssue(f"SEARCH block not closed with >>>>>>> REPLACE {where} (truncated reply?)", head + 1, path)
            )
            out.spans.append((head, stop))
            i = prev_end = stop
            continue
        out.spans.append((head, tail + 1))
        i = prev_end = tail + 1
        if divider is None:
            out.issues.append(
                ParseIssue("SEARCH block has no ======= line between the old and new text", head + 1, path)
            )
            continue
        if path is None:
            out.issues.append(
                ParseIssue("SEARCH block has no file path: put the path on the line before the block", head + 1)
            )
            continue
        old = lines[head + 1 : divider]
        new = join_lines(lines[divider + 1 : tail])
        if all(not line.strip() for line in old):
            edit = Edit(path, "create", new=new, format="search-replace")
        else:
            edit = Edit(path, "replace", old=join_lines(old), new=new, format="search-replace")
        out.edits.append((head, edit))
    return out
