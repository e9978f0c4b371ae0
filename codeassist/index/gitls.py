"""Git's listing of a work tree: one ``git ls-files`` output, and the paths in it git does not vouch for.

Apart from :mod:`codeassist.index.files` (which decides what is indexed and
is part of the tags version): how the listing is obtained can change without
every cached parse going stale.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# The listing a Workspace made for the current request, by root: the index reuses it
# instead of listing the repository a second time (see codeassist.workspace).
_SHARED: dict[Path, bytes] = {}
_LARGE_INDEX_BYTES = 4 << 20  # git's index of about 40k files
# A record after a NUL whose tag is not H (clean): the literal NUL lets the search skip ahead.
_NOT_CLEAN = re.compile(rb"\0([^H\0][^\0]*)")


def share_listing(root: Path, out: bytes) -> None:
    _SHARED[root.resolve()] = out


def unshare_listing(root: Path) -> None:
    _SHARED.pop(root.resolve(), None)


def is_shared(root: Path) -> bool:
    return root.resolve() in _SHARED


def _large_index(root: Path) -> bool:
    from codeassist.git import find_git_dirs

    found = find_git_dirs(root)
    try:
        return found is not None and os.stat(found[1] / "index").st_size > _LARGE_INDEX_BYTES
    except OSError:
        return False


def git_ls_files(root: Path) -> bytes:
    """Tracked + untracked-not-ignored files in one ``git ls-files`` listing (raw output).

    ``-t`` tags each record: H clean in the index, C changed, R removed,
    ? untracked, M unmerged. Only H entries keep git's blob id.

    On a large repository the listing is two git processes run at once, joined
    as one call with both options prints (untracked first, byte for byte): git's
    walk of the work tree for untracked files and its stat of every tracked file
    then take two cores, not one after the other (0.45 s of git at 100k files).
    """
    import threading

    from codeassist.git import run_git

    shared = _SHARED.get(root.resolve())
    if shared is not None:
        return shared
    if not _large_index(root):  # a second process would cost more than it saves
        return run_git(
            root, "ls-files", "-z", "-t", "-s", "--cached", "--modified", "--deleted", "--others", "--exclude-standard"
        ).stdout
    untracked: list[bytes | BaseException] = []

    def walk() -> None:
        try:
            untracked.append(run_git(root, "ls-files", "-z", "-t", "--others", "--exclude-standard").stdout)
        except BaseException as exc:  # handed to the caller's thread below
            untracked.append(exc)

    walker = threading.Thread(target=walk, daemon=True)
    walker.start()
    try:
        tracked = run_git(root, "ls-files", "-z", "-t", "-s", "--cached", "--modified", "--deleted").stdout
    finally:
        walker.join()
    others = untracked[0]
    if isinstance(others, BaseException):
        raise others
    return others + tracked


def dirty_paths(out: bytes) -> list[str]:
    """Paths of ``git ls-files`` output whose content git does not vouch for (changed or untracked)."""
    removed: set[bytes] = set()
    dirty: list[bytes] = []
    # The clean records, nearly all of them, are never split out.
    for m in _NOT_CLEAN.finditer(b"\0" + out):
        rec = m.group(1)
        tag = rec[:1]
        raw = rec[2:] if tag == b"?" else rec[2:].partition(b"\t")[2]
        if tag == b"R":
            removed.add(raw)
        else:
            dirty.append(raw)
    return sorted({r.decode("utf-8", "replace") for r in dirty if r not in removed})
