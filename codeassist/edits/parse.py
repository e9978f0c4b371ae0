"""Turn a model's reply into edits: format detection and the one entry point, :func:`parse_reply`.

With ``fmt="auto"`` the parsers run in a fixed order (SEARCH/REPLACE,
apply_patch envelope, unified diff) and each blanks the lines it consumed
before the next one runs, so a diff inside a SEARCH block is never read twice
and a reply may mix formats. SEARCH/REPLACE goes first because its blocks
hold file text verbatim (which may itself show a diff or a patch), while the
bodies of diffs and patches prefix every line with ``+``, ``-`` or a space.
Before all of them, a labelled fenced block that holds edit markup *and*
other lines is taken as a whole file whose content merely shows markers.
Other whole-file blocks are only looked for when no other format was found:
any fenced snippet after a file name looks like one, and reading a partial
snippet as a whole file would wipe the rest of that file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from codeassist.edits import patch, search_replace, udiff, whole
from codeassist.edits.markup import Parsed, fence, path_from_line
from codeassist.edits.types import Edit, ParseIssue
from codeassist.errors import UsageError

FORMATS = ("auto", "search-replace", "udiff", "whole", "patch")
# Replies are at most a few hundred kilobytes; beyond this the input is not a
# model reply (or is hostile), and reading it line by line would only waste time.
MAX_REPLY_CHARS = 8 * 1024 * 1024

_MARKER = re.compile(
    r"^\s{0,3}<{5,9}\s*SEARCH\b|^\*\*\*\s*(?:Begin Patch|(?:Add|Update|Delete) File:)|^(?:---|\+\+\+|@@) "
)

_MARKER_ANYWHERE = re.compile(_MARKER.pattern, re.MULTILINE)

_PARSERS: dict[str, Callable[[list[str]], Parsed]] = {
    "patch": patch.parse,
    "search-replace": search_replace.parse,
    "udiff": udiff.parse,
    "whole": whole.parse,
}


@dataclass(frozen=True)
class ParseResult:
    """Everything read from one reply.

    ``edits`` are in reply order (``Edit.index`` is the position); ``issues``
    are the parts that looked like edits but could not be read (the edits
    around them are still returned); ``formats`` lists the formats found, in
    order of first appearance.
    """

    edits: tuple[Edit, ...]
    issues: tuple[ParseIssue, ...]
    formats: tuple[str, ...]


def parse_reply(text: str, fmt: str = "auto") -> ParseResult:
    """Read the edits in ``text``. Never raises for any reply; an unknown ``fmt`` is a UsageError."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown edit format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if len(text) > MAX_REPLY_CHARS:
        size = f"{len(text) / 1_048_576:.1f} MiB"
        issue = ParseIssue(
            f"reply too large to read as edits ({size}; the limit is {MAX_REPLY_CHARS // 1_048_576} MiB)"
        )
        return ParseResult((), (issue,), ())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if fmt != "auto":
        parts = [(fmt, _PARSERS[fmt](lines))]
    else:
        parts = _parse_auto(lines)
    return _combine(parts)


def _markup_as_content(lines: list[str]) -> Parsed:
    """Whole-file blocks whose content shows edit markup without being an edit (a file about diffs).

    A labelled fenced block whose every line is read by the edit parsers is an
    edit (``path`` + fence + SEARCH/REPLACE blocks is the usual form); one
    that also holds other lines is a file's content that happens to contain
    markers.
    """
    out = Parsed.empty()
    if not _MARKER_ANYWHERE.search("\n".join(lines)):
        return out  # the common case, and a cheap exit for huge hostile replies
    candidates = whole.parse(lines)
    for (start, edit), (_, end) in zip(candidates.edits, candidates.spans, strict=False):
        body = lines[start + 1 : end - 1]
        first = next((line for line in body if line.strip()), "")
        if _MARKER.match(first) or not any(_MARKER.match(line) for line in body):
            continue  # a block opening with a marker is an edit (maybe a malformed one), never a file
        covered = [False] * len(body)
        for name in ("search-replace", "patch", "udiff"):
            for a, b in _PARSERS[name](body).spans:
                covered[a:b] = [True] * (b - a)
        loose = [
            line for line, done in zip(body, covered, strict=True)
            if not done and line.strip() and fence(line) is None and path_from_line(line) is None
        ]  # fmt: skip
        if loose:
            out.edits.append((start, edit))
            out.spans.append((start, end))
    return out


def _parse_auto(lines: list[str]) -> list[tuple[str, Parsed]]:
    parts: list[tuple[str, Parsed]] = []
    content = _markup_as_content(lines)
    if content.edits:
        parts.append(("whole", content))
    remaining = _blank(lines, content.spans)
    for name in ("search-replace", "patch", "udiff"):
        parsed = _PARSERS[name](remaining)
        if parsed.edits or parsed.issues:
            parts.append((name, parsed))
        remaining = _blank(remaining, parsed.spans)
    if not parts or content.edits:
        # A reply already known to send whole files may send more of them.
        parsed = whole.parse(remaining)
        if parsed.edits or parsed.issues:
            parts.append(("whole", parsed))
    return parts


def _blank(lines: list[str], spans: list[tuple[int, int]]) -> list[str]:
    if not spans:
        return lines
    out = list(lines)
    for start, end in spans:
        out[start:end] = [""] * (end - start)
    return out


def _combine(parts: list[tuple[str, Parsed]]) -> ParseResult:
    located: list[tuple[int, int, Edit]] = []
    first_line: dict[str, int] = {}
    issues: list[ParseIssue] = []
    for order, (name, parsed) in enumerate(parts):
        for line, edit in parsed.edits:
            located.append((line, order, edit))
            first_line[name] = min(first_line.get(name, line), line)
        for issue in parsed.issues:
            issues.append(issue)
            if issue.line is not None:
                first_line.setdefault(name, issue.line - 1)
    # Stable sort: edits read by one parser keep their relative order.
    located.sort(key=lambda item: item[0])
    edits = tuple(replace(edit, index=i) for i, (_, _, edit) in enumerate(located))
    issues.sort(key=lambda issue: issue.line or 0)
    formats = tuple(sorted(first_line, key=lambda name: first_line[name]))
    return ParseResult(edits, tuple(issues), formats)
