"""The fate of a commit codeassist made, from git alone, in real repositories."""

from __future__ import annotations

from pathlib import Path

from conftest import git

from codeassist.commits import commit_paths, undo_last
from codeassist.learn.fate import commit_fate

BODY = "".join(f"line {i}\n" for i in range(10))


def _edit(root: Path, text: str) -> str:
    (root / "f.txt").write_text(text)
    return commit_paths(root, ["f.txt"], "codeassist: change f", model="m")


def _repo(git_repo: Path) -> Path:
    (git_repo / "f.txt").write_text(BODY)
    git(git_repo, "add", "f.txt")
    git(git_repo, "commit", "-q", "-m", "f")
    return git_repo


def test_kept_then_rewritten_by_a_later_commit(git_repo: Path) -> None:
    root = _repo(git_repo)
    sha = _edit(root, BODY.replace("line 2\nline 3\n", "two\nthree\n"))
    assert commit_fate(root, sha, ["f.txt"]).fate == "kept"
    (root / "f.txt").write_text(BODY.replace("line 2\nline 3\n", "two\nthree\n") + "more\n")
    git(root, "commit", "-qam", "append")  # touches the file, not the lines: still kept
    assert commit_fate(root, sha, ["f.txt"]).fate == "kept"
    (root / "f.txt").write_text(BODY.replace("line 2\nline 3\n", "TWO\nthree\n") + "more\n")
    git(root, "commit", "-qam", "rewrite")  # one of its two lines survives: half is not less than half
    assert commit_fate(root, sha, ["f.txt"]).fate == "kept"
    (root / "f.txt").write_text(BODY + "more\n")
    git(root, "commit", "-qam", "put the old lines back")
    fate = commit_fate(root, sha, ["f.txt"])
    assert (fate.fate, fate.detail) == ("rewritten", "0 of 2 added lines remain")


def test_reverted_undone_and_discarded(git_repo: Path) -> None:
    root = _repo(git_repo)
    sha = _edit(root, BODY + "added\n")
    git(root, "revert", "--no-edit", sha)
    assert commit_fate(root, sha, ["f.txt"]).fate == "reverted"

    undone = _edit(root, BODY + "again\n")
    undo_last(root)
    assert commit_fate(root, undone, ["f.txt"]).fate == "undone"

    dropped = _edit(root, BODY + "third\n")
    git(root, "reset", "-q", "--hard", "HEAD~1")
    assert commit_fate(root, dropped, ["f.txt"]).fate == "discarded"
    git(root, "branch", "keep", dropped)
    assert commit_fate(root, dropped, ["f.txt"]).fate == "kept"
