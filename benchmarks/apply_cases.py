"""Cases for benchmarks/apply.py: small real commits, and replies rendered from them.

A case is a commit touching one or two text files with a small diff. Its
hunks (difflib, 3 lines of context) are the intended edit; they are rendered
as a reply in each format, optionally perturbed the way models get edits
slightly wrong.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Entry = tuple[str, str]  # (" " | "-" | "+", line without newline)


@dataclass(frozen=True)
class Hunk:
    old_start: int  # 1-based
    new_start: int
    entries: tuple[Entry, ...]

    def old(self) -> list[str]:
        return [t for k, t in self.entries if k != "+"]

    def new(self) -> list[str]:
        return [t for k, t in self.entries if k != "-"]


@dataclass(frozen=True)
class FileChange:
    path: str
    before: bytes
    after: bytes


@dataclass(frozen=True)
class Case:
    sha: str
    parent: str
    files: tuple[FileChange, ...]


def git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True).stdout


def _good_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\r" not in text and "\0" not in text and text.endswith("\n") and len(data) < 256_000


def select_cases(repo: Path, max_cases: int, max_lines: int = 30, scan: int = 3000) -> list[Case]:
    """Newest first: non-merge commits modifying 1-2 text files with at most ``max_lines`` changed lines."""
    out = git(repo, "rev-list", "--no-merges", f"--max-count={scan}", "--parents", "HEAD").decode().splitlines()
    cases: list[Case] = []
    for line in out:
        ids = line.split()
        if len(ids) != 2:
            continue
        sha, parent = ids
        stat = git(repo, "diff-tree", "-r", "--no-renames", "--numstat", parent, sha).decode().splitlines()
        status = git(repo, "diff-tree", "-r", "--no-renames", "--name-status", parent, sha).decode().splitlines()
        if not 1 <= len(stat) <= 2 or any(not s.startswith("M\t") for s in status):
            continue
        rows = [r.split("\t", 2) for r in stat]
        if any(a == "-" for a, _, _ in rows) or sum(int(a) + int(d) for a, d, _ in rows) > max_lines:
            continue
        files = []
        for _, _, path in rows:
            before = git(repo, "cat-file", "blob", f"{parent}:{path}")
            after = git(repo, "cat-file", "blob", f"{sha}:{path}")
            if not (_good_text(before) and _good_text(after)):
                break
            files.append(FileChange(path, before, after))
        else:
            cases.append(Case(sha, parent, tuple(files)))
            if len(cases) >= max_cases:
                break
    return cases


def hunks(before: str, after: str, context: int = 3) -> list[Hunk]:
    a, b = before.splitlines(), after.splitlines()
    out: list[Hunk] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        entries: list[Entry] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                entries += [(" ", t) for t in a[i1:i2]]
            else:
                entries += [("-", t) for t in a[i1:i2]]
                entries += [("+", t) for t in b[j1:j2]]
        out.append(Hunk(group[0][1] + 1, group[0][3] + 1, tuple(entries)))
    return out


# ----- perturbations: hunks -> hunks, or None when not applicable --------------


def _map(hs: list[Hunk], fn: Callable[[Entry], list[Entry]]) -> list[Hunk]:
    return [Hunk(h.old_start, h.new_start, tuple(e for entry in h.entries for e in fn(entry))) for h in hs]


def trailing_ws(hs: list[Hunk]) -> list[Hunk] | None:
    return _map(hs, lambda e: [(e[0], e[1] + "  ")] if e[0] != "+" and e[1].strip() else [e])


def indent(hs: list[Hunk]) -> list[Hunk] | None:
    return _map(hs, lambda e: [(e[0], "    " + e[1])] if e[1].strip() else [e])


def typo(hs: list[Hunk]) -> list[Hunk] | None:
    """One context line per hunk (the first of 12+ characters) with two middle letters swapped in both halves.

    The model misremembers an unchanged line; the file's own line must survive.
    Hunks whose old text has fewer than three non-blank lines are left alone:
    with the slip in one of them, what is left is too little to place the
    edit by, and fuzzy matching refuses it by design.
    """
    out, changed = [], False
    for h in hs:
        entries = list(h.entries)
        if sum(1 for t in h.old() if t.strip()) < 3:
            out.append(h)
            continue
        for i, (k, t) in enumerate(entries):
            mid = len(t) // 2
            if k == " " and len(t.strip()) >= 12 and t[mid].isalpha() and t[mid + 1].isalpha() and t[mid] != t[mid + 1]:
                entries[i] = (k, t[:mid] + t[mid + 1] + t[mid] + t[mid + 2 :])
                changed = True
                break
        out.append(Hunk(h.old_start, h.new_start, tuple(entries)))
    return out if changed else None


def _drop_blanks(hs: list[Hunk], keep: Callable[[Entry | None, Entry | None], bool]) -> list[Hunk] | None:
    """Drop the blank context lines for which ``keep(previous entry, next entry)`` is false.

    None when nothing was dropped, or when a hunk would be left with no
    non-blank old line to place it by.
    """
    out: list[Hunk] = []
    dropped = False
    for h in hs:
        kept: list[Entry] = []
        for i, (k, t) in enumerate(h.entries):
            prev = h.entries[i - 1] if i > 0 else None
            nxt = h.entries[i + 1] if i + 1 < len(h.entries) else None
            if k == " " and not t.strip() and not keep(prev, nxt):
                dropped = True
                continue
            kept.append((k, t))
        out.append(Hunk(h.old_start, h.new_start, tuple(kept)))
    if not dropped or not all(any(t.strip() for t in h.old()) for h in out):
        return None
    return out


def _kind(entry: Entry | None) -> str | None:
    return entry[0] if entry else None


def _ambiguous_once_dropped(hs: list[Hunk]) -> bool:
    """Whether some blank context line touches an added line or a removed blank line.

    Dropped from both halves, such a line takes with it what the reply needs
    to say: whether the addition goes before or after it, or how many of a
    run of blank lines the edit removes.
    """
    for h in hs:
        for i, (k, t) in enumerate(h.entries):
            near = [h.entries[j] for j in (i - 1, i + 1) if 0 <= j < len(h.entries)]
            if k == " " and not t.strip() and any(nk == "+" or (nk == "-" and not nt.strip()) for nk, nt in near):
                return True
    return False


def blank_lines(hs: list[Hunk]) -> list[Hunk] | None:
    """Blank lines dropped between two unchanged lines, where their place stays certain."""
    return _drop_blanks(hs, lambda prev, nxt: not (_kind(prev) == " " and _kind(nxt) == " "))


def blank_lines_any(hs: list[Hunk]) -> list[Hunk] | None:
    """Every blank context line dropped, in edits where that leaves the reply unambiguous."""
    return None if _ambiguous_once_dropped(hs) else _drop_blanks(hs, lambda prev, nxt: False)


def blank_lines_ambiguous(hs: list[Hunk]) -> list[Hunk] | None:
    """Every blank context line dropped, in the other edits (:func:`_ambiguous_once_dropped`)."""
    return _drop_blanks(hs, lambda prev, nxt: False) if _ambiguous_once_dropped(hs) else None


def elide(hs: list[Hunk]) -> list[Hunk] | None:
    """Replace unchanged runs of 3+ lines between two changes with a ``...`` line."""
    out, changed = [], False
    for h in hs:
        entries = list(h.entries)
        kinds = [k for k, _ in entries]
        first = next((i for i, k in enumerate(kinds) if k != " "), None)
        last = max((i for i, k in enumerate(kinds) if k != " "), default=None)
        new_entries: list[Entry] = []
        i = 0
        while i < len(entries):
            j = i
            while j < len(entries) and entries[j][0] == " ":
                j += 1
            if first is not None and last is not None and first < i and j <= last and j - i >= 3:
                line = entries[i][1]
                pad = line[: len(line) - len(line.lstrip())]
                new_entries.append((" ", pad + "..."))
                changed = True
                i = j
                continue
            new_entries.append(entries[i])
            i += 1
        out.append(Hunk(h.old_start, h.new_start, tuple(new_entries)))
    return out if changed else None


def elide_wide(hs: list[Hunk]) -> list[Hunk] | None:
    """For hunks with 8 lines of context: each unchanged run's inner lines (3+) become one ``...`` line.

    The first and last line of every run stay as anchors, the way a model
    shortens a block it copies: ``def f():`` / ``...`` / the line before the change.
    """
    out, changed = [], False
    for h in hs:
        entries: list[Entry] = []
        i = 0
        while i < len(h.entries):
            j = i
            while j < len(h.entries) and h.entries[j][0] == " ":
                j += 1
            if j - i >= 5:
                line = h.entries[i + 1][1]
                pad = line[: len(line) - len(line.lstrip())]
                entries += [h.entries[i], (" ", pad + "..."), h.entries[j - 1]]
                changed = True
                i = j
                continue
            entries.append(h.entries[i])
            i += 1
        out.append(Hunk(h.old_start, h.new_start, tuple(entries)))
    return out if changed else None


def _pieces(lines: list[str]) -> list[list[str]]:
    """Lines cut at ``...`` lines, each piece without the blank lines at its edges."""
    pieces: list[list[str]] = [[]]
    for line in lines:
        if line.strip() == "...":
            pieces.append([])
        else:
            pieces[-1].append(line.rstrip())
    return ["\n".join(p).strip("\n").split("\n") if any(p) else [] for p in pieces]


def _occurrences(lines: list[str], piece: list[str]) -> int:
    return sum(1 for i in range(len(lines) - len(piece) + 1) if lines[i : i + len(piece)] == piece)


def names_no_place(before: str, clean: list[Hunk], perturbed: list[Hunk], elided: bool) -> bool:
    """Whether a reply without line numbers cannot say where one of its hunks goes.

    Its old text occurs more than once in ``before`` (every copy fits); or,
    elided, no piece of the old text between ``...`` lines occurs exactly
    once, or a piece with no line in it (as when the elided run starts at a
    blank line) has new lines in the new text's piece, which go somewhere
    next to code the reply left out. Judged on the clean hunks except for
    elision, so that a perturbation (a typo, a shift) does not count as a
    missing place: finding through those is the matcher's job.
    """
    lines = [line.rstrip() for line in before.splitlines()]
    for h in perturbed if elided else clean:
        old, new = _pieces(h.old()), _pieces(h.new())
        if not elided:
            if old[0] and _occurrences(lines, old[0]) > 1:
                return True
            continue
        if len(old) > 1 and any(not o and n for o, n in zip(old, new, strict=False)):
            return True
        if 1 not in [_occurrences(lines, p) for p in old if p]:
            return True
    return False


WIDE_CONTEXT = {"elided-context-wide": 8}


PERTURBATIONS: dict[str, Callable[[list[Hunk]], list[Hunk] | None]] = {
    "clean": lambda hs: hs,
    "trailing-ws": trailing_ws,
    "indent-shift": indent,
    "missing-blank-lines": blank_lines,
    "missing-blank-lines-any": blank_lines_any,
    "missing-blank-lines-ambiguous": blank_lines_ambiguous,
    "elided-context": elide,
    "typo-in-context": typo,
    "elided-context-wide": elide_wide,
    "path": lambda hs: hs,
}


def written_path(path: str, all_files: list[str], perturbation: str) -> str:
    if perturbation != "path":
        return path
    base = posixpath.basename(path)
    unique = sum(1 for f in all_files if posixpath.basename(f) == base) == 1
    return base if unique else "./" + path


# ----- renderers ------------------------------------------------------------


def fence(body: str) -> str:
    ticks = "````" if "```" in body else "```"
    return f"{ticks}\n{body}{ticks}\n"


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def render_sr(path: str, hs: list[Hunk], after: str) -> str:
    blocks = [
        f"{path}\n" + fence(f"<<<<<<< SEARCH\n{_join(h.old())}=======\n{_join(h.new())}>>>>>>> REPLACE\n") for h in hs
    ]
    return "\n".join(blocks)


def render_udiff(path: str, hs: list[Hunk], numbers: str) -> str:
    body = [f"--- a/{path}", f"+++ b/{path}"]
    for h in hs:
        shift = 11 if numbers == "wrong" else 0
        if numbers == "none":
            body.append("@@ ... @@")
        else:
            body.append(f"@@ -{h.old_start + shift},{len(h.old())} +{h.new_start + shift},{len(h.new())} @@")
        body += [k + t for k, t in h.entries]
    text = _join(body)
    ticks = "````" if "```" in text else "```"
    return f"{ticks}diff\n{text}{ticks}\n"


def render_whole(path: str, hs: list[Hunk], after: str) -> str:
    return f"{path}\n" + fence(after)


def render_patch(path: str, hs: list[Hunk], after: str) -> str:
    body = ["*** Begin Patch", f"*** Update File: {path}"]
    for h in hs:
        body.append("@@")
        body += [k + t for k, t in h.entries]
    body.append("*** End Patch")
    return _join(body)


def render_tool(path: str, hs: list[Hunk], after: str) -> list[tuple[str, str]]:
    """(tool name, JSON arguments) per hunk, for edits_from_tool_calls."""
    return [
        ("replace_in_file", json.dumps({"path": path, "old_text": _join(h.old()), "new_text": _join(h.new())}))
        for h in hs
    ]
