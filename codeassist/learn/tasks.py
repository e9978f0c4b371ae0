"""Which past commits make good eval tasks, and what each one asks.

A commit is a task when it is small and single-purpose (the documented
filter, :data:`FILTER`): one parent (no merges, not the first commit), at
most :data:`MAX_FILES` text files changed and :data:`MAX_LINES` lines added
plus deleted, none of them hidden by ``.codeassistignore``, and a message
that describes the change (a subject of at least :data:`MIN_WORDS` words that
is not a bare "fix"/"wip"/"update", not a revert, not a version bump or
release). The newest qualifying commits come first; the request is the
commit's message without its trailers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from codeassist.git import run_git

MAX_FILES = 3
MAX_LINES = 60
MIN_WORDS = 3
SCAN_LIMIT = 2000  # commits read from the log at most
FILTER = (
    f"non-merge commits with a parent; 1-{MAX_FILES} text files; 1-{MAX_LINES} lines added+deleted; "
    f"a subject of {MIN_WORDS}+ words; no reverts, version bumps or releases; no file hidden by .codeassistignore"
)
_VAGUE = re.compile(r"^(wip|fix(es)?|update[sd]?|changes?|misc|cleanup|tmp|temp|typo|minor|stuff|more)\b\W*$", re.I)
_VERSION = re.compile(
    r"(^|\b)(bump(ed|s)?\b.*\b(version|to v?\d)|release\b|releasing\b|prepare (for )?release|version \d|"
    r"^v?\d+(\.\d+)+\b|changelog for v?\d)",
    re.I,
)
_TRAILER = re.compile(r"^(Co-authored-by|Signed-off-by|Reviewed-by|Change-Id|Acked-by):", re.I)


@dataclass(frozen=True)
class Task:
    """One past commit as a request: the parent to start from and the files it changed."""

    sha: str
    parent: str
    subject: str
    request: str
    files: tuple[str, ...]
    lines: int

    def to_json(self) -> dict[str, object]:
        return {
            "sha": self.sha,
            "parent": self.parent,
            "subject": self.subject,
            "request": self.request,
            "files": list(self.files),
            "lines": self.lines,
        }


def request_text(message: str) -> str:
    """The commit message as a request: trailers (Co-authored-by, Signed-off-by...) dropped."""
    lines = [line for line in message.strip().splitlines() if not _TRAILER.match(line.strip())]
    return "\n".join(lines).strip()


def describes_change(subject: str) -> bool:
    """A subject that says what changed: enough words, not vague, not a revert or a version bump."""
    words = subject.split()
    if len(words) < MIN_WORDS or _VAGUE.match(subject.strip()):
        return False
    return not subject.startswith(("Revert ", "Merge ")) and not _VERSION.search(subject)


def _hidden(root: Path, files: list[str]) -> bool:
    from codeassist.learn.record import hidden_paths

    return bool(hidden_paths(root, files)) or any(f.startswith(".codeassist/") for f in files)


def _parse(record: str) -> tuple[str, list[str], str, list[tuple[str, str, str]]] | None:
    fields = record.split("\x1f")
    if len(fields) != 4:
        return None
    sha, parents, message, stat = fields
    rows = []
    for line in stat.strip("\n").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((parts[0], parts[1], parts[2]))
    return sha.strip(), parents.split(), message, rows


def select_tasks(root: Path, *, count: int, since: str | None = None, scan: int = SCAN_LIMIT) -> list[Task]:
    """Up to ``count`` task commits, newest first, from ``since..HEAD`` (all of HEAD's history by default)."""
    rev = f"{since}..HEAD" if since else "HEAD"
    proc = run_git(
        root, "-c", "core.quotepath=false", "log", "--no-merges", "--no-renames", "--numstat",
        f"--max-count={scan}", "--format=%x1e%H%x1f%P%x1f%B%x1f", rev,
    )  # fmt: skip
    tasks: list[Task] = []
    for record in proc.stdout.decode("utf-8", "replace").split("\x1e"):
        parsed = _parse(record)
        if parsed is None:
            continue
        sha, parents, message, rows = parsed
        if len(parents) != 1 or not rows or len(rows) > MAX_FILES:
            continue
        if any(a == "-" or d == "-" or path.startswith('"') for a, d, path in rows):
            continue  # binary, or a name git had to quote
        lines = sum(int(a) + int(d) for a, d, _ in rows)
        files = sorted(path for _, _, path in rows)
        subject = message.strip().splitlines()[0] if message.strip() else ""
        if not 1 <= lines <= MAX_LINES or not describes_change(subject) or _hidden(root, files):
            continue
        tasks.append(Task(sha, parents[0], subject, request_text(message), tuple(files), lines))
        if len(tasks) >= count:
            break
    return tasks


def change_as_search_replace(root: Path, sha: str) -> str:
    """Commit ``sha``'s change as SEARCH/REPLACE blocks, each replacing a whole file (empty SEARCH: a new file)."""
    names = run_git(root, "-c", "core.quotepath=false", "diff", "--name-only", "--no-renames", f"{sha}^", sha)
    blocks = []
    for path in names.stdout.decode("utf-8", "replace").splitlines():
        old = run_git(root, "cat-file", "blob", f"{sha}^:{path}", check=False)
        new = run_git(root, "cat-file", "blob", f"{sha}:{path}", check=False)
        before = old.stdout.decode("utf-8", "replace") if old.returncode == 0 else ""
        after = new.stdout.decode("utf-8", "replace") if new.returncode == 0 else ""
        blocks.append(f"{path}\n```\n<<<<<<< SEARCH\n{before}=======\n{after}>>>>>>> REPLACE\n```\n")
    return "\n".join(blocks)
