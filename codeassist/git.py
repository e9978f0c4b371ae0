"""Git access for codeassist.

Plain ``git`` subprocesses on hot paths; GitPython where it adds something,
always closed after use (it leaves ``git cat-file`` children otherwise).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from codeassist.errors import GitError


def run_git(root: Path, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C root args...``; raise GitError with git's message on failure."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(f"git {args[0]}: {msg}")
    return proc


def find_repo_root(start: Path) -> Path | None:
    """The work tree root containing ``start``, or None outside a git repository."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
            capture_output=True,
            check=False,
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    if proc.returncode != 0:
        return None
    out = proc.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(out) if out else None
