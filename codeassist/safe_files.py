"""Reading and putting back work-tree files without ever following a symbolic link.

A command the model ran (sandboxed or not) can leave a symbolic link where a
file or a directory was: ``a.py -> /home/user/.bashrc``, ``src -> /etc``.
codeassist itself runs outside any sandbox, so a restore that wrote through
such a link would overwrite a file the command could never reach. Every step
here starts at the repository root and opens each directory with
``O_NOFOLLOW`` relative to the one before it (``dir_fd``), so no component is
ever resolved through a link, even one swapped in between two calls.

A file is put back by writing a temporary file in its own directory and
renaming it over the path (``os.replace``): a reader sees the old file or the
new one, never half of one, and a rename replaces a link instead of following
it. A link or a directory that took a file's place, or a link or a file that
took a directory's place, is removed first.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class FileState:
    """A regular file's content and permission bits (``st_mode & 0o7777``)."""

    data: bytes
    mode: int

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o100)


def read_state(root: Path, rel: str) -> FileState | None:
    """The regular file at ``rel`` under ``root``; None when there is none (missing, a link, a directory,
    or a link anywhere on the way)."""
    parent = _open_parent(root, rel, create=False)
    if parent is None:
        return None
    try:
        try:
            fd = os.open(_name(rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=parent)
        except OSError:
            return None  # missing, a link (ELOOP), unreadable
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return None  # a directory, a FIFO or a device is not a file to keep
        with os.fdopen(fd, "rb") as fh:
            return FileState(fh.read(), stat.S_IMODE(info.st_mode))
    finally:
        os.close(parent)


def write_state(root: Path, rel: str, data: bytes | None, mode: int | None = None) -> None:
    """Make ``rel`` under ``root`` the regular file ``data`` with permission bits ``mode`` (None: the
    usual ones for a new file), or make it absent when ``data`` is None. Raises OSError."""
    parent = _open_parent(root, rel, create=data is not None)
    if parent is None:
        return  # to delete, and a directory on the way is missing (or a link): nothing is there
    name = _name(rel)
    try:
        if data is None:
            _remove(parent, name, directories=False)
            return
        tmp = f".{name[:100]}.codeassist-{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), default_mode() if mode is None else mode)
                os.fsync(fh.fileno())  # as the edits' own writes: the rename never lands before the bytes
            _remove(parent, name, directories=True, keep_files=True)  # a directory in the file's place
            os.replace(tmp, name, src_dir_fd=parent, dst_dir_fd=parent)  # replaces a link, never follows it
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=parent)
            except OSError:
                pass
            raise
    finally:
        os.close(parent)


def git_mode(root: Path, rel: str, executable: bool) -> int:
    """The permission bits to give ``rel`` when only git's idea of its mode is known (executable or not):
    the file's own bits with the executable ones set or cleared (a private 0o600 file stays private), or
    git's usual bits when it is not there."""
    parent = _open_parent(root, rel, create=False)
    if parent is None:
        return default_mode(executable)
    try:
        info = os.stat(_name(rel), dir_fd=parent, follow_symlinks=False)
    except OSError:
        return default_mode(executable)
    finally:
        os.close(parent)
    if not stat.S_ISREG(info.st_mode):
        return default_mode(executable)
    bits = stat.S_IMODE(info.st_mode) & ~0o111
    return bits | ((bits & 0o444) >> 2) if executable else bits


def default_mode(executable: bool = False) -> int:
    """The permission bits git gives a file it checks out (0o666 or 0o777 less the umask)."""
    return (0o777 if executable else 0o666) & ~_umask()


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _name(rel: str) -> str:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OSError(errno.EINVAL, f"not a path inside the repository: {rel!r}")
    return parts[-1]


def _open_parent(root: Path, rel: str, *, create: bool) -> int | None:
    """A descriptor of the directory holding ``rel``, reached from ``root`` through real directories only.

    With ``create``, a missing directory is made and a link or a file where a directory belongs is removed
    (it took the place of the directory the file was in); without, either gives None.
    """
    _name(rel)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the root itself is the user's choice
    try:
        for part in rel.split("/")[:-1]:
            try:
                sub = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    os.close(fd)
                    return None
                os.mkdir(part, 0o777, dir_fd=fd)
                sub = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                if not create:  # a link (ELOOP) or a file (ENOTDIR) where a directory belongs
                    os.close(fd)
                    return None
                os.unlink(part, dir_fd=fd)
                os.mkdir(part, 0o777, dir_fd=fd)
                sub = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
    except BaseException:
        os.close(fd)
        raise
    return fd


def _remove(parent: int, name: str, *, directories: bool, keep_files: bool = False) -> None:
    """Remove ``name`` in ``parent`` (a link itself, never its target); a directory only with ``directories``
    (with everything in it, links inside removed and never followed); a file or a link not with ``keep_files``."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        if directories:
            shutil.rmtree(name, dir_fd=parent)
    elif not keep_files:
        os.unlink(name, dir_fd=parent)
