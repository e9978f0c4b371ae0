"""Whole-file replies: a path line, then a fenced block holding the file's complete new content.

A fence opened with an info string inside the block (```` ```python ````)
nests, so a Markdown file that contains code blocks survives; a longer outer
fence (```` ```` ````) works too. Fenced blocks with no path before them are
ordinary code in the prose and are skipped; one right under a bare
extensionless name that is not a well-known file name (``run``) is reported
as an issue, so the rest of the reply is not applied without it. SEARCH/REPLACE markers or diff
lines inside the block are content: this parser never looks at them.
"""

from __future__ import annotations

import re

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


# A capitalised word alone above a block reads as a caption ("Example", "Output"), not a file name.
_CAPTION = re.compile(r"^[A-Z][a-z]+$")


def _unclear_name(lines: list[str], i: int, stop: int) -> ParseIssue | None:
    """An issue for a block right under a bare name that may be a file (``run``, ``configure``).

    Skipping the block would apply the rest of the reply without it, and
    taking the name as a path would write a file at the top of the
    repository that the model may have meant elsewhere, so neither is safe.
    """
    name = path_before(lines, i, stop=stop, bare=True)
    if name is None or _CAPTION.match(name):
        return None
    return ParseIssue(
        f"a code block follows {name!r}, which is not clearly a file path, so the block was not read as a"
        f" whole file; name the file with its directory (e.g. ./{name} or dir/{name})",
        i + 1,
        name,
    )


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
        else:
            issue = _unclear_name(lines, i, prev_end)
            if issue is not None:
                out.issues.append(issue)
        i = prev_end = close + 1
    return out
