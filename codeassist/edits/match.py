"""Find where an edit's old text sits in a file, tolerating the mistakes models make.

:func:`locate` tries, in order, stopping at the first strategy that finds the
text at all: ``exact``; ``trailing-whitespace``; ``indentation`` (a uniform
shift, tabs or spaces; the replacement is re-indented to the file);
``blank-lines``; ``elision`` (``...`` / ``# ... existing code ...`` lines in the
old and new text, matched piecewise, the elided code kept from the file);
``fuzzy`` (line windows compared with rapidfuzz, accepted only above a high
similarity and with a clear margin over the runner-up). If a strategy finds
the text in more than one place the edit is refused as ambiguous; a looser
strategy is never asked to pick one. Lines the edit leaves unchanged are
copied from the file, so the file's exact whitespace survives a tolerant
match. CRLF files are matched as LF and get CRLF replacements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from codeassist.edits import match_blank as blank
from codeassist.edits import match_elision as elide
from codeassist.edits import match_fuzzy as fz
from codeassist.edits import match_tolerant as tol
from codeassist.edits.textview import TextView, find_windows, split_lines

Strategy = Literal["exact", "trailing-whitespace", "indentation", "blank-lines", "elision", "fuzzy"]
Reason = Literal["not-found", "ambiguous", "already-applied"]


@dataclass(frozen=True)
class Match:
    """Replace ``content[start:end]`` with ``replacement`` (offsets in the file as given)."""

    start: int
    end: int
    replacement: str
    strategy: str


@dataclass(frozen=True)
class MatchFailure:
    """Why an edit could not be placed, phrased for the model to act on.

    ``closest`` holds the file's lines most like the old text, numbered
    (``"  12 | code"``); ``locations`` the 1-based lines of every place an
    ambiguous text was found.
    """

    reason: Reason
    message: str
    closest: str = ""
    locations: tuple[int, ...] = ()


# A hit: the first 0-based line, and a function building (start, end, replacement) in normalised
# text, or None when the place is certain but the replacement would be a guess.
Hit = tuple[int, Callable[[], tuple[int, int, str] | None]]


def apply_match(content: str, match: Match) -> str:
    """``content`` with the match's span replaced."""
    return content[: match.start] + match.replacement + content[match.end :]


def locate(
    content: str, old: str, new: str = "", *, anchor: str | None = None, line_hint: int | None = None
) -> Match | MatchFailure:
    """Place ``old`` in ``content`` and compute what replaces it (see the module docstring).

    ``anchor`` (an apply_patch ``@@ context`` line) only narrows an ambiguous
    result to the first hit after the one line containing it. ``line_hint``
    (a diff hunk's 1-based start line) only narrows an ambiguous result to
    the one hit starting exactly there: a stale number matches no copy, or
    by chance another, which the exact-only rule makes unlikely but a near
    one would not.
    """
    view = TextView(content)
    old = old.replace("\r\n", "\n")
    new = new.replace("\r\n", "\n")
    if not old.strip():
        return MatchFailure("not-found", "the old text is empty: give the lines to replace, or create the file instead")
    if tol.has_placeholder(new) and not tol.has_placeholder(old):
        return MatchFailure(
            "not-found",
            "the new text contains a '... existing code ...' placeholder but the old text does not; "
            "write the new code out in full, or elide the same region in both",
            fz.closest_lines(view, split_lines(old)),
        )
    old_lines, new_lines = split_lines(old), split_lines(new)
    strategies: list[tuple[Strategy, Callable[[], list[Hit]]]] = [
        ("exact", lambda: _exact(view, old, new)),
        ("trailing-whitespace", lambda: tol.trailing_whitespace(view, old_lines, new_lines)),
        ("indentation", lambda: tol.indentation(view, old_lines, new_lines)),
        ("blank-lines", lambda: blank.blank_lines(view, old_lines, new_lines)),
        ("elision", lambda: elide.elision(view, old_lines, new_lines, line_hint)),
        ("fuzzy", lambda: fz.fuzzy(view, old_lines, new_lines, line_hint)),
    ]
    for name, run in strategies:
        if name == "elision":
            applied = _already_applied(view, old_lines, new_lines)
            if applied is not None:
                return applied
        hits = run()
        if len(hits) > 1 and anchor:
            hits = _after_anchor(view, hits, anchor)
        if len(hits) > 1 and line_hint:
            at = [h for h in hits if h[0] == line_hint - 1]
            hits = at if len(at) == 1 else hits
        if len(hits) > 1:
            return _ambiguous(view, hits, old_lines)
        if len(hits) == 1:
            return _finish(view, hits[0], name, old_lines, new_lines)
    return MatchFailure(
        "not-found",
        "the old text does not match the file (even ignoring whitespace, indentation and blank lines); "
        "copy the lines to replace exactly from the closest lines shown",
        fz.closest_lines(view, old_lines),
    )


def _finish(
    view: TextView, hit: Hit, strategy: Strategy, old_lines: list[str], new_lines: list[str]
) -> Match | MatchFailure:
    built = hit[1]()
    if built is None:
        return MatchFailure(
            "not-found",
            f"the old text matches at line {hit[0] + 1} only if blank lines are ignored, and where the new "
            "text's blank lines belong is unclear; copy the old lines exactly, blank lines included",
            fz.numbered(view, hit[0] - 2, hit[0] + len(old_lines) + 4),
        )
    start, end, replacement = built
    if strategy in ("exact", "trailing-whitespace") and new_lines and len(new_lines) > len(old_lines):
        # Re-applying an insertion would duplicate it: if the new text already
        # surrounds the place the old text was found, the edit is done.
        around = find_windows(view.rstripped, [line.rstrip() for line in new_lines], limit=2)
        first = view.line_of(start)
        if len(around) == 1 and around[0] <= first < around[0] + len(new_lines):
            return _applied_failure(around[0])
    if view.eol != "\n":
        replacement = replacement.replace("\n", view.eol)
    return Match(view.to_original(start), view.to_original(end), replacement, strategy)


def _exact(view: TextView, old: str, new: str) -> list[Hit]:
    text = view.norm
    multiline = "\n" in old
    if old.endswith("\n") and new and not new.endswith("\n"):
        new += "\n"
    hits: list[Hit] = []
    pos = text.find(old)
    while pos != -1 and len(hits) < 50:
        end = pos + len(old)
        # A multi-line text must start at a line start (and end at a line end):
        # matching "    x\n" inside "        x\n" would leave stray indentation.
        aligned = not multiline or (
            (pos == 0 or text[pos - 1] == "\n") and (old.endswith("\n") or end == len(text) or text[end] == "\n")
        )
        if aligned:
            hits.append((view.line_of(pos), _fixed((pos, end, new))))
        pos = text.find(old, pos + 1)
    return hits


def _fixed(result: tuple[int, int, str]) -> Callable[[], tuple[int, int, str] | None]:
    return lambda: result


def _already_applied(view: TextView, old_lines: list[str], new_lines: list[str]) -> MatchFailure | None:
    keys = [line.rstrip() for line in new_lines]
    if not any(keys) or keys == [line.rstrip() for line in old_lines]:
        return None
    found = find_windows(view.rstripped, keys, limit=2)
    return _applied_failure(found[0]) if len(found) == 1 else None


def _applied_failure(line: int) -> MatchFailure:
    return MatchFailure(
        "already-applied",
        f"the new text is already in the file (line {line + 1}) and the old text is not there on its own; "
        "this edit looks already applied",
        locations=(line + 1,),
    )


def _after_anchor(view: TextView, hits: list[Hit], anchor: str) -> list[Hit]:
    key = anchor.strip()
    anchors = [i for i, line in enumerate(view.lines) if key and key in line]
    if len(anchors) != 1:
        return hits
    after = sorted((h for h in hits if h[0] > anchors[0]), key=lambda h: h[0])
    return after[:1] or hits


def _ambiguous(view: TextView, hits: list[Hit], old_lines: list[str]) -> MatchFailure:
    where = tuple(sorted({h[0] + 1 for h in hits}))
    shown = ", ".join(str(n) for n in where[:10]) + (", ..." if len(where) > 10 else "")
    return MatchFailure(
        "ambiguous",
        f"the old text matches {len(hits)}{'+' if len(hits) >= 50 else ''} places (lines {shown}); "
        "include more surrounding lines so that it matches exactly one",
        fz.numbered(view, where[0] - 1, where[0] - 1 + max(1, len(old_lines))),
        where,
    )
