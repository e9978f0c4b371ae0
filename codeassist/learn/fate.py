"""What became of a commit codeassist made: kept, undone, reverted, rewritten or discarded.

Checked lazily, from git alone, the next time the record is opened:

- ``undone``: no longer on HEAD, and HEAD's reflog has ``codeassist undo``
  moving away from it;
- ``reverted``: a later commit on HEAD says "This reverts commit <sha>";
- ``rewritten``: later commits on HEAD replaced more than half of the lines
  it added (``git blame`` of HEAD attributes fewer than half to it);
- ``discarded``: on no branch at all any more (reset away, rebased);
- ``kept``: otherwise (it may still change: checked again when HEAD moves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.git import git_path, head_sha, is_ancestor, run_git

FINAL = frozenset({"undone", "reverted", "discarded"})


@dataclass(frozen=True)
class Fate:
    fate: str
    detail: str = ""


def _exists(root: Path, sha: str) -> bool:
    return run_git(root, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0


def _undone(root: Path, sha: str) -> bool:
    """HEAD's reflog holds a ``codeassist undo`` entry that moved away from ``sha``."""
    try:
        lines = git_path(root, "logs/HEAD").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    for line in lines:
        head, _, message = line.partition("\t")
        if message.strip() == "codeassist undo" and head.split(" ", 1)[0] == sha:
            return True
    return False


def _survival(root: Path, sha: str, paths: Sequence[str]) -> tuple[int, int]:
    """(lines ``sha`` added to ``paths``, of those still attributed to it by ``git blame`` of HEAD)."""
    added = 0
    numstat = run_git(root, "diff", "--numstat", f"{sha}^", sha, "--", *paths, check=False, literal_paths=True)
    for line in numstat.stdout.decode("utf-8", "replace").splitlines():
        first = line.split("\t", 1)[0]
        added += int(first) if first.isdigit() else 0
    alive = 0
    for path in paths:
        blame = run_git(root, "blame", "--line-porcelain", "HEAD", "--", path, check=False, literal_paths=True)
        if blame.returncode != 0:
            continue  # the file is gone from HEAD: none of its lines survive
        alive += sum(1 for line in blame.stdout.splitlines() if line.startswith(sha.encode()))
    return added, alive


def _reverted_by(root: Path, sha: str) -> str | None:
    proc = run_git(root, "log", "--format=%H", f"--grep=This reverts commit {sha}", f"{sha}..HEAD", check=False)
    found = proc.stdout.decode().split()
    return found[-1] if found else None


def commit_fate(root: Path, sha: str, paths: Sequence[str]) -> Fate:
    """The fate of ``sha`` in the repository at ``root`` as of now."""
    if not _exists(root, sha):
        return Fate("undone") if _undone(root, sha) else Fate("discarded", "the commit no longer exists")
    head = head_sha(root)
    if head is not None and is_ancestor(root, sha, head):
        revert = _reverted_by(root, sha)
        if revert:
            return Fate("reverted", f"by {revert[:10]}")
        later = run_git(root, "rev-list", "--count", f"{sha}..HEAD", "--", *paths, check=False, literal_paths=True)
        if not paths or later.stdout.strip() == b"0":
            return Fate("kept")  # nothing since touched its files: no blame needed
        added, alive = _survival(root, sha, paths)
        if added and alive * 2 < added:
            return Fate("rewritten", f"{alive} of {added} added lines remain")
        return Fate("kept", f"{alive} of {added} added lines remain" if added else "")
    if _undone(root, sha):
        return Fate("undone")
    branches = run_git(root, "branch", "--format=%(refname)", "--contains", sha, check=False)
    if branches.returncode == 0 and branches.stdout.strip():
        return Fate("kept", "on another branch")
    return Fate("discarded", "on no branch")
