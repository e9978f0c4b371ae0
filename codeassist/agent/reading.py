"""``read_file`` and ``list_files``: the repository as the file rule shows it.

Every path goes through the Workspace: a file the file rule hides
(``.codeassistignore``, secret stores, codeassist's own state) is refused
with the reason, never read, and never listed.
"""

from __future__ import annotations

import difflib
import fnmatch
import posixpath
from typing import TYPE_CHECKING

from codeassist.agent.result import ToolResult, bounded

if TYPE_CHECKING:
    from codeassist.workspace import Workspace

MAX_READ_LINES = 400  # lines shown by one read_file without a range
MAX_LINE_CHARS = 400
MAX_LISTED = 400
MAX_FILE_BYTES = 2_000_000


def normal_path(path: str) -> str:
    """A model's path as a repository path: ``./a/../b.py`` -> ``b.py``; absolute and escaping ones stay odd."""
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return posixpath.normpath(path) if path else path


def resolve(ws: Workspace, path: str) -> tuple[str, ToolResult | None]:
    """The repository path of a file the model may read, or the refusal to send back."""
    rel = normal_path(path)
    if not rel or rel == "." or rel.startswith("../") or rel == ".." or posixpath.isabs(rel):
        return rel, ToolResult.error(f"{path!r} is not a path inside the repository; use a path relative to its root")
    reason = ws.hidden_reason(rel)
    if reason is not None:
        return rel, ToolResult.error(
            f"{rel} is hidden from the model ({reason}); it cannot be read, listed or searched. "
            "Work without it, or ask the user to share what you need.",
            f"refused {rel}: hidden ({reason})",
        )
    files = ws.files()
    if rel not in set(files):
        return rel, ToolResult.error(_not_found(rel, files), f"{rel}: no such file")
    return rel, None


def _not_found(rel: str, files: list[str]) -> str:
    if any(f.startswith(rel.rstrip("/") + "/") for f in files):
        return f"{rel} is a directory; call list_files with glob {rel.rstrip('/')}/* to see its files"
    names = {posixpath.basename(f): f for f in reversed(files)}
    close = difflib.get_close_matches(posixpath.basename(rel), list(names), n=5, cutoff=0.6)
    same = [f for f in files if posixpath.basename(f) == posixpath.basename(rel)][:5]
    guesses = list(dict.fromkeys(same + [names[c] for c in close]))[:5]
    hint = f"; did you mean: {', '.join(guesses)}" if guesses else "; list_files or search can find it"
    return f"no file {rel} in the repository{hint}"


def read_file(ws: Workspace, path: str, start_line: int | None = None, end_line: int | None = None) -> ToolResult:
    rel, refused = resolve(ws, path)
    if refused is not None:
        return refused
    try:
        data = (ws.root / rel).read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        return ToolResult.error(f"cannot read {rel}: {exc.strerror or exc}")
    if b"\0" in data[:8000]:
        return ToolResult.error(f"{rel} is a binary file ({len(data)} bytes); it has no lines to show")
    lines = data.decode("utf-8", "replace").splitlines()
    total = len(lines)
    start = max(1, start_line or 1)
    if total and start > total:
        return ToolResult.error(f"{rel} has {total} lines; start_line {start} is past its end")
    last = total if end_line is None else min(total, end_line)
    if end_line is not None and end_line < start:
        return ToolResult.error(f"end_line ({end_line}) is before start_line ({start})")
    if end_line is None:
        last = min(total, start + MAX_READ_LINES - 1)
    width = len(str(max(last, 1)))
    shown = [f"{n:>{width}} | {_cut(lines[n - 1])}" for n in range(start, last + 1)]
    head = f"{rel} (lines {start}-{last} of {total})" if total else f"{rel} (empty)"
    more = f"\n[{total - last} more line(s): read_file with start_line={last + 1}]" if last < total else ""
    text = bounded(head + "\n" + "\n".join(shown) + more, hint="read a range with start_line and end_line")
    return ToolResult(text, f"{rel}: lines {start}-{last} of {total}")


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " [... line cut]"


def matches_glob(path: str, pattern: str) -> bool:
    """Whether ``path`` matches ``pattern``: a glob without ``/`` matches names anywhere (``*.py``)."""
    pattern = normal_path(pattern) if pattern.strip() not in ("", ".") else "*"
    if "/" not in pattern:
        return fnmatch.fnmatchcase(posixpath.basename(path), pattern) or fnmatch.fnmatchcase(path, pattern)
    if pattern.endswith("/**"):
        return path.startswith(pattern[:-3] + "/") or fnmatch.fnmatchcase(path, pattern)
    # fnmatch's * already crosses '/', so ``src/**/*.py`` also matches src/a.py when ``**/`` may be empty.
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, pattern.replace("**/", ""))


def visible_files(ws: Workspace, glob: str | None = None) -> list[str]:
    """The file rule's files (hidden ones by name are not in it), filtered by ``glob``, sorted."""
    files = ws.files()
    if glob and glob.strip():
        files = [f for f in files if matches_glob(f, glob)]
    return files


def list_files(ws: Workspace, glob: str | None = None) -> ToolResult:
    files = visible_files(ws, glob)
    where = f" matching {glob}" if glob else ""
    if not files:
        return ToolResult(f"no files{where}", f"0 files{where}")
    shown = files[:MAX_LISTED]
    more = f"\n[{len(files) - MAX_LISTED} more; narrow the glob to see them]" if len(files) > MAX_LISTED else ""
    text = f"{len(files)} file(s){where}:\n" + "\n".join(shown) + more
    return ToolResult(bounded(text, hint="narrow the glob"), f"{len(files)} file(s){where}")
