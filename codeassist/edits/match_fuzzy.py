"""Fuzzy line-window matching (the matcher's last resort) and the "closest lines" shown on failure.

Windows are never compared against every position of a large file: the
candidates are the positions where a few anchor lines of the old text (first,
last, longest) are similar to a file line, found by rapidfuzz in C.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from codeassist.edits.match_tolerant import (
    FUZZY_CLOSE,
    FUZZY_DISTANCE_RATIO,
    FUZZY_LINE_FLOOR,
    FUZZY_MARGIN,
    FUZZY_THRESHOLD,
    Hit,
    builder,
    indent_of,
    indent_width,
    reindenter,
    uses_tabs,
)
from codeassist.edits.textview import TextView

_MAX_SHOWN = 40


def _anchors(old: list[str]) -> list[int]:
    nonblank = [k for k, line in enumerate(old) if line]
    if not nonblank:
        return []
    longest = max(nonblank, key=lambda k: len(old[k]))
    return sorted({nonblank[0], nonblank[-1], longest})


def _candidates(view: TextView, old: list[str], cutoff: float, limit: int) -> set[int]:
    m = len(old)
    starts: set[int] = set()
    for k in _anchors(old):
        for _, _, idx in process.extract(old[k], view.stripped, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit):
            s = idx - k
            if 0 <= s <= len(view.lines) - m:
                starts.add(s)
    return starts


def _score(view: TextView, old: list[str], s: int) -> tuple[float, float]:
    """Average and lowest (over non-blank lines) similarity of window ``s`` to ``old``."""
    total, lowest = 0.0, 100.0
    for k, want in enumerate(old):
        have = view.stripped[s + k]
        r = 100.0 if want == have else fuzz.ratio(want, have)
        total += r
        if want or have:
            lowest = min(lowest, r)
    return total / len(old), lowest


def fuzzy(view: TextView, old_lines: list[str], new_lines: list[str], line_hint: int | None = None) -> list[Hit]:
    old = [line.strip() for line in old_lines]
    m = len(old)
    if not any(old) or m > len(view.lines):
        return []
    scored = sorted(
        ((_score(view, old, s), s) for s in _candidates(view, old, cutoff=80, limit=30)),
        key=lambda item: (-item[0][0], item[1]),
    )
    if not scored:
        return []
    (best, lowest), s = scored[0]
    runner_up = scored[1][0][0] if len(scored) > 1 else 0.0
    # A near-copy of the block (the same code repeated with small changes) is never within the margin
    # of an average; it is still clearly second when the old text is a typo away from the best window.
    clear = best - runner_up >= FUZZY_MARGIN or (
        best >= FUZZY_CLOSE and 100.0 - runner_up >= FUZZY_DISTANCE_RATIO * (100.0 - best)
    )
    if not clear and line_hint:
        # Equally good windows (a block repeated): a diff hunk's start line picks the one starting there.
        hinted = [item for item in scored if item[1] == line_hint - 1 and item[0][0] >= best - 1e-9]
        if hinted:
            (best, lowest), s = hinted[0]
            clear = True
    if best < FUZZY_THRESHOLD or lowest < FUZZY_LINE_FLOOR or not clear:
        return []
    region = view.lines[s : s + m]
    deltas = {
        indent_width(indent_of(f), 4) - indent_width(indent_of(o), 4)
        for f, o in zip(region, old_lines, strict=True)
        if o.strip() and f.strip()
    }
    if len(deltas) > 1:
        return []  # indentation differs unevenly: re-indenting the new lines would be a guess
    delta = deltas.pop() if deltas else 0
    floor = min((indent_width(indent_of(o), 4) for o in old_lines if o.strip()), default=0)
    if delta > 0 and any(indent_width(indent_of(n), 4) < floor for n in new_lines if n.strip()):
        return []  # as in the indentation strategy: an outdented new line has no known place
    transform = reindenter(delta, 4, uses_tabs(view, region))
    return [(s, builder(view, list(range(s, s + m)), old_lines, new_lines, transform))]


def numbered(view: TextView, first: int, end: int) -> str:
    """Lines ``[first, end)`` of the file (clipped, at most 40), numbered from 1."""
    first = max(0, first)
    end = min(len(view.lines), end, first + _MAX_SHOWN)
    return "\n".join(f"{i + 1:>5} | {view.lines[i]}" for i in range(first, end))


def closest_lines(view: TextView, old_lines: list[str]) -> str:
    """The file's window most similar to ``old_lines``, with two lines of context, numbered."""
    if not view.lines:
        return "(the file is empty)"
    old = [line.strip() for line in old_lines]
    m = min(len(old), len(view.lines))
    old = old[:m]
    if not any(old):
        return numbered(view, 0, _MAX_SHOWN)
    starts = _candidates(view, old, cutoff=0, limit=5)
    if not starts:
        return numbered(view, 0, _MAX_SHOWN)
    best = min(starts, key=lambda s: (-_score(view, old, s)[0], s))
    return numbered(view, best - 2, best + m + 2)
