"""``undo_last``: the happy paths restore the exact prior state; every refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeassist.commits import NOTES_REF, commit_paths, undo_last
from codeassist.edits.types import Edit
from codeassist.errors import GitError, TaskFailed
from codeassist.git import head_sha
from codeassist.transaction import land_edits
from tests.conftest import git
from tests.test_git import hook


def snapshot(root: Path) -> tuple[str | None, str, dict[str, bytes]]:
    """HEAD, the whole index, and every work-tree file's bytes (outside .git)."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    return head_sha(root), git(root, "ls-files", "-s"), files


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(text.encode())


@pytest.fixture
def repo(git_repo: Path) -> Path:
    write(git_repo, "app.py", "def main():\n    return 1\n")
    write(git_repo, "lib.py", "X = 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def land(root: Path, *edits: Edit, **kw: object) -> str:
    result = land_edits(root, edits, **kw)  # type: ignore[arg-type]
    assert result.ok and result.commit, result
    return result.commit


def test_undo_restores_exact_state(repo: Path) -> None:
    before = snapshot(repo)
    land(repo, Edit("app.py", "write", new="def main():\n    return 2\n"), Edit("new.py", "create", new="N = 1\n"))
    assert snapshot(repo) != before
    result = undo_last(repo)
    assert snapshot(repo) == before
    assert result.paths == ("app.py", "new.py")
    assert git(repo, "notes", "--ref", NOTES_REF, "list") == ""


def test_undo_restores_users_pending_and_staged_work(repo: Path) -> None:
    # Staged one version, then kept editing: both must come back exactly.
    write(repo, "app.py", "def main():\n    return 10\n")
    git(repo, "add", "app.py")
    write(repo, "app.py", "def main():\n    return 11\r\n")
    write(repo, "notes.txt", "untracked user file\n")
    write(repo, "lib.py", "X = 'staged, unrelated'\n")
    git(repo, "add", "lib.py")
    before = snapshot(repo)
    result = land_edits(
        repo, [Edit("app.py", "write", new="def main():\n    return 3\n"), Edit("notes.txt", "write", new="ours\n")]
    )
    assert result.ok and result.user_commit and result.commit
    saved = git(repo, "show", f"{result.user_commit}:app.py")
    assert "return 11" in saved
    assert "save your uncommitted changes" in git(repo, "log", "-1", "--format=%s", result.user_commit)
    undone = undo_last(repo)
    assert undone.reverted == (result.commit, result.user_commit)
    assert snapshot(repo) == before


def test_undo_of_first_commit_in_empty_repo(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "user.txt", "staged by the user\n")
    git(tmp_path, "add", "user.txt")
    before = snapshot(tmp_path)
    land(tmp_path, Edit("hello.py", "create", new="print('hi')\n"))
    undo_last(tmp_path)
    assert snapshot(tmp_path) == before
    assert head_sha(tmp_path) is None


def test_undo_on_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    before = snapshot(repo)
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    undo_last(repo)
    assert snapshot(repo) == before


def test_undo_twice_reverts_two_commits(repo: Path) -> None:
    before = snapshot(repo)
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    land(repo, Edit("lib.py", "write", new="X = 3\n"))
    undo_last(repo)
    undo_last(repo)
    assert snapshot(repo) == before
    with pytest.raises(TaskFailed, match="not made by codeassist"):
        undo_last(repo)


def refuses(root: Path, match: str, error: type[Exception] = TaskFailed) -> None:
    before = snapshot(root)
    with pytest.raises(error, match=match):
        undo_last(root)
    assert snapshot(root) == before


def test_refuses_when_head_is_not_ours(repo: Path) -> None:
    refuses(repo, "not made by codeassist")
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    write(repo, "other.txt", "user\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-q", "-m", "user commit on top")
    refuses(repo, "not made by codeassist")


def test_refuses_in_repo_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    refuses(tmp_path, "no commits")


def test_refuses_merge(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    write(repo, "side.txt", "s\n")
    git(repo, "add", "side.txt")
    git(repo, "commit", "-q", "-m", "side")
    git(repo, "checkout", "-q", "main")
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    # Even a merge carrying codeassist's note is refused.
    commit_sha = head_sha(repo)
    assert commit_sha
    git(repo, "notes", "--ref", NOTES_REF, "add", "-m", '{"codeassist": 1, "kind": "edit", "paths": []}', commit_sha)
    refuses(repo, "merge commit")


def test_refuses_pushed_commit(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    git(repo, "push", "-q", "-u", "origin", "main")
    refuses(repo, "already on origin/main")


def test_refuses_commit_pushed_without_an_upstream(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    git(repo, "push", "-q", "origin", "main")  # no -u: the branch has no upstream
    before = snapshot(repo)
    refuses(repo, "already on origin/main")
    assert snapshot(repo) == before


def test_cli_undo_refuses_commit_pushed_without_an_upstream(repo: Path, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    reply = tmp_path / "reply.md"
    reply.write_text("*** Begin Patch\n*** Update File: lib.py\n@@\n-X = 1\n+X = 2\n*** End Patch\n")
    cli = [sys.executable, "-m", "codeassist", "-C", str(repo)]
    assert subprocess.run([*cli, "apply", str(reply)], capture_output=True).returncode == 0
    git(repo, "push", "-q", "origin", "main")
    before = snapshot(repo)
    proc = subprocess.run([*cli, "undo", "--json"], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert out["reverted"] == [] and "already on origin/main" in out["errors"][0]
    assert snapshot(repo) == before and git(str(remote), "rev-parse", "main") == git(repo, "rev-parse", "HEAD")


def test_refuses_commit_another_remote_branch_contains(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "backup", str(remote))
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    git(repo, "push", "-q", "backup", "HEAD:refs/heads/wip")
    refuses(repo, "already on backup/wip")


def test_refuses_when_files_changed_since(repo: Path) -> None:
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    write(repo, "lib.py", "X = 'user kept going'\n")
    refuses(repo, "changed since")
    git(repo, "add", "lib.py")  # staged only is a change too
    refuses(repo, "changed since")


def test_refuses_when_deleted_file_reappears(repo: Path) -> None:
    land(repo, Edit("lib.py", "delete"))
    write(repo, "lib.py", "new user content\n")
    refuses(repo, "changed since")


def test_locked_index_is_git_error(repo: Path) -> None:
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    (repo / ".git" / "index.lock").write_text("")
    refuses(repo, "index.lock", GitError)


def test_unrelated_user_changes_survive_undo(repo: Path) -> None:
    land(repo, Edit("lib.py", "write", new="X = 2\n"))
    write(repo, "app.py", "user edit after our commit\n")
    write(repo, "scratch.txt", "scratch\n")
    undo_last(repo)
    assert (repo / "app.py").read_text() == "user edit after our commit\n"
    assert (repo / "scratch.txt").read_text() == "scratch\n"
    assert (repo / "lib.py").read_text() == "X = 1\n"


def test_undo_save_commit_alone_keeps_user_work(repo: Path) -> None:
    # The edit commit was rejected by a hook after the save commit went in.
    write(repo, "lib.py", "X = 'pending'\n")
    before = snapshot(repo)
    hook(repo, "commit-msg", 'grep -q "^save" "$1" && exit 0\ngrep -q "save your" "$1" || exit 1\n')
    result = land_edits(repo, [Edit("lib.py", "write", new="X = 'ours'\n")])
    assert result.user_commit and not result.commit and result.commit_error
    assert (repo / "lib.py").read_text() == "X = 'ours'\n"
    refuses(repo, "changed since")  # our applied edit is still uncommitted in lib.py
    write(repo, "lib.py", "X = 'pending'\n")
    undo_last(repo)
    assert snapshot(repo) == before


def test_renamed_file_undo(repo: Path) -> None:
    before = snapshot(repo)
    land(repo, Edit("lib.py", "rename", new_path="pkg/lib2.py"))
    assert not (repo / "lib.py").exists() and (repo / "pkg" / "lib2.py").read_text() == "X = 1\n"
    undo_last(repo)
    assert snapshot(repo) == before


def test_commit_paths_direct_then_undo(repo: Path) -> None:
    write(repo, "lib.py", "X = 5\n")
    before_index = git(repo, "ls-files", "-s")
    commit_paths(repo, ["lib.py"], "direct")
    undo_last(repo)
    assert git(repo, "ls-files", "-s") == before_index
    assert (repo / "lib.py").read_text() == "X = 1\n"


def test_odd_path_names_round_trip(repo: Path) -> None:
    write(repo, "dir with space/ünï côde.py", "A = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "odd names")
    write(repo, "dir with space/ünï côde.py", "A = 'pending'\n")
    before = snapshot(repo)
    land(repo, Edit("dir with space/ünï côde.py", "write", new="A = 2\n"), Edit("new [1].py", "create", new="B\n"))
    undo_last(repo)
    assert snapshot(repo) == before
