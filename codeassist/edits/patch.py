"""The apply_patch envelope that recent OpenAI models are trained to write.

::

    *** Begin Patch
    *** Add File: path        (then "+" lines: the content)
    *** Update File: path
    *** Move to: new/path     (optional)
    @@ def context():         (optional anchor; a bare "@@" separates hunks)
     context
    -removed
    +added
    *** End of File           (optional)
    *** Delete File: path
    *** End Patch

Each hunk becomes a ``replace`` edit whose ``anchor`` is the ``@@`` text; a
hunk that only adds lines uses its anchor as the line to insert after. A
move comes as a ``rename`` edit after the file's content edits. Operations
are also read when a model forgets ``*** Begin Patch``. Markers may be
indented; an envelope indented as a whole (inside a list item) is read as if
it were not. A missing
``*** End Patch`` is reported (the reply was likely truncated) and the
operation it cut short is dropped; the ones before it are kept.
"""

from __future__ import annotations

import re

from codeassist.edits.markup import Parsed, join_lines
from codeassist.edits.types import Edit, ParseIssue

# Markers may be indented (a patch inside a list item, a stray space): every one is read alike.
_BEGIN = re.compile(r"^[ \t]*\*\*\*\s*Begin Patch\s*$")
_END = re.compile(r"^[ \t]*\*\*\*\s*End Patch\s*$")
_OP = re.compile(r"^[ \t]*\*\*\*\s*(Add|Update|Delete) File:\s*(.+?)\s*$")
_MOVE = re.compile(r"^[ \t]*\*\*\*\s*Move to:\s*(.+?)\s*$")
_EOF = re.compile(r"^[ \t]*\*\*\*\s*End of File\s*$")
_STARS = re.compile(r"^\*\*\*(\s|$)")


def _hunk_edits(path: str, body: list[tuple[int, str]], out: Parsed) -> None:
    """Split an Update File body into hunks at ``@@`` lines and emit one edit per hunk."""
    hunks: list[tuple[int, str | None, list[str]]] = []
    for line_no, line in body:
        if line.startswith("@@"):
            anchor = line[2:].strip().removesuffix("@@").strip() or None
            hunks.append((line_no, anchor, []))
        elif _EOF.match(line):
            continue
        else:
            if not hunks:
                hunks.append((line_no, None, []))
            hunks[-1][2].append(line)
    for line_no, anchor, raw in hunks:
        while raw and not raw[-1]:
            raw.pop()  # blank separators before the next operation
        old: list[str] = []
        new: list[str] = []
        for ln in raw:
            kind, text = (ln[0], ln[1:]) if ln[:1] in (" ", "-", "+") else (" ", ln)
            if kind != "+":
                old.append(text)
            if kind != "-":
                new.append(text)
        if not raw or old == new:
            continue
        if not any(s.strip() for s in old) and anchor:
            old, new = [anchor], [anchor, *new]  # insertion after the anchor line
        edit = Edit(path, "replace", old=join_lines(old), new=join_lines(new), format="patch", anchor=anchor)
        out.edits.append((line_no, edit))


def _emit(op: str, path: str, start: int, body: list[tuple[int, str]], move: str | None, out: Parsed) -> None:
    if op == "Add":
        content = [line[1:] if line.startswith("+") else line for _, line in body]
        while content and not content[-1] and body and not body[-1][1]:
            content.pop()
            body = body[:-1]
        out.edits.append((start, Edit(path, "create", new=join_lines(content), format="patch")))
    elif op == "Delete":
        out.edits.append((start, Edit(path, "delete", format="patch")))
    else:
        before = len(out.edits)
        _hunk_edits(path, body, out)
        if move is None and len(out.edits) == before:
            out.issues.append(ParseIssue(f"*** Update File: {path} has no changes", start + 1, path))
        if move is not None:
            last = out.edits[-1][0] if len(out.edits) > before else start
            out.edits.append((last, Edit(path, "rename", new_path=move, format="patch")))


def _envelope(lines: list[str], i: int, out: Parsed, enveloped: bool = True, stop: int | None = None) -> int:
    """Read operations from line ``i`` until ``*** End Patch``; returns the line after the envelope.

    Without ``*** Begin Patch`` (``enveloped`` false) the operations end at a
    code fence, at ``stop`` or at the end of the reply instead, and no end
    marker is expected.
    """
    n = len(lines) if stop is None or enveloped else stop
    begin = i
    op: tuple[str, str, int] | None = None
    body: list[tuple[int, str]] = []
    move: str | None = None
    while i < n:
        line = lines[i]
        m = _OP.match(line)
        if m or _END.match(line) or _BEGIN.match(line):
            if op is not None:
                _emit(op[0], op[1], op[2], body, move, out)
            op, body, move = None, [], None
            if not m:
                if _BEGIN.match(line) and enveloped:
                    out.issues.append(ParseIssue("patch has no *** End Patch before the next *** Begin Patch", begin))
                return i + 1 if _END.match(line) else i
            op = (m.group(1), m.group(2).strip("`*"), i)
        elif not enveloped and line.startswith(("```", "~~~")):
            break
        elif op is not None and op[0] == "Update" and not body and _MOVE.match(line):
            move = _MOVE.match(line).group(1).strip("`*")  # type: ignore[union-attr]
        elif op is not None:
            if _STARS.match(line) and not _EOF.match(line):
                out.issues.append(ParseIssue(f"unknown patch line {line.strip()[:60]!r}", i + 1, op[1]))
            else:
                body.append((i, line))
        i += 1
    if not enveloped:
        if op is not None:
            _emit(op[0], op[1], op[2], body, move, out)
        return i
    where, path = (op[2], op[1]) if op is not None else (begin, None)
    out.issues.append(
        ParseIssue("patch has no *** End Patch (truncated reply?); the last operation was dropped", where + 1, path)
    )
    return n


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _dedent(lines: list[str], start: int, end: int, indent: str) -> list[str]:
    """``lines`` with ``lines[start:end]`` moved left by ``indent`` (blank lines stay blank)."""
    moved = [line[len(indent) :] if line.startswith(indent) else "" for line in lines[start:end]]
    return [*lines[:start], *moved, *lines[end:]]


def _indented_envelope(lines: list[str], i: int) -> list[str]:
    """``lines`` with the envelope opened at ``i`` dedented when all of it carries the Begin line's indentation.

    A patch inside a Markdown list item indents every line, the hunk lines
    too; read as it stands, each ``-``/``+`` line would be context. An
    envelope whose body is not indented like its Begin line (one stray space
    before a marker) keeps its lines as they are: only its markers are read
    leniently.
    """
    indent = _indent(lines[i])
    if not indent:
        return lines
    end = next((j for j in range(i + 1, len(lines)) if _END.match(lines[j])), len(lines) - 1) + 1
    if all(line.startswith(indent) or not line.strip() for line in lines[i:end]):
        return _dedent(lines, i, end, indent)
    return lines


def _indented_run(lines: list[str], i: int) -> int:
    """The end of the run of lines from ``i`` that are blank or indented like line ``i``."""
    indent = _indent(lines[i])
    end = i + 1
    while end < len(lines) and (lines[end].startswith(indent) or not lines[end].strip()):
        end += 1
    return end


def parse(lines: list[str]) -> Parsed:
    """Read every apply_patch envelope (or stray ``*** ... File:`` operations) in ``lines``."""
    out = Parsed.empty()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.lstrip(" \t").startswith("***"):
            i += 1
        elif _BEGIN.match(line):
            end = _envelope(_indented_envelope(lines, i), i + 1, out)
            out.spans.append((i, end))
            i = end
        elif _OP.match(line):
            # Stray indented operations end where the indentation does: what follows is prose.
            run = _indented_run(lines, i) if _indent(line) else None
            view = _dedent(lines, i, run, _indent(line)) if run is not None else lines
            end = _envelope(view, i, out, enveloped=False, stop=run)
            out.spans.append((i, end))
            i = end
        else:
            i += 1
    return out
