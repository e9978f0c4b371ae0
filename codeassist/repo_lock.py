"""One codeassist process at a time changes a work tree.

The lock is an advisory ``flock`` on ``codeassist.lock`` in the work tree's
git directory, holding the holder's pid and command for the message the
second process shows. The kernel drops it when its holder dies, so a killed
process never leaves a stale lock behind. A second process waits a bounded
time, then fails with :class:`~codeassist.errors.GitError` (exit 5).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from codeassist.errors import GitError

LOCK_NAME = "codeassist.lock"
DEFAULT_WAIT_S = 10.0
_POLL_S = 0.05


class RepoLock:
    """The lock of one work tree; ``acquire`` is idempotent within the holder."""

    def __init__(self, git_dir: Path, *, wait_s: float = DEFAULT_WAIT_S) -> None:
        self.path = git_dir / LOCK_NAME
        self.wait_s = wait_s
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock (waiting at most ``wait_s``); True when another process held it first."""
        if self._fd is not None:
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise GitError(f"cannot create the codeassist lock {self.path}: {exc.strerror}") from exc
        deadline = time.monotonic() + self.wait_s
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = True
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise GitError(
                        f"another codeassist process ({holder}) is changing this repository",
                        hint=f"waited {self.wait_s:g} s; try again when it has finished",
                    ) from None
                time.sleep(_POLL_S)
        os.ftruncate(fd, 0)
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))
        os.write(fd, f"pid {os.getpid()}: {command}\n".encode("utf-8", "replace"))
        self._fd = fd
        return waited

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 300).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"
