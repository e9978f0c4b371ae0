"""The user's own pending changes, committed on request (the chat's ``/commit``).

What is committed is what ``git commit -a`` would take: every change to a
tracked file, staged or not. Untracked files are left out and named, so
nothing lands in history that the user never told git about. The commit is
the user's own (their hooks run, no codeassist note, so ``/undo`` leaves it
alone) and is made under the repository lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeassist.commits import CommitFailed
from codeassist.errors import TaskFailed

if TYPE_CHECKING:
    from codeassist.workspace import Workspace


@dataclass(frozen=True)
class PendingCommit:
    sha: str
    message: str
    paths: tuple[str, ...]
    untracked: tuple[str, ...]  # left out


@dataclass(frozen=True)
class Pending:
    diff: str
    paths: tuple[str, ...]
    untracked: tuple[str, ...]


def pending_changes(ws: Workspace) -> Pending:
    """The diff of every change to tracked files against HEAD, those files, and the untracked files."""
    status = ws.git("status", "--porcelain=v1", "-z", "--untracked-files=all").stdout.decode("utf-8", "replace")
    paths: list[str] = []
    untracked: list[str] = []
    entries = iter(status.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code == "??":
            untracked.append(path)
            continue
        paths.append(path)
        if code[0] in "RC":
            next(entries, None)  # the old name of a rename or copy
    against = ["HEAD"] if ws.head() is not None else ["--cached"]
    diff = ws.git("diff", "--no-color", "--no-ext-diff", *against).stdout.decode("utf-8", "replace")
    return Pending(diff, tuple(sorted(paths)), tuple(sorted(untracked)))


def commit_pending(ws: Workspace, message: str | None, write: Callable[[str], str | None]) -> PendingCommit:
    """Commit the pending changes with ``message``, or the one ``write(diff)`` gives (else a plain fallback).

    Raises TaskFailed when there is nothing to commit and CommitFailed when
    git or a hook refuses (the changes stay in the work tree and the index
    as they were).
    """
    ws.lock.acquire()
    try:
        pending = pending_changes(ws)
        if not pending.paths:
            left = f"; untracked files are not committed: {', '.join(pending.untracked)}" if pending.untracked else ""
            raise TaskFailed(f"nothing to commit{left}", hint="`git add` a new file first to commit it")
        text = message or write(pending.diff) or "Update " + ", ".join(pending.paths)[:60]
        proc = ws.git("commit", "--quiet", "-a", "--cleanup=strip", "-F", "-", input=text.encode("utf-8"), check=False)
        if proc.returncode != 0:
            raise CommitFailed((proc.stdout + proc.stderr).decode("utf-8", "replace").strip())
        sha = ws.head()
        assert sha is not None
        return PendingCommit(sha, text.strip(), pending.paths, pending.untracked)
    finally:
        ws.lock.release()
        ws.forget_listing()
