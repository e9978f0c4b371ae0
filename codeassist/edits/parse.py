"""Turn a model's reply into edits: format detection and the one entry point, :func:`parse_reply`.

With ``fmt="auto"`` the parsers run in a fixed order (SEARCH/REPLACE,
apply_patch envelope, unified diff) and each blanks the lines it consumed
before the next one runs, so a diff inside a SEARCH block is never read twice
and a reply may mix formats. SEARCH/REPLACE goes first because its blocks
hold file text verbatim (which may itself show a diff or a patch), while the
bodies of diffs and patches prefix every line with ``+``, ``-`` or a space.
Before all of them, a labelled fenced block that holds edit markup *and*
other lines is taken as a whole file whose content merely shows markers.
Whole-file blocks are read last, from what the other parsers left. In a
reply that holds other edits too, prose often shows fenced snippets, and
reading a partial snippet as a whole file would wipe the rest of that file,
so there a block is a whole file only under a line that *is* a path (or
with the path in its fence info), never under a sentence mentioning one; a
block lacking most of the lines of the existing file it names is refused
as an excerpt; and a whole file for a path that other edits in the reply
also change is refused as ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from codeassist.edits import patch, search_replace, udiff, whole
from codeassist.edits.formats import APPLY_FORMATS
from codeassist.edits.markup import FileLookup, Parsed, clean_name, fence, path_from_line
from codeassist.edits.types import Edit, ParseIssue
from codeassist.errors import UsageError

FORMATS = APPLY_FORMATS
# Replies are at most a few hundred kilobytes; beyond this the input is not a
# model reply (or is hostile), and reading it line by line would only waste time.
MAX_REPLY_CHARS = 8 * 1024 * 1024

_MARKER = re.compile(
    r"^\s{0,3}<{5,9}\s*SEARCH\b|^[ \t]*\*\*\*\s*(?:Begin Patch|(?:Add|Update|Delete) File:)|^(?:---|\+\+\+|@@) "
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


def parse_reply(
    text: str, fmt: str = "auto", files: FileLookup | None = None, alongside: Sequence[Edit] = ()
) -> ParseResult:
    """Read the edits in ``text``. Never raises for any reply; an unknown ``fmt`` is a UsageError.

    ``files`` (the repository the reply is for) lets a bare name such as
    ``run`` above a whole-file block name the one existing file of that name.
    ``alongside``: edits the same reply made another way (tool calls); with
    them, the text is read as a mixed reply.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown edit format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if len(text) > MAX_REPLY_CHARS:
        size = f"{len(text) / 1_048_576:.1f} MiB"
        issue = ParseIssue(
            f"reply too large to read as edits ({size}; the limit is {MAX_REPLY_CHARS // 1_048_576} MiB)"
        )
        return ParseResult((), (issue,), ())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if fmt == "whole":
        parts = [(fmt, whole.parse(lines, files))]
    elif fmt != "auto":
        parts = [(fmt, _PARSERS[fmt](lines))]
    else:
        parts = _parse_auto(lines, files, alongside)
    return _combine(parts)


# Lines that look like an edit's markup even when no parser could read an edit from them, each with
# what the format needs: loose SEARCH/REPLACE markers, diff and hunk headers, patch operations.
_LOOKS_LIKE_EDIT: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^\s*(?:<{3,}\s*SEARCH|>{3,}\s*(?:REPLACE|UPDATED))"),
        "a SEARCH/REPLACE block is the file's path on its own line, then <<<<<<< SEARCH, the old lines,"
        " =======, the new lines and >>>>>>> REPLACE (seven characters each)",
    ),
    (
        re.compile(r"^\s*(?:diff --git |@@|(?:---|\+\+\+) \S)"),
        "a unified diff needs a --- a/path line and a +++ b/path line before its @@ hunks",
    ),
    (
        re.compile(r"^\s*\*\*\*\s*(?:Begin Patch|[A-Z]\w*(?: \w+)? File:)"),
        "a patch is *** Begin Patch, then *** Update File: path (or Add File, Delete File) with its hunks,"
        " then *** End Patch",
    ),
)
EXCERPT_CHARS = 60


def no_edits_issue(text: str) -> ParseIssue:
    """The issue for a reply in which no edit was read, naming the first line that looked like one.

    A model told only "no edits" cannot tell a reply it meant as prose from
    markup it got wrong; the issue's line (1-based, as in other issues), a
    short excerpt and what that format needs point at the markup.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        for pattern, needs in _LOOKS_LIKE_EDIT:
            if pattern.match(line):
                shown = line.strip()
                if len(shown) > EXCERPT_CHARS:
                    shown = shown[: EXCERPT_CHARS - 3] + "..."
                return ParseIssue(
                    f"the reply contains no edits: {shown!r} looks like one but was not understood; {needs}",
                    number,
                )
    return ParseIssue("the reply contains no edits")


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


def _parse_auto(lines: list[str], files: FileLookup | None, alongside: Sequence[Edit]) -> list[tuple[str, Parsed]]:
    parts: list[tuple[str, Parsed]] = []
    content = _markup_as_content(lines)
    if content.edits:
        parts.append(("whole", content))
    taken = list(content.spans)
    remaining = _blank(lines, content.spans)
    for name in ("search-replace", "patch", "udiff"):
        parsed = _PARSERS[name](remaining)
        if parsed.edits or parsed.issues:
            parts.append((name, parsed))
        taken += parsed.spans
        remaining = _blank(remaining, parsed.spans)
    others = [edit for name, p in parts if name != "whole" for _, edit in p.edits] + list(alongside)
    mixed = bool(alongside) or any(name != "whole" for name, _ in parts)
    # The spans keep the fences around blanked blocks from reading as empty whole files.
    parsed = whole.parse(remaining, files, strict=mixed, taken=taken)
    if mixed:
        parsed = _refuse_overlaps(parsed, others)
    if parsed.edits or parsed.issues:
        parts.append(("whole", parsed))
    return parts


def _same_file(a: str, b: str) -> bool:
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def _refuse_overlaps(parsed: Parsed, others: list[Edit]) -> Parsed:
    """Whole-file blocks for files that other edits of the reply also change become issues.

    Whether such a block is the file after those edits or a partial
    illustration of them cannot be told, and guessing wrong loses code.
    """
    named = {clean_name(p) for edit in others for p in (edit.path, edit.new_path) if p}
    out = Parsed([], list(parsed.issues), list(parsed.spans))
    for line, edit in parsed.edits:
        key = clean_name(edit.path)
        if any(_same_file(key, other) for other in named):
            message = (
                f"a whole-file block for {edit.path} comes with other edits to the same file in this reply;"
                " send either the edits or the whole file, not both"
            )
            out.issues.append(ParseIssue(message, line + 1, edit.path))
        else:
            out.edits.append((line, edit))
    return out


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
