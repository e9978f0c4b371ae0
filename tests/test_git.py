"""git.py and commits.py against real repositories, real commits and real hooks."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from codeassist.commits import TRAILER_EMAIL, commit_paths, read_record
from codeassist.errors import GitError
from codeassist.git import check_not_locked, dirty_paths, head_sha, index_entries, require_repo
from tests.conftest import git


def hook(root: Path, name: str, body: str) -> None:
    path = root / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def committed_files(root: Path, rev: str = "HEAD") -> list[str]:
    return git(root, "show", "--name-only", "--format=", rev).split()


def test_require_repo_outside_is_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        require_repo(tmp_path)
    assert info.value.exit_code == 5


def test_locked_index_names_the_lock(git_repo: Path) -> None:
    lock = git_repo / ".git" / "index.lock"
    lock.write_text("")
    with pytest.raises(GitError) as info:
        check_not_locked(git_repo)
    assert str(lock) in info.value.message and info.value.exit_code == 5
    with pytest.raises(GitError):
        commit_paths(git_repo, ["README.md"], "x")


def test_dirty_paths(git_repo: Path) -> None:
    (git_repo / "clean.txt").write_text("c\n")
    (git_repo / "staged.txt").write_text("s\n")
    git(git_repo, "add", "clean.txt", "staged.txt")
    git(git_repo, "commit", "-q", "-m", "two")
    (git_repo / "staged.txt").write_text("s2\n")
    git(git_repo, "add", "staged.txt")
    (git_repo / "README.md").write_text("changed\n")
    (git_repo / "untracked.txt").write_text("u\n")
    paths = ["README.md", "clean.txt", "staged.txt", "untracked.txt", "missing.txt"]
    assert dirty_paths(git_repo, paths) == ["README.md", "staged.txt", "untracked.txt"]


def test_head_sha_of_empty_repo(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert head_sha(tmp_path) is None


def test_commit_contains_exactly_the_paths_and_the_trailer(git_repo: Path) -> None:
    (git_repo / "a.py").write_text("a\n")
    (git_repo / "b.py").write_text("b\n")
    git(git_repo, "add", "a.py", "b.py")
    git(git_repo, "commit", "-q", "-m", "base")
    (git_repo / "a.py").write_text("a2\n")
    (git_repo / "new.py").write_text("n\n")
    (git_repo / "b.py").write_text("user staged\n")
    git(git_repo, "add", "b.py")
    (git_repo / "other.txt").write_text("untracked, not ours\n")
    sha = commit_paths(git_repo, ["a.py", "new.py"], "codeassist: edit", model="gpt-x")
    assert sorted(committed_files(git_repo)) == ["a.py", "new.py"]
    body = git(git_repo, "log", "-1", "--format=%B")
    assert f"Co-authored-by: codeassist (gpt-x) <{TRAILER_EMAIL}>" in body
    # The user's staged change is still staged, not committed; the untracked file untouched.
    assert git(git_repo, "diff", "--cached", "--name-only").split() == ["b.py"]
    assert "?? other.txt" in git(git_repo, "status", "--porcelain")
    meta = read_record(git_repo, sha)
    assert meta is not None and meta["kind"] == "edit" and meta["paths"] == ["a.py", "new.py"]


def test_no_attribution(git_repo: Path) -> None:
    (git_repo / "README.md").write_text("x\n")
    commit_paths(git_repo, ["README.md"], "msg", model="m", attribution=False)
    assert "Co-authored-by" not in git(git_repo, "log", "-1", "--format=%B")


def test_deletion_is_committed(git_repo: Path) -> None:
    (git_repo / "README.md").unlink()
    commit_paths(git_repo, ["README.md"], "delete")
    assert git(git_repo, "ls-files").split() == []


def test_rejecting_hook_leaves_change_uncommitted(git_repo: Path) -> None:
    hook(git_repo, "pre-commit", "echo 'lint failed: tabs in README.md' >&2\nexit 1\n")
    before = head_sha(git_repo)
    (git_repo / "README.md").write_text("edited\n")
    (git_repo / "brand_new.py").write_text("n\n")
    with pytest.raises(GitError) as info:
        commit_paths(git_repo, ["README.md", "brand_new.py"], "msg")
    assert "lint failed: tabs in README.md" in info.value.message
    assert head_sha(git_repo) == before
    assert (git_repo / "README.md").read_text() == "edited\n"
    # The new file went back to untracked: nothing of ours is left staged.
    assert index_entries(git_repo, ["brand_new.py"]) == []
    assert (git_repo / "brand_new.py").read_text() == "n\n"


def test_verify_false_skips_hooks(git_repo: Path) -> None:
    hook(git_repo, "pre-commit", "exit 1\n")
    (git_repo / "README.md").write_text("edited\n")
    commit_paths(git_repo, ["README.md"], "msg", verify=False)
    assert committed_files(git_repo) == ["README.md"]


def test_modifying_hook_result_is_committed(git_repo: Path) -> None:
    # A formatter-style hook: rewrites the file and stages it again.
    hook(git_repo, "pre-commit", "printf 'formatted\\n' > README.md\ngit add README.md\n")
    (git_repo / "README.md").write_text("raw\n")
    commit_paths(git_repo, ["README.md"], "msg")
    assert git(git_repo, "show", "HEAD:README.md") == "formatted\n"
    assert (git_repo / "README.md").read_text() == "formatted\n"


def test_commit_msg_hook_sees_trailer(git_repo: Path) -> None:
    hook(git_repo, "commit-msg", 'grep -q "Co-authored-by: codeassist" "$1" || exit 1\n')
    (git_repo / "README.md").write_text("x\n")
    commit_paths(git_repo, ["README.md"], "msg", model="m")


def test_commit_in_empty_repo(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "first.py").write_text("1\n")
    (tmp_path / "staged_by_user.py").write_text("u\n")
    git(tmp_path, "add", "staged_by_user.py")
    commit_paths(tmp_path, ["first.py"], "first")
    assert committed_files(tmp_path) == ["first.py"]
    assert git(tmp_path, "diff", "--cached", "--name-only").split() == ["staged_by_user.py"]


def test_commit_on_detached_head(git_repo: Path) -> None:
    git(git_repo, "checkout", "-q", "--detach")
    (git_repo / "README.md").write_text("x\n")
    sha = commit_paths(git_repo, ["README.md"], "detached")
    assert git(git_repo, "rev-parse", "HEAD").strip() == sha


def test_odd_file_names_are_literal(git_repo: Path) -> None:
    (git_repo / "*.py").write_text("star\n")
    (git_repo / "keep.py").write_text("k\n")
    commit_paths(git_repo, ["*.py"], "odd name")
    assert committed_files(git_repo) == ["*.py"]


def test_nothing_to_commit_is_git_error(git_repo: Path) -> None:
    with pytest.raises(GitError):
        commit_paths(git_repo, ["README.md"], "unchanged")
    with pytest.raises(GitError):
        commit_paths(git_repo, [], "none")


def test_stash_backup_leaves_work_tree_alone(git_repo: Path) -> None:
    from codeassist.git import stash_backup

    assert stash_backup(git_repo, "nothing to keep") is None
    (git_repo / "README.md").write_text("pending\n")
    sha = stash_backup(git_repo, "keep this")
    assert sha and (git_repo / "README.md").read_text() == "pending\n"
    assert "keep this" in git(git_repo, "stash", "list")
    assert git(git_repo, "show", f"{sha}:README.md") == "pending\n"


def test_keep_staged_only_when_staged_differs_from_work_tree(git_repo: Path) -> None:
    from codeassist.commits import keep_staged

    (git_repo / "README.md").write_text("staged\n")
    git(git_repo, "add", "README.md")
    assert keep_staged(git_repo, ["README.md"]) is None  # the work tree holds the same version
    (git_repo / "README.md").write_text("staged\nand more\n")
    ref = keep_staged(git_repo, ["README.md"])
    assert ref and git(git_repo, "show", f"{ref}:README.md") == "staged\n"
