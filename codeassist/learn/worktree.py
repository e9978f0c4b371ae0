"""Temporary git worktrees for eval: a detached checkout of one commit, outside the user's work tree.

Each worktree lives in the system's temporary directory under a name starting
with :data:`PREFIX`, is detached (no branch is created or moved), and is
removed when the block ends, whatever the reason (an error, Ctrl-C). A run
that was killed outright leaves one behind; :func:`remove_stale` removes
those at the start of the next run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codeassist.git import run_git

PREFIX = "codeassist-eval-"


@contextmanager
def temporary_worktree(root: Path, rev: str) -> Iterator[Path]:
    """A detached worktree of ``rev``; removed (with its git metadata) when the block ends."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        hooks = path / ".no-hooks"  # the user's checkout hooks are not this checkout's business
        run_git(root, "-c", f"core.hooksPath={hooks}", "worktree", "add", "--detach", "--quiet", str(path / "w"), rev)
        yield path / "w"
    finally:
        remove_worktree(root, path)


def remove_worktree(root: Path, path: Path) -> None:
    """Remove the worktree at ``path`` (or its parent temporary directory) and git's record of it."""
    target = path / "w" if (path / "w").exists() else path
    run_git(root, "worktree", "remove", "--force", "--force", str(target), check=False)
    shutil.rmtree(path, ignore_errors=True)
    run_git(root, "worktree", "prune", check=False)


def remove_stale(root: Path) -> int:
    """Remove eval worktrees a killed run left behind; returns how many."""
    proc = run_git(root, "worktree", "list", "--porcelain", check=False)
    removed = 0
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        if not line.startswith("worktree "):
            continue
        path = Path(line[len("worktree ") :])
        if path.name == "w" and path.parent.name.startswith(PREFIX):
            remove_worktree(root, path.parent)
            removed += 1
    run_git(root, "worktree", "prune", check=False)
    return removed
