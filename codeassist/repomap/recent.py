"""Files the last few commits touched: where work is going on, a seed of the map.

The answer depends on HEAD's commit alone (history under a commit does not
change), so it is kept in the index cache under that commit (and the shallow
boundary, which can move under the same HEAD): a warm map then runs no
``git log``, which on a tree whose history holds a 100k-file import commit
costs 0.2 s of git listing every path of that commit.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from pathlib import Path

from codeassist.index.cache import IndexCache

RECENT_COMMITS = 10
RECENT_MAX_FILES = 200  # a recent commit of more files than this does not count
_KIND = "recent"
FORMAT = f"1:{RECENT_COMMITS}:{RECENT_MAX_FILES}:m{marshal.version}"


def committed_files(root: Path) -> tuple[str, ...] | None:
    """Files the last :data:`RECENT_COMMITS` commits touched, sorted (None: git could not say)."""
    from codeassist.git import run_git

    proc = run_git(
        root, "log", f"-n{RECENT_COMMITS}", "--name-only", "--format=%x01", "-z", "--no-renames", check=False
    )
    if proc.returncode != 0:
        return None
    recent: set[str] = set()
    for commit in proc.stdout.split(b"\x01"):
        raws = [raw for raw in (r.strip(b"\n") for r in commit.split(b"\0")) if raw]
        # An import or a mass rename says nothing about where work is going on.
        if len(raws) <= RECENT_MAX_FILES:
            recent.update(raw.decode("utf-8", "replace") for raw in raws)
    return tuple(sorted(recent))


def history_key(root: Path) -> str | None:
    """HEAD's commit and the shallow boundary, read from git's files; None when they cannot be read."""
    from codeassist.git import common_dir, find_git_dirs, read_head

    found = find_git_dirs(root)
    if found is None:
        return None
    try:
        head = read_head(found[1])
    except LookupError:
        return None
    if head is None:
        return None
    try:
        st = os.stat(common_dir(found[1]) / "shallow")
        shallow = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    except OSError:
        shallow = "-"
    return f"{head}:{shallow}"


def _stored(cache: IndexCache, key: str) -> tuple[str, ...] | None:
    data = cache.get_graph(key, _KIND, "", FORMAT)
    if data is None:
        return None
    try:
        files = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(files, tuple) or not all(isinstance(f, str) for f in files):
        return None
    return files


def recent_files(root: Path, dirty: Sequence[str], cache: IndexCache | None = None) -> tuple[str, ...]:
    """Dirty files and files touched by the last few commits (none outside git), sorted.

    With ``cache`` the commits' files are read from it when stored for the current HEAD, and stored when not.
    """
    key = history_key(root) if cache is not None else None
    committed = _stored(cache, key) if cache is not None and key is not None else None
    if committed is None:
        committed = committed_files(root)
        # Stored only if HEAD did not move while git looked (a commit made meanwhile).
        if cache is not None and key is not None and committed is not None and history_key(root) == key:
            cache.put_graph(key, _KIND, "", FORMAT, marshal.dumps(committed))
    return tuple(sorted(set(dirty).union(committed or ())))
