"""The ``elision`` strategy: old and new text that skip unchanged code with ``...`` lines.

The old text is cut at its elision lines into pieces; each piece is found in
the file in order (the first must be unique, each next one is the first
match at least one line after the previous, since a ``...`` stands for code
left out), the new text's pieces replace them one for one, and the code
between the pieces stays exactly as it is in the file. New code written
next to a ``...`` where the old text has no line to place it by is refused.
"""

from __future__ import annotations

from codeassist.edits.match_tolerant import Hit, _render, _trim_transform, is_marker, merge
from codeassist.edits.textview import TextView, find_windows


def _segments(lines: list[str]) -> list[list[str]]:
    segs: list[list[str]] = [[]]
    for line in lines:
        if is_marker(line):
            segs.append([])
        else:
            segs[-1].append(line)
    return segs


def _edges(seg: list[str]) -> tuple[int, int]:
    """Blank lines at the start and at the end of a piece."""
    lead = next((k for k, line in enumerate(seg) if line.strip()), len(seg))
    trail = next((k for k, line in enumerate(reversed(seg)) if line.strip()), len(seg))
    return lead, trail


def _trim(seg: list[str], lead: int, trail: int) -> list[str]:
    a, b = _edges(seg)
    return seg[min(a, lead) : len(seg) - min(b, trail)]


Place = tuple[int, int, int, int]


def _place(view: TextView, seg: list[str], begin: int = 0, stop: int | None = None, limit: int = 10_000) -> list[Place]:
    """Where a piece sits: ``(start, end, lead, trail)`` with the blank lines around it that the file has too.

    Only places starting at ``begin`` or later and, with ``stop``, ending
    (blank lines included) before line ``stop``; at most ``limit`` of them.
    """
    lead, trail = _edges(seg)
    core = seg[lead : len(seg) - trail]
    pattern = [line.rstrip() for line in core]
    out: list[Place] = []
    for s in find_windows(view.rstripped, pattern, limit=limit, begin=begin):
        e = s + len(core)
        if stop is not None and e > stop:
            break
        before = s - lead >= begin and all(not view.rstripped[k] for k in range(s - lead, s))
        after = e + trail <= min(len(view.lines), stop if stop is not None else len(view.lines)) and all(
            not view.rstripped[k] for k in range(e, e + trail)
        )
        # Blank lines at a piece's edges count only if the file has them there.
        lo, hi = (lead if before else 0), (trail if after else 0)
        out.append((s - lo, e + hi, lo, hi))
    return out


def _spans(view: TextView, old_segs: list[list[str]], hint: int | None) -> tuple[list[Place | None], list[int]]:
    """Each piece's place (None for a blank one), or no places and the lines of an ambiguous text.

    The first piece found in exactly one place fixes the text; the pieces
    after it are the nearest matches below, those before it the nearest
    above, each at least one line away since a ``...`` stands for code left
    out. With no unique piece, ``hint`` (a diff hunk's 0-based start line)
    picks the first piece's one place starting exactly there; failing that,
    the first piece's places are returned.
    """
    real = [k for k, seg in enumerate(old_segs) if any(line.strip() for line in seg)]
    first: list[Place] = []
    for k in real:
        places = _place(view, old_segs[k])
        first = first or places
        if not places:
            return [], []
        if len(places) == 1:
            return _around(view, old_segs, real, k, places[0]), []
    at = [p for p in first if p[0] == hint]
    if len(at) == 1:
        return _around(view, old_segs, real, real[0], at[0]), []
    return [], [p[0] for p in first]


def _around(view: TextView, old_segs: list[list[str]], real: list[int], anchor: int, at: Place) -> list[Place | None]:
    """The places of the pieces around the one found at ``at`` (empty when one of them is missing)."""
    spans: list[Place | None] = [None] * len(old_segs)
    spans[anchor] = at
    cursor = at[1] + 1
    for k in (k for k in real if k > anchor):
        found = _place(view, old_segs[k], begin=cursor, limit=1)  # the nearest below is all that is used
        if not found:
            return []
        spans[k] = found[0]
        cursor = found[0][1] + 1
    stop = at[0] - 1
    for k in (k for k in reversed(real) if k < anchor):
        found = _place(view, old_segs[k], stop=stop)
        if not found:
            return []
        spans[k] = found[-1]
        stop = found[-1][0] - 1
    return spans


def elision(view: TextView, old_lines: list[str], new_lines: list[str], line_hint: int | None = None) -> list[Hit]:
    old_segs, new_segs = _segments(old_lines), _segments(new_lines)
    if len(old_segs) == 1 or len(new_segs) != len(old_segs):
        return []
    for seg, new_seg in zip(old_segs, new_segs, strict=True):
        if not any(line.strip() for line in seg) and any(line.strip() for line in new_seg):
            return []  # new code next to a "..." with nothing in the file to place it by
    found, ambiguous = _spans(view, old_segs, line_hint - 1 if line_hint else None)
    if ambiguous:
        return [(line, lambda: None) for line in ambiguous]
    if not found:
        return []
    spans: list[tuple[int, int] | None] = []
    pieces: list[tuple[list[str], list[str]]] = []
    for seg, new_seg, place in zip(old_segs, new_segs, found, strict=True):
        if place is None:
            spans.append(None)
            pieces.append((seg, [line for line in new_seg if line.strip()] and new_seg))
            continue
        start, end, lo, hi = place
        lead, trail = _edges(seg)
        spans.append((start, end))
        pieces.append((seg[lead - lo : len(seg) - trail + hi], _trim(new_seg, lead - lo, trail - hi)))
    placed = [s for s in spans if s is not None]
    if not placed:
        return []

    def build() -> tuple[int, int, str]:
        out: list[str] = []
        prev: int | None = None
        for span, (old_piece, new_piece) in zip(spans, pieces, strict=True):
            if span is None:
                out.extend(new_piece)
                continue
            if prev is not None:
                out.extend(view.lines[prev : span[0]])  # the elided code, as it is in the file
            transform = _trim_transform(old_piece, view.lines[span[0] : span[1]], new_piece)
            out.extend(merge(view.lines, list(range(*span)), old_piece, new_piece, transform)[2])
            prev = span[1]
        return _render(view, placed[0][0], placed[-1][1], out)

    return [(placed[0][0], build)]
