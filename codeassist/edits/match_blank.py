"""The ``blank-lines`` strategy: match ignoring blank lines, and rebuild the blank lines sensibly.

Models drop or add blank lines when they copy code, sometimes in the old text
only, sometimes in both halves. The region is matched on non-blank lines;
then every gap of blank lines in the result is chosen by :func:`_gap`: where
the model's old text agrees with the file about a gap, the model's new text
decides (it may add or remove blank lines on purpose); where it does not, the
file's gap is kept unless the new text changes it relative to the old. When
the file's blank lines would have to be placed next to an inserted or
between removed lines (before or after?), the text does not say where they
belong and the edit is refused rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from codeassist.edits.match_tolerant import (
    Hit,
    Transform,
    _render,
    _trim_transform,
    opcodes,
    opcodes_ends_first,
    opcodes_from_end,
    shift_transform,
)
from codeassist.edits.textview import TextView, find_windows


def _runs(lines: list[str]) -> tuple[list[int], list[int], int]:
    """Indices of the non-blank lines, the blank lines before each, and the blank lines at the end."""
    idx: list[int] = []
    gaps: list[int] = []
    run = 0
    for k, line in enumerate(lines):
        if line.strip():
            idx.append(k)
            gaps.append(run)
            run = 0
        else:
            run += 1
    return idx, gaps, run


def _spread(gaps: list[int], deltas: list[int], olds: list[int], exact: bool, edge: bool) -> list[int] | None:
    """New-text gaps corrected by the file's extra blank lines before each old line of the stretch, or None.

    ``deltas[k]`` (the file's blank lines minus ``olds[k]``, the old text's)
    belongs before old line ``k`` of the stretch, the last one before the
    line closing it; ``gaps[j]`` is before new line ``j``, the last one
    before the closing line. Only placements the text determines are made: a
    line-for-line change pairs them one to one; an insertion is placed by
    :func:`_insertion`; in a replacement the file's blank lines right after
    the opening kept line stay first and those right before the closing kept
    line stay last. Blank lines next to an insertion the old text shows none
    of (before or after it?) or between removed lines (kept, and where?) are
    not determined: None. Neither are those beside lines removed at an
    ``edge`` of the region (the stretch is opened or closed by the region's
    end, not by a kept line): removed with them, or left at the end of the
    new text? With ``exact`` (no other stretch shows how the
    model wrote its blank lines) the file's extra lines only go where the
    new text repeats the old text's gap: a gap the model changed there may
    already count them.
    """
    out = list(gaps)
    if edge and len(out) == 1 and any(deltas):
        return None  # blank lines beside lines removed at the region's edge
    if len(deltas) == len(out):
        if exact and any(d and g != o for g, d, o in zip(out, deltas, olds, strict=True)):
            return None
        return [max(0, g + d) for g, d in zip(out, deltas, strict=True)]
    if len(deltas) == 1:
        return _insertion(out, deltas[0], olds[0], exact)
    if any(deltas[1:-1]):
        return None  # blank lines between removed lines
    if exact and ((deltas[0] and out[0] != olds[0]) or (deltas[-1] and out[-1] != olds[-1])):
        return None
    out[-1] += deltas[-1]
    out[0] += deltas[0]
    return [max(0, g) for g in out]


def _insertion(gaps: list[int], delta: int, old_gap: int, exact: bool) -> list[int] | None:
    """Lines inserted between two kept lines where the file has ``delta`` more blank lines than the old text.

    The file's run is the old text's run (``old_gap`` lines, maybe none), so
    it goes where the new text keeps that run: the one side (first or last
    gap) that repeats it exactly, the other side's different run being
    written with the insertion; failing that (not with ``exact``, and not for
    an empty run), the one side that can hold it. When both sides repeat
    the run, or neither can hold it, nothing in the text says where the
    file's blank lines go: None.
    """
    ends = (0, len(gaps) - 1)
    sides = [k for k in ends if gaps[k] == old_gap]
    if len(sides) != 1 and old_gap and not exact:
        sides = [k for k in ends if gaps[k] >= old_gap]
    if len(sides) != 1:
        return None
    out = list(gaps)
    out[sides[0]] += delta
    return [max(0, g) for g in out]


def _blank_run(lines: list[str], start: int, step: int) -> int:
    count = 0
    while 0 <= start < len(lines) and not lines[start].strip():
        count += 1
        start += step
    return count


Stretch = tuple[int, int, int, int, int, int, list[int], str | None]


def _stretches(
    ops: list[tuple[str, int, int, int, int]],
    n_old: int,
    n_new: int,
    og: Callable[[int], int],
    fg: Callable[[int], int],
    ng: Callable[[int], int],
) -> list[Stretch]:
    """The stretches between kept lines: ``(ap, aq, bp, bq, old blanks, file blanks, new gaps, vote)``.

    A stretch with no change in it whose old and file blank lines differ
    votes on how the new text's blank lines read ("own" or "file").
    """
    anchors = [(-1, -1)]
    for tag, a1, a2, b1, _ in ops:
        if tag == "equal":
            anchors.extend((a1 + k, b1 + k) for k in range(a2 - a1))
    anchors.append((n_old, n_new))
    out: list[Stretch] = []
    for (ap, bp), (aq, bq) in zip(anchors, anchors[1:], strict=False):
        o_tot = sum(og(a) for a in range(ap + 1, aq + 1))
        f_tot = sum(fg(a) for a in range(ap + 1, aq + 1))
        gaps = [ng(b) for b in range(bp + 1, bq + 1)]
        pure = aq == ap + 1 and bq == bp + 1 and ap >= 0 and aq < n_old
        vote = None
        if pure and o_tot != f_tot and sum(gaps) in (o_tot, f_tot):
            vote = "own" if sum(gaps) == o_tot else "file"
        out.append((ap, aq, bp, bq, o_tot, f_tot, gaps, vote))
    return out


def _edge_cuts(
    file_lines: list[str], fmap: list[int], old_edges: tuple[int, int], new_edges: tuple[int, int]
) -> tuple[int, int] | None:
    """How many of the file's blank lines just before and after the region the edit removes, or None.

    Blank lines the old text leads or ends with and the new text drops are
    the file's own (removed lines of the edit), so they must be there to be
    removed; a region growing over them keeps the rest of the file intact.
    Where the file has none there and the new text has none either, the old
    text's are spurious (a copy that began with a blank line): every reading
    gives the same result, no blank line at that edge, so nothing is cut.
    """
    before = _blank_run(file_lines, fmap[0] - 1, -1)
    after = _blank_run(file_lines, fmap[-1] + 1, 1)
    cuts = []
    for (o, n), have in zip(zip(old_edges, new_edges, strict=True), (before, after), strict=True):
        if n == 0 and have == 0:
            cuts.append(0)
            continue
        if n < o and have < o:
            return None  # the old text removes blank lines the file does not have there
        cuts.append(o - n if n < o else 0)
    return cuts[0], cuts[1]


def _mode(votes: Counter[str], vote: str | None) -> str | None:
    """How the new text's blank lines read, judged by the other stretches (a stretch is no evidence for itself)."""
    others = votes.copy()
    if vote:
        others[vote] -= 1
    if others["own"] == others["file"]:
        return None
    return "own" if others["own"] > others["file"] else "file"


def merge_blank(
    file_lines: list[str], fmap: list[int], old_lines: list[str], new_lines: list[str], transform: Transform
) -> tuple[int, int, list[str]] | None:
    """:func:`_merge_blank`, refused (None) when pairing repeated lines differently changes the result.

    A pairing under which the blank lines are undetermined (None) offers no
    competing result: an inserted block that ends with a copy of the line
    before it can be read as inserted after that line or before it, and only
    one reading may place the file's blank lines. As many new lines as old
    ones do not make the pairing line for line: difflib reads ``x, x`` ->
    ``c, x`` as ``c`` inserted before the first ``x`` and the second removed,
    so every pairing is asked whatever the lengths.
    """
    first = _merge_blank(file_lines, fmap, old_lines, new_lines, transform, opcodes)
    second = _merge_blank(file_lines, fmap, old_lines, new_lines, transform, opcodes_from_end)
    third = _merge_blank(file_lines, fmap, old_lines, new_lines, transform, opcodes_ends_first)
    results = [r for r in (first, second, third) if r is not None]
    return results[0] if results and all(r == results[0] for r in results) else None


def _merge_blank(
    file_lines: list[str],
    fmap: list[int],
    old_lines: list[str],
    new_lines: list[str],
    transform: Transform,
    pairing: Callable[[list[str], list[str]], list[tuple[str, int, int, int, int]]],
) -> tuple[int, int, list[str]] | None:
    """Rebuild file lines ``[fmap[0], fmap[-1] + 1)``; ``fmap[k]`` is the file line of old non-blank line ``k``.

    The result is built stretch by stretch between lines the edit keeps. In a
    stretch where the old text's blank lines differ from the file's, the new
    text's blank lines are read either as written against the file (the model
    dropped blank lines from the old text only) or as written against its own
    old text (it dropped them in both halves); unchanged stretches elsewhere
    tell which. With no such evidence the result would be a guess: None.
    """
    o_idx, o_gap, o_end = _runs(old_lines)
    n_idx, n_gap, n_end = _runs(new_lines)
    o_nb = [old_lines[k] for k in o_idx]
    n_nb = [new_lines[k] for k in n_idx]

    def og(a: int) -> int:
        return o_gap[a] if 1 <= a < len(o_nb) else 0

    def fg(a: int) -> int:
        return fmap[a] - fmap[a - 1] - 1 if 1 <= a < len(o_nb) else 0

    def ng(b: int) -> int:
        return n_gap[b] if 1 <= b < len(n_nb) else 0

    stretches = _stretches(pairing(o_nb, n_nb), len(o_nb), len(n_nb), og, fg, ng)
    votes = Counter(st[-1] for st in stretches if st[-1])

    def mode_for(vote: str | None) -> str | None:
        return _mode(votes, vote)

    mode = mode_for(None)
    n_lead, o_lead = (n_gap[0] if n_idx else n_end), o_gap[0]
    cuts = _edge_cuts(file_lines, fmap, (o_lead, o_end), (n_lead, n_end))
    if cuts is None:
        return None
    if mode == "file":
        # The new text's blank lines are the file's: compare its edges with the file's too.
        o_lead = _blank_run(file_lines, fmap[0] - 1, -1)
        o_end = _blank_run(file_lines, fmap[-1] + 1, 1)
    out: list[str] = [""] * max(0, n_lead - o_lead)
    for ap, aq, bp, bq, o_tot, f_tot, gaps, vote in stretches:
        if o_tot != f_tot:
            here = mode_for(vote)
            # Where the new text keeps its own old text's blank lines, it keeps the file's. With no
            # evidence either way, the new text is read as a copy of the old one, which is how models
            # write a replacement, but only where that reading places every line (exact).
            if sum(gaps) == o_tot or here != "file":
                olds = [og(a) for a in range(ap + 1, aq + 1)]
                deltas = [fg(a) - o for a, o in zip(range(ap + 1, aq + 1), olds, strict=True)]
                edge = ap < 0 or aq == len(o_nb)
                spread = _spread(gaps, deltas, olds, exact=sum(gaps) != o_tot and here is None, edge=edge)
                if spread is None:
                    return None
                gaps = spread
        for b, gap in zip(range(bp + 1, bq + 1), gaps, strict=True):
            if b == bq and aq < len(o_nb) and gap == f_tot and aq == ap + 1:
                out.extend(file_lines[fmap[aq] - gap : fmap[aq]])  # the file's own blank lines, whitespace kept
            else:
                out.extend([""] * gap)
            if b < bq:
                out.append(transform(new_lines[n_idx[b]]))
            elif aq < len(o_nb):
                out.append(file_lines[fmap[aq]])
    out.extend([""] * max(0, n_end - o_end))
    return fmap[0] - cuts[0], fmap[-1] + 1 + cuts[1], out


def blank_lines(view: TextView, old_lines: list[str], new_lines: list[str]) -> list[Hit]:
    keep = [k for k, line in enumerate(old_lines) if line.strip()]
    nb = view.nonblank
    for exact_indent in (True, False):
        if exact_indent:
            keys = [view.rstripped[i] for i in nb]
            pattern = [old_lines[k].rstrip() for k in keep]
        else:
            keys = [view.stripped[i] for i in nb]
            pattern = [old_lines[k].strip() for k in keep]
        hits: list[Hit] = []
        for s in find_windows(keys, pattern):
            fmap = nb[s : s + len(keep)]
            region = [view.lines[f] for f in fmap]
            if exact_indent:
                transform = _trim_transform([old_lines[k] for k in keep], region, new_lines)
            else:
                shifted = shift_transform(view, region, [old_lines[k] for k in keep], new_lines)
                if shifted is None:
                    continue
                transform = shifted

            merged = merge_blank(view.lines, fmap, old_lines, new_lines, transform)
            # None tells locate the place is known but the blank lines are not.
            rendered = None if merged is None else _render(view, *merged)
            hits.append((fmap[0], lambda rendered=rendered: rendered))  # type: ignore[misc]
        if hits:
            return hits
    return []
