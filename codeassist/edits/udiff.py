"""Unified diffs, fenced or not, as models and ``git diff`` write them.

Each hunk becomes one ``replace`` edit (old = context and removed lines, new
= context and added lines) with ``line_hint`` from the hunk header when it
has numbers; numbers may be wrong or absent (``@@ ... @@``), the matcher
does not rely on them. ``/dev/null`` on the old side is a ``create``, on the
new side a ``delete``; ``rename from``/``rename to`` headers give a
``rename`` edit after the file's content edits (which name the old path);
a ``create`` whose hunks also hold removed or context lines carries them in
``old``.
Every edit of a file carries that file's whole diff text in ``raw_patch``
so the applier can try ``git apply`` first. ``a/`` and ``b/`` prefixes are
removed when the headers use git's convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codeassist.edits.markup import Fence, Parsed, fence, path_before
from codeassist.edits.types import Edit, ParseIssue

_HUNK = re.compile(r"^@@+\s*-(\d+)(?:,(\d+))?\s+\+(\d+)(?:,(\d+))?\s*@@")
_GIT = re.compile(r"^diff --git (\S+) (\S+)\s*$")
_EXTENDED = ("index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index",
             "dissimilarity index", "rename from ", "rename to ", "copy from ", "copy to ")  # fmt: skip
_BODY = (" ", "-", "+", "\\")


@dataclass
class _File:
    """One file's section of a diff while it is read."""

    start: int
    old_path: str | None = None
    new_path: str | None = None
    rename: tuple[str, str] | None = None
    new_file: bool = False
    deleted: bool = False
    binary: bool = False
    hunks: list[tuple[int, int | None, str, str]] = field(default_factory=list)  # (line, hint, old, new)
    short: bool = False  # the last hunk has fewer lines than its header says
    end: int = 0


def _header_path(text: str) -> str | None:
    path = text.split("\t", 1)[0].strip()
    if path.startswith('"') and path.endswith('"') and len(path) > 1:
        path = path[1:-1]
    return None if path in ("/dev/null", "") else path


def _is_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _ends_hunk(lines: list[str], i: int) -> bool:
    line = lines[i]
    # Only a fence at column 0 ends a hunk: " ```go" is a context line of a Markdown file.
    return line.startswith(("@@", "diff --git ", "```", "~~~")) or _is_header(lines, i)


def _read_hunk(lines: list[str], i: int, counts: tuple[int, int] | None) -> tuple[int, str, str, bool]:
    """Read a hunk body from line ``i``; returns ``(next_line, old, new, short)``.

    ``short``: the header's counts promised more lines than were read.
    """
    old: list[str] = []
    new: list[str] = []
    old_nl = new_nl = True
    seen_old = seen_new = 0
    last = ""
    n = len(lines)
    while i < n and not _ends_hunk(lines, i):
        line = lines[i]
        if not line:
            # A blank line is context whose space the model dropped, unless the
            # hunk is complete by its header's counts (then it ends the diff).
            if counts is not None and seen_old >= counts[0] and seen_new >= counts[1]:
                break
            line = " "
        kind, text = line[0], line[1:]
        if kind not in _BODY:
            break
        if kind == "\\":
            if last in (" ", "-"):
                old_nl = False
            if last in (" ", "+"):
                new_nl = False
        else:
            if kind in (" ", "-"):
                old.append(text)
                seen_old += 1
            if kind in (" ", "+"):
                new.append(text)
                seen_new += 1
            last = kind
        i += 1
    # Trailing blank lines read as context are separators, not content.
    while i > 0 and not lines[i - 1] and old and new and old[-1] == "" and new[-1] == "":
        old.pop()
        new.pop()
        i -= 1
    short = counts is not None and (seen_old < counts[0] or seen_new < counts[1])
    return i, _text(old, old_nl), _text(new, new_nl), short


def _text(lines: list[str], final_newline: bool) -> str:
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if final_newline else "")


def _read_file(lines: list[str], i: int, section: _File) -> int:
    """Read the headers and hunks of one file section starting at line ``i``; returns the next line."""
    n = len(lines)
    while i < n and lines[i].startswith(_EXTENDED):
        line = lines[i]
        if line.startswith("new file mode"):
            section.new_file = True
        elif line.startswith("deleted file mode"):
            section.deleted = True
        elif line.startswith("rename from "):
            section.rename = (line[len("rename from ") :].strip(), section.rename[1] if section.rename else "")
        elif line.startswith("rename to "):
            section.rename = (section.rename[0] if section.rename else "", line[len("rename to ") :].strip())
        i += 1
    if i < n and (lines[i].startswith("Binary files ") or lines[i].startswith("GIT binary patch")):
        section.binary = True
        return i + 1
    if i < n and _is_header(lines, i):
        section.old_path = _header_path(lines[i][4:])
        section.new_path = _header_path(lines[i + 1][4:])
        section.new_file = section.new_file or section.old_path is None
        section.deleted = section.deleted or section.new_path is None
        i += 2
    while i < n and (lines[i].startswith("@@") or (not section.hunks and lines[i][:1] in (" ", "-", "+"))):
        start = i
        m = _HUNK.match(lines[i])
        hint = int(m.group(1)) if m else None
        counts = (int(m.group(2) or 1), int(m.group(4) or 1)) if m else None
        if lines[i].startswith("@@"):
            i += 1
        i, old, new, section.short = _read_hunk(lines, i, counts)
        section.hunks.append((start, hint, old, new))
    return i


def _strip_prefixes(section: _File) -> None:
    old, new = section.old_path, section.new_path
    if (old is None or old.startswith("a/")) and (new is None or new.startswith("b/")) and (old or new):
        section.old_path = old[2:] if old else None
        section.new_path = new[2:] if new else None


def _edits(section: _File, raw: str | None, out: Parsed) -> None:
    """Turn one read file section into edits (or an issue)."""
    _strip_prefixes(section)
    path = section.new_path if section.new_path and not section.deleted else section.old_path
    if path is None:
        out.issues.append(ParseIssue("diff section names no file", section.start + 1))
        return
    if section.binary:
        out.issues.append(ParseIssue(f"binary diff for {path} cannot be applied as text", section.start + 1, path))
        return
    if section.deleted:
        out.edits.append((section.start, Edit(path, "delete", format="udiff", raw_patch=raw)))
        return
    if section.new_file:
        content = "".join(new for _, _, _, new in section.hunks)
        # "-" or context lines under "--- /dev/null" say what the file holds now: the applier may
        # take the diff as a rewrite of a file with exactly that content.
        shown = "".join(old for _, _, old, _ in section.hunks)
        edit = Edit(path, "create", old=shown, new=content, format="udiff", raw_patch=raw)
        out.edits.append((section.start, edit))
        return
    source = section.old_path or path
    if section.rename is None and section.old_path and section.new_path:
        source = section.new_path  # "diff -u old new": the second name is the file being changed
    for line, hint, old, new in section.hunks:
        edit = Edit(source, "replace", old=old, new=new, format="udiff", line_hint=hint, raw_patch=raw)
        out.edits.append((line, edit))
    if section.rename is not None:
        src, dst = section.rename
        src, dst = src or source, dst or path
        last = section.hunks[-1][0] if section.hunks else section.start
        out.edits.append((last, Edit(src, "rename", new_path=dst, format="udiff", raw_patch=raw)))


def _section_at(lines: list[str], i: int) -> _File | None:
    """A file section starting at line ``i``, or None if no diff starts there."""
    if lines[i][:1] not in ("d", "-", "@"):
        return None
    m = _GIT.match(lines[i])
    if m:
        return _File(i, m.group(1), m.group(2))
    if _is_header(lines, i):
        return _File(i)
    if _HUNK.match(lines[i]) or lines[i].rstrip() in ("@@", "@@ ... @@", "@@ @@"):
        # Hunks without file headers: the path line above names the file.
        path = path_before(lines, i)
        if path is not None:
            return _File(i, path, path)
    return None


def _unclosed_fence(lines: list[str]) -> int | None:
    """Index of a fence still open at the end of the reply, or None."""
    opened: tuple[int, Fence] | None = None
    for i, line in enumerate(lines):
        f = fence(line)
        if f is None:
            continue
        if opened is None:
            opened = (i, f)
        elif f.closes(opened[1]):
            opened = None
    return opened[0] if opened else None


def parse(lines: list[str]) -> Parsed:
    """Read every file section of every unified diff in ``lines``."""
    out = Parsed.empty()
    n = len(lines)
    open_fence: int | None = -1  # computed when first needed
    i = 0
    while i < n:
        section = _section_at(lines, i)
        if section is None:
            i += 1
            continue
        headerless = not lines[i].startswith(("diff --git ", "--- "))
        start = i + 1 if _GIT.match(lines[i]) else i
        i = max(_read_file(lines, start, section), i + 1)
        section.end = i
        out.spans.append((section.start, i))
        if not (section.hunks or section.rename or section.new_file or section.deleted or section.binary):
            continue
        tail = i
        while tail < n and not lines[tail].strip():
            tail += 1
        # Header counts are often wrong, so a short last hunk only means a cut-off
        # reply when the fence around the diff was never closed either.
        if section.short and tail >= n and open_fence == -1:
            open_fence = _unclosed_fence(lines)
        if section.short and tail >= n and open_fence is not None and open_fence < section.start:
            _strip_prefixes(section)
            where = section.new_path or section.old_path
            msg = "diff hunk ends before the lines its @@ header counts (truncated reply?)"
            out.issues.append(ParseIssue(msg, section.hunks[-1][0] + 1, where))
            continue
        raw = None if headerless else "\n".join(lines[section.start : i]) + "\n"
        _edits(section, raw, out)
    return out
