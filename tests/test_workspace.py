"""The Workspace's rules in real repositories: finding the root, the file rule, the path rule, the lock, HEAD."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git

from codeassist.errors import GitError, UsageError
from codeassist.filerule import IgnoreRule, hidden_reason, secret_store_reason
from codeassist.git import find_git_dirs, head_sha, read_head
from codeassist.repo_lock import RepoLock
from codeassist.workspace import Workspace


def test_the_root_is_found_without_git_from_any_depth(git_repo: Path) -> None:
    deep = git_repo / "a" / "b"
    deep.mkdir(parents=True)
    assert find_git_dirs(deep, {}) == (git_repo.resolve(), git_repo.resolve() / ".git")
    assert Workspace.open(deep).start == deep.resolve()


def test_a_linked_worktree_has_its_own_git_dir_and_shares_refs(git_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "wt"
    git(git_repo, "worktree", "add", "-q", "-b", "side", str(other))
    root, git_dir = find_git_dirs(other, {}) or (None, None)
    assert root == other.resolve() and git_dir is not None and git_dir.name == "wt"
    assert read_head(git_dir) == head_sha(other)
    (other / "n.txt").write_text("n\n")
    git(other, "add", "n.txt")
    git(other, "commit", "-q", "-m", "n")
    assert read_head(git_dir) == head_sha(other) != head_sha(git_repo)


def test_head_from_packed_refs_and_before_the_first_commit(git_repo: Path, tmp_path: Path) -> None:
    git(git_repo, "pack-refs", "--all")
    assert read_head(git_repo / ".git") == head_sha(git_repo)
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    assert read_head(empty / ".git") is None
    assert Workspace.open(empty).head() is None


def test_outside_a_repository(tmp_path: Path) -> None:
    assert Workspace.find(tmp_path) is None
    with pytest.raises(GitError, match="not a git repository"):
        Workspace.open(tmp_path)


@pytest.mark.parametrize(
    "name",
    [".env", ".env.production", "config/prod.env", "id_rsa", "keys/server.pem", "tls.key", "credentials",
     ".aws/credentials", ".netrc", "client_secret.json", "store.p12"],
)
def test_secret_stores_by_name(name: str) -> None:
    assert secret_store_reason(name) is not None


@pytest.mark.parametrize(
    "name", [".env.example", ".env.sample", "id_rsa.pub", "environment.py", "keys.py", "README.md"]
)
def test_not_secret_stores(name: str) -> None:
    assert secret_store_reason(name) is None


def test_secret_stores_by_content() -> None:
    assert secret_store_reason("deploy/notes.txt", b"-----BEGIN RSA PRIVATE KEY-----\nMII...") is not None
    assert secret_store_reason("app.ini", b"[db]\nDB_PASSWORD=hunter2hunter2\n") is not None
    assert secret_store_reason("app.ini", b"[db]\nDB_PASSWORD=\n") is None  # no value: a template
    # Code that names a secret is code.
    assert secret_store_reason("settings.py", b"API_KEY = os.environ['API_KEY']\n") is None


def test_the_file_rule_hides_ignored_secret_and_own_files(git_repo: Path) -> None:
    for name, text in {
        ".codeassistignore": "gen/\n*.snap\n",
        "gen/out.py": "X = 1\n",
        "a.snap": "snap\n",
        "id_ed25519": "key\n",
        ".codeassist.toml": "api_key = 'sk-x'\n",
        "keep.py": "K = 1\n",
    }.items():
        (git_repo / name).parent.mkdir(parents=True, exist_ok=True)
        (git_repo / name).write_text(text)
    ws = Workspace.open(git_repo)
    assert ws.files() == [".codeassistignore", "README.md", "keep.py"]
    assert "codeassistignore" in (ws.hidden_reason("gen/out.py") or "")
    assert "secret" in (ws.hidden_reason("id_ed25519") or "")
    assert "own configuration" in (ws.hidden_reason(".codeassist.toml") or "")
    assert ws.hidden_reason(".git/config") is not None
    assert ws.hidden_reason("keep.py") is None
    assert hidden_reason("x/.git/HEAD", IgnoreRule(None)) is not None


def test_the_index_lists_what_the_file_rule_shows(git_repo: Path) -> None:
    from codeassist.index.indexer import refresh_index

    (git_repo / "id_rsa").write_text("key\n")
    (git_repo / "lib.py").write_text("def f():\n    return 1\n")
    stats = refresh_index(git_repo)
    assert stats.files == 1  # lib.py (README.md is listed, in no language the index parses)
    assert stats.skipped == {"hidden": 1, "unknown_language": 1}


def test_typed_paths_resolve_from_where_they_were_typed(git_repo: Path, tmp_path: Path) -> None:
    (git_repo / "sub").mkdir()
    ws = Workspace.open(git_repo / "sub")
    assert ws.typed("a.py") == "sub/a.py"
    assert ws.typed("../README.md") == "README.md"
    assert ws.typed(git_repo / "sub" / "x" / "y.py") == "sub/x/y.py"
    with pytest.raises(UsageError, match="not inside the repository"):
        ws.typed("../../elsewhere.py")
    os.symlink(tmp_path, git_repo / "sub" / "out")
    with pytest.raises(UsageError):
        ws.typed("out/x.py")


def test_the_lock_is_exclusive_and_released_by_a_dead_holder(git_repo: Path) -> None:
    first = RepoLock(git_repo / ".git", wait_s=0)
    assert first.acquire() is False and first.held
    second = RepoLock(git_repo / ".git", wait_s=0)
    with pytest.raises(GitError, match=f"pid {os.getpid()}"):
        second.acquire()
    first.release()
    assert second.acquire() is False
    second.release()
    # A holder that dies without releasing: the kernel drops its lock.
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        RepoLock(git_repo / ".git", wait_s=0).acquire()
        os._exit(0)
    os.waitpid(pid, 0)
    third = RepoLock(git_repo / ".git", wait_s=0)
    third.acquire()
    third.release()
