"""The ``elision`` strategy: old and new text that skip unchanged code with ``...`` lines.

The old text is cut at its elision lines into pieces; each piece is found in
the file in order (the first must be unique, each next one is the first
match after the previous), the new text's pieces replace them one for one,
and the code between the pieces stays exactly as it is in the file.
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


def _place(view: TextView, seg: list[str], first: bool, cursor: int) -> list[tuple[int, int, int, int]]:
    """Where a piece sits: ``(start, end, lead, trail)`` with the blank lines around it that the file has too."""
    lead, trail = _edges(seg)
    core = seg[lead : len(seg) - trail]
    pattern = [line.rstrip() for line in core]
    found = (
        find_windows(view.rstripped, pattern, limit=50)
        if first
        else find_windows(view.rstripped, pattern, limit=1, begin=cursor)
    )
    out = []
    for s in found:
        e = s + len(core)
        before = s - lead >= max(cursor, 0) and all(not view.rstripped[k] for k in range(s - lead, s))
        after = e + trail <= len(view.lines) and all(not view.rstripped[k] for k in range(e, e + trail))
        # Blank lines at a piece's edges count only if the file has them there.
        lo, hi = (lead if before else 0), (trail if after else 0)
        out.append((s - lo, e + hi, lo, hi))
    return out


def elision(view: TextView, old_lines: list[str], new_lines: list[str]) -> list[Hit]:
    old_segs, new_segs = _segments(old_lines), _segments(new_lines)
    if len(old_segs) == 1 or len(new_segs) != len(old_segs):
        return []
    spans: list[tuple[int, int] | None] = []
    pieces: list[tuple[list[str], list[str]]] = []
    cursor = 0
    for seg, new_seg in zip(old_segs, new_segs, strict=True):
        if not any(line.strip() for line in seg):
            spans.append(None)
            pieces.append((seg, [line for line in new_seg if line.strip()] and new_seg))
            continue
        first = all(s is None for s in spans)
        found = _place(view, seg, first, cursor)
        if first and len(found) != 1:
            # The first piece fixes the place: it must be unique in the file.
            return [(s[0], lambda: None) for s in found]
        if not found:
            return []
        start, end, lo, hi = found[0]
        lead, trail = _edges(seg)
        old_piece = seg[lead - lo : len(seg) - trail + hi]
        new_piece = _trim(new_seg, lead - lo, trail - hi)
        spans.append((start, end))
        pieces.append((old_piece, new_piece))
        cursor = end
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
