"""``search``: a regular expression over the file rule's files, as ``path:line: text``.

ripgrep does the scanning when it is installed (found on ``PATH``): sorted by
path, so the results are deterministic, and stopped as soon as enough lines
matched. Without it, a pure-Python scan of the same files gives the same
lines (``benchmarks/search.py`` measures both). Either way only files the
file rule shows can match: ripgrep's output is filtered by the Workspace's
listing, and a file hidden by its content is dropped too. ripgrep skips what
``.gitignore`` names, so a file git tracks although ``.gitignore`` names it
is found by the Python scan only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeassist.agent.reading import MAX_FILE_BYTES, matches_glob, visible_files
from codeassist.agent.result import ToolResult

if TYPE_CHECKING:
    from codeassist.workspace import Workspace

DEFAULT_RESULTS = 50
MAX_RESULTS = 200
MAX_TEXT = 200  # characters of each matching line shown


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str


def ripgrep(environ: Mapping[str, str] | None = None) -> str | None:
    """The ripgrep executable on ``PATH`` (of ``environ`` when given), or None."""
    path = (environ if environ is not None else os.environ).get("PATH")
    return shutil.which("rg", path=path)


def search(
    ws: Workspace,
    pattern: str,
    glob: str | None = None,
    max_results: int | None = None,
    *,
    rg: str | None = None,
) -> ToolResult:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        return ToolResult.error(f"the pattern is not a valid regular expression: {exc}; escape special characters")
    limit = min(MAX_RESULTS, max(1, max_results or DEFAULT_RESULTS))
    hits = find(ws, regex, glob, limit + 1, rg=rg)
    where = f" in files matching {glob}" if glob else ""
    if not hits:
        return ToolResult(f"no match for /{pattern}/{where}", f"/{pattern}/: no match")
    more = len(hits) > limit
    hits = hits[:limit]
    lines = [f"{h.path}:{h.line}: {h.text}" for h in hits]
    tail = f"\n[more matches: stopped at {limit}; narrow the pattern or the glob, or raise max_results]" if more else ""
    count = f"{limit}+" if more else str(len(hits))
    files = len({h.path for h in hits})
    return ToolResult("\n".join(lines) + tail, f"/{pattern}/: {count} match(es) in {files} file(s)")


def find(ws: Workspace, regex: re.Pattern[str], glob: str | None, limit: int, *, rg: str | None = None) -> list[Hit]:
    """Up to ``limit`` matching lines in path order, with ripgrep when given, else in Python."""
    if rg is not None:
        found = _ripgrep(ws, regex, glob, limit, rg)
        if found is not None:
            return found
    return list(_python(ws, regex, glob, limit))


def _clean(text: str) -> str:
    text = text.rstrip("\r\n").strip()
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " [...]"


def _python(ws: Workspace, regex: re.Pattern[str], glob: str | None, limit: int) -> Iterator[Hit]:
    found = 0
    for rel in visible_files(ws, glob):
        path = ws.root / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8000]:
            continue
        text = data.decode("utf-8", "replace")
        matches = list(regex.finditer(text))
        if not matches or ws.hidden_reason(rel) is not None:
            continue
        seen_lines: set[int] = set()
        for m in matches:
            line = text.count("\n", 0, m.start()) + 1
            if line in seen_lines:
                continue
            seen_lines.add(line)
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.start())
            yield Hit(rel, line, _clean(text[start : end if end >= 0 else len(text)]))
            found += 1
            if found >= limit:
                return


def _ripgrep(ws: Workspace, regex: re.Pattern[str], glob: str | None, limit: int, rg: str) -> list[Hit] | None:
    """ripgrep's matches among the visible files; None when it cannot run the pattern (Python then does)."""
    visible = set(ws.files())
    argv = [rg, "--no-config", "--hidden", "--null", "--line-number", "--no-heading", "--with-filename"]
    argv += ["--color", "never", "--sort", "path", "--max-filesize", str(MAX_FILE_BYTES), "-e", regex.pattern]
    argv += ["--", "."]  # without a path, ripgrep would read a standard input that is not a terminal
    try:
        proc = subprocess.Popen(
            argv, cwd=ws.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None
    hits: list[Hit] = []
    hidden: dict[str, bool] = {}
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            path_b, _, rest = raw.partition(b"\0")
            line_b, _, text_b = rest.partition(b":")
            rel = path_b.decode("utf-8", "surrogateescape").removeprefix("./")
            if rel not in visible or not line_b.isdigit() or (glob and not matches_glob(rel, glob)):
                continue
            if rel not in hidden:
                hidden[rel] = ws.hidden_reason(rel) is not None
            if hidden[rel]:
                continue
            hits.append(Hit(rel, int(line_b), _clean(text_b.decode("utf-8", "replace"))))
            if len(hits) >= limit:
                break
    finally:
        proc.kill()
        proc.stdout.close()
        code = proc.wait()
    if code == 2 and not hits:
        return None  # ripgrep's regex syntax refused the pattern, or it failed: Python scans instead
    return hits
