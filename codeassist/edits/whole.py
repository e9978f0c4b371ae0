"""Whole-file replies: a path line, then a fenced block holding the file's complete new content.

A fence opened with an info string inside the block (```` ```python ````)
nests, so a Markdown file that contains code blocks survives; a longer outer
fence (```` ```` ````) works too. Fenced blocks with no path before them are
ordinary code in the prose and are skipped. SEARCH/REPLACE markers or diff
lines inside the block are content: this parser never looks at them.
"""

from __future__ import annotations

from codeassist.edits.markup import Fence, Parsed, fence, join_lines, path_before, path_from_fence
from codeassist.edits.types import Edit, ParseIssue


def _closing(lines: list[str], opening: Fence, i: int) -> int | None:
    """Index of the line closing the fence opened at ``i``, or None."""
    depth = 1
    for j in range(i + 1, len(lines)):
        f = fence(lines[j])
        if f is None or f.marks[0] != opening.marks[0]:
            continue
        if f.info and len(f.marks) <= len(opening.marks):
            depth += 1
        elif f.closes(opening) or (not f.info and depth > 1):
            depth -= 1
            if depth == 0:
                return j
    return None


def parse(lines: list[str]) -> Parsed:
    """Read every path-labelled fenced block in ``lines`` as a whole-file ``write``."""
    out = Parsed.empty()
    prev_end = 0
    i = 0
    n = len(lines)
    while i < n:
        opening = fence(lines[i])
        if opening is None:
            i += 1
            continue
        path = path_from_fence(opening) or path_before(lines, i, stop=prev_end)
        close = _closing(lines, opening, i)
        if close is None:
            if path is not None:
                out.issues.append(ParseIssue(f"code block for {path} is not closed (truncated reply?)", i + 1, path))
                out.spans.append((i, n))
            break
        if path is not None:
            out.edits.append((i, Edit(path, "write", new=join_lines(lines[i + 1 : close]), format="whole")))
            out.spans.append((i, close + 1))
        i = prev_end = close + 1
    return out
