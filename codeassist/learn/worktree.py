"""Temporary git worktrees for eval: a detached checkout of one commit, outside the user's work tree.

Each worktree lives in the system's temporary directory under a name starting
with :data:`PREFIX`, is detached (no branch is created or moved), and is
removed when the block ends, whatever the reason (an error, Ctrl-C). A run
that was killed outright leaves one behind; :func:`remove_stale` removes
those at the start of the next run.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codeassist.git import run_git

PREFIX = "codeassist-eval-"
# Adding and removing worktrees writes shared metadata under .git/worktrees: one thread at a time.
_GIT_LOCK = threading.Lock()


@contextmanager
def temporary_worktree(root: Path, rev: str) -> Iterator[Path]:
    """A detached worktree of ``rev``; removed (with its git metadata) when the block ends."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX))
    # git names a worktree's metadata after the last component: a unique one, so that parallel adds never race.
    tree = path / path.name
    try:
        hooks = path / ".no-hooks"  # the user's checkout hooks are not this checkout's business
        with _GIT_LOCK:
            run_git(root, "-c", f"core.hooksPath={hooks}", "worktree", "add", "--detach", "--quiet", str(tree), rev)
        yield tree
    finally:
        remove_worktree(root, path)


def remove_worktree(root: Path, path: Path) -> None:
    """Remove the worktree in temporary directory ``path`` and git's record of it."""
    with _GIT_LOCK:
        run_git(root, "worktree", "remove", "--force", "--force", str(path / path.name), check=False)
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
        if path.name == path.parent.name and path.name.startswith(PREFIX):
            remove_worktree(root, path.parent)
            removed += 1
    run_git(root, "worktree", "prune", check=False)
    return removed


def seed_index(root: Path, tree: Path) -> bool:
    """Give ``tree`` a copy of the parsed tags ``root``'s index cache holds, so the task parses only what differs.

    Tags are keyed by file content, so they are right for any checkout; everything that describes
    the user's checkout goes: the file table, and the meta keys but the tags version. That includes
    the cached history of HEAD, which knows the very commit the task asks for. Returns False when
    there is no usable cache (the task then indexes from scratch, as it would anyway).
    """
    from codeassist.index.cache import DB_NAME
    from codeassist.index.files import CACHE_DIR

    source = root / CACHE_DIR / DB_NAME
    if not source.is_file():
        return False
    target = tree / CACHE_DIR / DB_NAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=5.0)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            with dst:
                dst.execute("DELETE FROM files")
                dst.execute("DELETE FROM meta WHERE key != 'tags_version'")
                # The map's stored graphs describe the user's checkout too (and may be large).
                if dst.execute("SELECT 1 FROM sqlite_master WHERE name = 'graphs'").fetchone():
                    dst.execute("DELETE FROM graphs")
        finally:
            src.close()
            dst.close()
    except (sqlite3.Error, OSError):
        target.unlink(missing_ok=True)
        return False
    return True
