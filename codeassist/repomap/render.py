"""Rendering ranked definitions as text that fits a token budget.

Each file appears under a ``path:`` header with the lines that name its
chosen definitions, plus the lines of the scopes enclosing them (the class
line above a method), and ``⋮`` wherever lines are left out. The number of
definitions shown is the largest that fits the budget, found by galloping
then binary search; the result is never over the budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.repomap.graph import Def, RepoGraph
from codeassist.repomap.rank import Ranking, best_first

ELIDED = "⋮"
_MAX_LINE = 160  # a longer line is cut: minified-ish code must not eat the budget
_MAX_SIGNATURE = 8
_OPEN_ENDINGS = ("<", ",")


@dataclass(frozen=True)
class Item:
    """One thing the map can show: a definition (``defn`` set) or a bare file."""

    file: int
    defn: int | None  # index into graph.defs[file]


def order_items(graph: RepoGraph, ranking: Ranking, hidden: set[int]) -> list[Item]:
    """Scored definitions best first, then files without any definition, best first."""
    scored: list[tuple[float, str, int, int, int]] = []
    for f in sorted({f for f, _ in ranking.def_score} - hidden):
        path = graph.paths[f]
        for j, d in enumerate(graph.defs[f]):
            scored.append((-ranking.def_score.get((f, d[0]), 0.0), path, d[2], j, f))
    scored.sort()
    items = [Item(f, j) for _, _, _, j, f in scored]
    bare = best_first(graph, ranking.file_rank, [f for f, count in enumerate(graph.ndefs) if not count])
    items.extend(Item(f, None) for f in bare if f not in hidden)
    return items


def _file_lines(root: Path, graph: RepoGraph, f: int) -> list[str]:
    lines = graph.lines.get(f)
    if lines is None:
        try:
            with open(os.path.join(root, graph.paths[f]), "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        lines = [ln.rstrip() for ln in text.splitlines()]
        graph.lines[f] = lines
    return lines


def _parents(defs: Sequence[Def]) -> list[int]:
    """For each definition, the innermost other definition whose span encloses it (-1: none)."""
    order = sorted(range(len(defs)), key=lambda j: (defs[j][3], -defs[j][4], defs[j][2], j))
    parents = [-1] * len(defs)
    stack: list[int] = []
    for j in order:
        start, end = defs[j][3], defs[j][4]
        while stack and not (defs[stack[-1]][3] <= start and end <= defs[stack[-1]][4]):
            stack.pop()
        if stack and defs[stack[-1]][2] < defs[j][2]:
            parents[j] = stack[-1]
        stack.append(j)
    return parents


def _scope_lines(graph: RepoGraph, f: int, j: int) -> list[int]:
    """The name line of definition ``j`` of file ``f`` and of every definition enclosing it."""
    parents = graph.parents.get(f)
    if parents is None:
        parents = graph.parents[f] = _parents(graph.defs[f])
    defs = graph.defs[f]
    out = [defs[j][2]]
    k = parents[j]
    while k >= 0:
        out.append(defs[k][2])
        k = parents[k]
    return out


def _signature(lines: Sequence[str], line: int, end: int) -> range:
    """The name line and, when its brackets stay open, the lines that close them (a
    multi-line parameter list), at most ``_MAX_SIGNATURE`` lines and never past ``end``."""
    depth = 0
    last = min(end, line + _MAX_SIGNATURE - 1, len(lines) - 1)
    for ln in range(line, last + 1):
        text = lines[ln]
        depth += text.count("(") + text.count("[") - text.count(")") - text.count("]")
        # A line left open by a bracket, or ending in "<" or "," (type parameters), goes on.
        if depth <= 0 and not text.endswith(_OPEN_ENDINGS):
            return range(line, ln + 1)
    return range(line, line + 1)


def _clip(line: str) -> str:
    return line if len(line) <= _MAX_LINE else line[:_MAX_LINE] + "..."


def render_items(
    root: Path, graph: RepoGraph, items: Sequence[Item], file_order: Callable[[int], tuple[float, str]]
) -> tuple[str, list[int]]:
    """The map text for ``items`` and the files shown, both in ``file_order``."""
    chosen: dict[int, set[int]] = {}
    for item in items:
        shown = chosen.setdefault(item.file, set())
        if item.defn is not None:
            shown.add(item.defn)
    files = sorted(chosen, key=file_order)
    parts: list[str] = []
    for f in files:
        defs_shown = chosen[f]
        parts.append(graph.paths[f] + ":")
        if not defs_shown:
            continue
        lines = _file_lines(root, graph, f)
        defs = graph.defs[f]
        wanted_set: set[int] = set()
        for j in defs_shown:
            end = defs[j][4]
            for ln in _scope_lines(graph, f, j):
                if 0 <= ln < len(lines):
                    wanted_set.update(_signature(lines, ln, end if ln == defs[j][2] else ln))
        wanted = sorted(wanted_set)
        prev = -1
        for ln in wanted:
            if ln > prev + 1:
                parts.append(ELIDED)
            parts.append(_clip(lines[ln]))
            prev = ln
        if wanted and prev < len(lines) - 1:
            parts.append(ELIDED)
    text = "\n".join(parts) + "\n" if parts else ""
    return text, files


def fit(
    count: Callable[[str], int],
    render: Callable[[int], str],
    total: int,
    budget: int,
) -> tuple[int, str, int]:
    """The largest n <= total whose rendering costs at most ``budget``; (n, text, tokens).

    Gallops up from a small n so a large repository reads only the files a
    budget can hold, then bisects. Only renderings that fit are ever kept.
    """
    best = (0, "", 0)
    if budget <= 0 or total == 0:
        return best
    lo, hi = 0, None  # lo fits; hi (if known) does not
    n = min(16, total)
    while hi is None:
        text = render(n)
        cost = count(text)
        if cost <= budget:
            best, lo = (n, text, cost), n
            if n == total:
                return best
            n = min(n * 2, total)
        else:
            hi = n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        text = render(mid)
        cost = count(text)
        if cost <= budget:
            best, lo = (mid, text, cost), mid
        else:
            hi = mid
    return best
