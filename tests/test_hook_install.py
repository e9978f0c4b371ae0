"""``codeassist hook install/uninstall``: where hooks go, chaining and restoring, refusals, idempotence."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.hook_fixtures import codeassist, commit, stage

PREVIOUS = "#!/bin/sh\necho previous-hook-ran >&2\nexit 0\n"


def write_hook(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_install_records_the_interpreter_and_is_idempotent(git_repo: Path) -> None:
    first = codeassist(git_repo, "hook", "install")
    assert first.returncode == 0 and "installed" in first.stdout
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    text = hook.read_text()
    assert sys.executable in text and os.access(hook, os.X_OK)
    again = codeassist(git_repo, "hook", "install")
    assert again.returncode == 0 and "updated" in again.stdout
    assert hook.read_text() == text
    assert not (git_repo / ".git" / "hooks" / "pre-commit.codeassist-previous").exists()


def test_existing_hook_is_chained_and_restored_on_uninstall(git_repo: Path) -> None:
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    write_hook(hook, PREVIOUS)
    mode = hook.stat().st_mode
    assert codeassist(git_repo, "hook", "install").returncode == 0
    assert codeassist(git_repo, "hook", "install").returncode == 0  # twice: the kept hook is not overwritten
    stage(git_repo, {"a.py": "A = 1\n"})
    proc = commit(git_repo)
    assert proc.returncode == 0 and "previous-hook-ran" in proc.stderr
    stage(git_repo, {"a.py": "A = (\n"})
    proc = commit(git_repo)
    assert proc.returncode != 0 and "previous-hook-ran" in proc.stderr and "a.py:1" in proc.stderr

    out = codeassist(git_repo, "hook", "uninstall")
    assert out.returncode == 0 and "restored" in out.stdout
    assert hook.read_text() == PREVIOUS and hook.stat().st_mode == mode
    assert not (git_repo / ".git" / "hooks" / "pre-commit.codeassist-previous").exists()


def test_a_failing_previous_hook_still_stops_the_commit(git_repo: Path) -> None:
    write_hook(git_repo / ".git" / "hooks" / "pre-commit", "#!/bin/sh\necho no >&2\nexit 3\n")
    assert codeassist(git_repo, "hook", "install").returncode == 0
    stage(git_repo, {"a.py": "A = 1\n"})
    proc = commit(git_repo)
    assert proc.returncode != 0 and "no" in proc.stderr


def test_uninstall_without_a_previous_hook_removes_ours_and_leaves_others(git_repo: Path) -> None:
    assert codeassist(git_repo, "hook", "install", "--commit-msg").returncode == 0
    hooks = git_repo / ".git" / "hooks"
    assert (hooks / "prepare-commit-msg").exists()
    write_hook(hooks / "commit-msg", PREVIOUS)
    out = codeassist(git_repo, "hook", "uninstall")
    assert out.returncode == 0
    assert not (hooks / "pre-commit").exists() and not (hooks / "prepare-commit-msg").exists()
    assert (hooks / "commit-msg").read_text() == PREVIOUS


def test_uninstall_leaves_a_hook_that_is_not_ours(git_repo: Path) -> None:
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    write_hook(hook, PREVIOUS)
    out = codeassist(git_repo, "hook", "uninstall")
    assert out.returncode == 0 and "left alone" in out.stdout
    assert hook.read_text() == PREVIOUS


def test_core_hooks_path_is_honoured(git_repo: Path) -> None:
    git(git_repo, "config", "core.hooksPath", "githooks")
    assert codeassist(git_repo, "hook", "install").returncode == 0
    assert (git_repo / "githooks" / "pre-commit").exists()
    assert not (git_repo / ".git" / "hooks" / "pre-commit").exists()
    stage(git_repo, {"b.py": "def f(:\n"})
    proc = commit(git_repo)
    assert proc.returncode != 0 and "b.py:1" in proc.stderr


def test_linked_worktree_uses_the_shared_hooks(git_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "wt"
    git(git_repo, "worktree", "add", "-q", "-b", "side", str(other))
    assert codeassist(other, "hook", "install").returncode == 0
    assert (git_repo / ".git" / "hooks" / "pre-commit").exists()
    stage(other, {"c.py": "def f(:\n"})
    assert commit(other).returncode != 0


def test_symlinked_hook_is_refused(git_repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "shared-hook"
    write_hook(target, PREVIOUS)
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.symlink_to(target)
    proc = codeassist(git_repo, "hook", "install")
    assert proc.returncode == 5 and "symlink" in proc.stderr
    assert target.read_text() == PREVIOUS and hook.is_symlink()


def test_outside_a_repository_is_a_git_error(tmp_path: Path) -> None:
    proc = codeassist(tmp_path, "hook", "install")
    assert proc.returncode == 5 and "not a git repository" in proc.stderr


@pytest.mark.parametrize("args", [["run", "post-merge"], ["run", "pre-commit", "--offline", "--model-review"]])
def test_bad_hook_run_arguments_are_usage_errors(git_repo: Path, args: list[str]) -> None:
    proc = codeassist(git_repo, "hook", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_uninstall_restores_the_kept_hook_even_when_ours_was_deleted(git_repo: Path) -> None:
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    write_hook(hook, PREVIOUS)
    assert codeassist(git_repo, "hook", "install").returncode == 0
    hook.unlink()
    assert codeassist(git_repo, "hook", "uninstall").returncode == 0
    assert hook.read_text() == PREVIOUS
