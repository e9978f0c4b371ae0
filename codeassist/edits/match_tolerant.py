"""The tolerant matching strategies behind :func:`codeassist.edits.match.locate`.

Each strategy returns hits: ``(first_line, build)`` where ``build()`` gives
``(start, end, replacement)`` in the LF-normalised text. Building is lazy
because an ambiguous result only needs the locations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from codeassist.edits.textview import TextView, find_windows

Hit = tuple[int, Callable[[], tuple[int, int, str] | None]]
Transform = Callable[[str], str]

# An elision line: "...", "# ...", "// ... existing code ...", "/* ... */", "<!-- ... -->".
# Requiring a space before any words keeps JavaScript spreads ("...rest") out.
_MARKER = re.compile(r"^\s*(?:#|//|/\*|<!--|--|;|\*)?\s*(?:\.{3}|…)(?:\s+[A-Za-z(][\w ,'’()/.:-]*)?\s*(?:\*/|-->)?\s*$")
_PLACEHOLDER = re.compile(r"^\s*(?:#|//|/\*|<!--|--|;)\s*(?:\.{3}|…)")
FUZZY_THRESHOLD = 95.0  # average line similarity (0-100) a fuzzy window needs
FUZZY_MARGIN = 5.0  # how much better than the runner-up window it must be
FUZZY_LINE_FLOOR = 60.0  # no single non-blank line may be less similar than this
# ...or, for near-copies of one block, a window almost identical to the old text (a typo away) whose
# runner-up is at least this many times as far from it.
FUZZY_CLOSE = 98.0
FUZZY_DISTANCE_RATIO = 4.0


def is_marker(line: str) -> bool:
    return bool(_MARKER.match(line))


def has_placeholder(text: str) -> bool:
    """Whether ``text`` has a comment-style elision line (``# ... existing code ...``)."""
    return any(_PLACEHOLDER.match(line) and _MARKER.match(line) for line in text.split("\n"))


def opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """How ``old`` lines become ``new`` lines, as difflib opcodes (repeated lines pair with the first copy)."""
    return [
        (tag, a1, a2, b1, b2) for tag, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    ]


def opcodes_from_end(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Like :func:`opcodes`, but repeated lines pair with the last copy instead of the first."""
    m, n = len(old), len(new)
    ops = opcodes(old[::-1], new[::-1])
    return [(tag, m - a2, m - a1, n - b2, n - b1) for tag, a1, a2, b1, b2 in reversed(ops)]


def opcodes_ends_first(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Like :func:`opcodes`, but the lines the two texts start and end with pair first.

    difflib pairs the longest common run, so a block inserted after a line
    it ends with (a new test whose last line repeats the one above it) reads
    as inserted before that line; this reads it as written after.
    """
    pre = 0
    while pre < min(len(old), len(new)) and old[pre] == new[pre]:
        pre += 1
    suf = 0
    while suf < min(len(old), len(new)) - pre and old[-1 - suf] == new[-1 - suf]:
        suf += 1
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, pre, 0, pre)] if pre else []
    mid = opcodes(old[pre : len(old) - suf], new[pre : len(new) - suf])
    ops += [(tag, a1 + pre, a2 + pre, b1 + pre, b2 + pre) for tag, a1, a2, b1, b2 in mid]
    if suf:
        ops.append(("equal", len(old) - suf, len(old), len(new) - suf, len(new)))
    return ops


def merge(
    file_lines: list[str],
    mapping: list[int | None],
    old_lines: list[str],
    new_lines: list[str],
    transform: Transform,
) -> tuple[int, int, list[str]]:
    """Rebuild a matched region with the edit applied.

    ``mapping[k]`` is the file line old line ``k`` matched (None: a blank line
    the file does not have). Lines the edit keeps are copied from the file,
    file lines between matched lines (blank lines the model dropped) are
    kept, and only the lines the edit adds pass through ``transform``.
    Returns ``(first, end, lines)``: the region is file lines ``[first, end)``.
    """
    mapped = [f for f in mapping if f is not None]
    first, end = mapped[0], mapped[-1] + 1
    out: list[str] = []
    cursor = first
    for tag, a1, a2, b1, b2 in opcodes(old_lines, new_lines):
        taken = [f for f in mapping[a1:a2] if f is not None]
        if tag == "equal":
            for f in taken:
                out.extend(file_lines[cursor : f + 1])
                cursor = f + 1
            continue
        if taken:
            out.extend(file_lines[cursor : taken[0]])
            cursor = taken[-1] + 1
        out.extend(transform(line) for line in new_lines[b1:b2])
    return first, end, out


def builder(view: TextView, mapping: list[int | None], old: list[str], new: list[str], transform: Transform):
    def build() -> tuple[int, int, str]:
        first, end, out = merge(view.lines, mapping, old, new, transform)
        return _render(view, first, end, out)

    return build


def _render(view: TextView, first: int, end: int, out: list[str]) -> tuple[int, int, str]:
    start, stop = view.span(first, end)
    text = "\n".join(out) + ("\n" if out and view.ends_with_newline(end) else "")
    return start, stop, text


def _keep(line: str) -> str:
    return line


def _trim_transform(old_lines: list[str], region: list[str], new_lines: list[str]) -> Transform:
    """Undo the trailing whitespace the model added to its lines, as far as the file shows it.

    Only when every line the edit adds carries trailing whitespace did the
    model pad those too; otherwise the added lines are exactly as meant.
    """
    added = [n for n in new_lines if n.strip() and n not in old_lines]
    if not added or any(n == n.rstrip() for n in added):
        return _keep
    pairs = [(o, f) for o, f in zip(old_lines, region, strict=False) if o.strip()]
    suffixes = {o[len(f) :] if o.startswith(f) else None for o, f in pairs}
    if len(old_lines) == len(region) and len(suffixes) == 1:
        suffix = suffixes.pop()
        if suffix and not suffix.strip() and all(n.endswith(suffix) for n in added):
            # Take exactly the extra tail off, keeping whitespace the file means (Markdown line breaks).
            return lambda line: line[: -len(suffix)] if line.endswith(suffix) else line
    padded = any(o != o.rstrip() for o in old_lines) and all(f == f.rstrip() for f in region)
    return str.rstrip if padded else _keep


def trailing_whitespace(view: TextView, old_lines: list[str], new_lines: list[str]) -> list[Hit]:
    m = len(old_lines)
    starts = find_windows(view.rstripped, [line.rstrip() for line in old_lines])
    hits: list[Hit] = []
    for s in starts:
        transform = _trim_transform(old_lines, view.lines[s : s + m], new_lines)
        hits.append((s, builder(view, list(range(s, s + m)), old_lines, new_lines, transform)))
    return hits


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_width(indent: str, tab: int) -> int:
    w = 0
    for ch in indent:
        w = (w // tab + 1) * tab if ch == "\t" else w + 1
    return w


def _shift(file_lines: list[str], old_lines: list[str]) -> tuple[int, int] | None:
    """``(delta, tab_size)`` if every non-blank file line is its old line indented by the same width."""
    for tab in (4, 8, 2):
        deltas = {
            indent_width(indent_of(f), tab) - indent_width(indent_of(o), tab)
            for f, o in zip(file_lines, old_lines, strict=True)
            if o.strip()
        }
        if len(deltas) <= 1:
            return (deltas.pop() if deltas else 0), tab
    return None


def uses_tabs(view: TextView, region: list[str]) -> bool:
    for line in region:
        if line[:1] in ("\t", " ") and line.strip():
            return line[0] == "\t"
    for line in view.lines:
        if line[:1] in ("\t", " ") and line.strip():
            return line[0] == "\t"
    return False


def reindenter(delta: int, tab: int, tabs: bool) -> Transform:
    """A transform moving a line's indentation by ``delta`` columns, written in the file's style."""

    def run(line: str) -> str:
        if not line.strip():
            return ""
        w = max(0, indent_width(indent_of(line), tab) + delta)
        return ("\t" * (w // tab) + " " * (w % tab) if tabs else " " * w) + line.lstrip(" \t")

    return run


def shift_transform(view: TextView, region: list[str], old_lines: list[str], new_lines: list[str]) -> Transform | None:
    """The re-indentation for a uniformly shifted match, or None when there is none or it would be a guess.

    When the file is indented deeper than the model's text, a new line the
    model outdented past every line of its old text has no known place.
    """
    shift = _shift(region, old_lines)
    if shift is None:
        return None
    delta, tab = shift
    if delta > 0:
        floor = min((indent_width(indent_of(o), tab) for o in old_lines if o.strip()), default=0)
        if any(indent_width(indent_of(n), tab) < floor for n in new_lines if n.strip()):
            return None
    by_width = reindenter(delta, tab, uses_tabs(view, region))
    textual = _textual_shift(region, old_lines, by_width)
    return textual or by_width


def _textual_shift(region: list[str], old_lines: list[str], fallback: Transform) -> Transform | None:
    """A shift that adds or removes one exact indentation prefix, keeping the rest of each line's indentation.

    This keeps what the edit itself does to indentation (tabs the new lines
    use on purpose) where re-rendering by width would rewrite it.
    """
    pairs = [(indent_of(f), indent_of(o)) for f, o in zip(region, old_lines, strict=True) if o.strip()]
    added = {fi[: len(fi) - len(oi)] if fi.endswith(oi) else None for fi, oi in pairs}
    if len(added) == 1 and (prefix := added.pop()) is not None:
        return lambda line: prefix + line if line.strip() else line
    dropped = {oi[: len(oi) - len(fi)] if oi.endswith(fi) else None for fi, oi in pairs}
    if len(dropped) == 1 and (extra := dropped.pop()) is not None:
        return lambda line: line[len(extra) :] if line.startswith(extra) else (fallback(line) if line.strip() else line)
    return None


def indentation(view: TextView, old_lines: list[str], new_lines: list[str]) -> list[Hit]:
    m = len(old_lines)
    hits: list[Hit] = []
    for s in find_windows(view.stripped, [line.strip() for line in old_lines]):
        transform = shift_transform(view, view.lines[s : s + m], old_lines, new_lines)
        if transform is None:
            continue
        hits.append((s, builder(view, list(range(s, s + m)), old_lines, new_lines, transform)))
    return hits
