"""Recent commits' files, kept in the index cache by HEAD: the same answer as asking git, every time HEAD moves."""

from __future__ import annotations

import marshal
from pathlib import Path

from conftest import git

from codeassist.index.cache import IndexCache
from codeassist.repomap.recent import FORMAT, committed_files, history_key, recent_files


def commit(root: Path, name: str, text: str = "x = 1\n") -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)
    git(root, "add", name)
    git(root, "commit", "-qm", f"touch {name}")


def test_stored_by_head_and_asked_again_when_head_moves(git_repo: Path) -> None:
    commit(git_repo, "a.py")
    cache = IndexCache.open(git_repo)
    try:
        first = recent_files(git_repo, ("dirty.py",), cache)
        assert "a.py" in first and "dirty.py" in first
        assert recent_files(git_repo, (), cache) == committed_files(git_repo)
        key = history_key(git_repo)
        assert key is not None and cache.get_graph(key, "recent", "", FORMAT) is not None

        commit(git_repo, "pkg/b.py")  # a new HEAD: git is asked, not the stored answer
        assert history_key(git_repo) != key
        assert "pkg/b.py" in recent_files(git_repo, (), cache)
        assert recent_files(git_repo, (), cache) == committed_files(git_repo)

        git(git_repo, "reset", "-q", "--hard", "HEAD~1")  # back to a HEAD whose row was replaced
        assert recent_files(git_repo, (), cache) == committed_files(git_repo)
        assert "pkg/b.py" not in recent_files(git_repo, (), cache)
    finally:
        cache.close()


def test_the_stored_answer_is_what_a_warm_process_uses(git_repo: Path) -> None:
    commit(git_repo, "a.py")
    cache = IndexCache.open(git_repo)
    try:
        key = history_key(git_repo)
        assert key is not None
        # A row for this HEAD is taken as is (no git log): prove it with a row git would not give.
        cache.put_graph(key, "recent", "", FORMAT, marshal.dumps(("stored.py",)))
        assert recent_files(git_repo, ("dirty.py",), cache) == ("dirty.py", "stored.py")
        # A damaged or foreign row is ignored and replaced by git's answer.
        for bad in (b"", b"\xe9" * 16, marshal.dumps([1, 2]), marshal.dumps((1,))):
            cache.put_graph(key, "recent", "", FORMAT, bad)
            assert recent_files(git_repo, (), cache) == committed_files(git_repo)
    finally:
        cache.close()


def test_no_commits_or_no_git(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q", "-b", "main")
    cache = IndexCache.open(fresh)
    try:
        assert history_key(fresh) is None  # no commit yet: nothing stored
        assert recent_files(fresh, ("new.py",), cache) == ("new.py",)
    finally:
        cache.close()
    plain = tmp_path / "plain"
    plain.mkdir()
    assert history_key(plain) is None
    assert recent_files(plain, ("x.py",)) == ("x.py",)
