"""Putting back what the agent's commands changed is safe: never through a symbolic link the command left
(in a file's place or a directory's), file modes kept, committed and put back, and with commits off the
user's own untracked files are never lost. Real git repositories, real commands through the run tool."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import git

from codeassist.agent.approval import bubblewrap
from codeassist.agent.options import AgentPolicy
from codeassist.agent.specs import RUN_TOOL
from codeassist.agent.toolbox import Toolbox, ToolEnv
from codeassist.backends.base import ToolCall
from codeassist.transaction import CommitPolicy, Transaction
from codeassist.workspace import Workspace

BWRAP = bubblewrap()
ANY_COMMAND = ("*", "*&*", "*>*", "*;*", "*|*")  # shell operators need their own patterns


class Failed(Exception):
    """The request failed after its commands ran: the transaction puts everything back."""


@contextmanager
def toolbox(root: Path, *, commit: bool = True, approval: str = "auto-edit") -> Iterator[tuple[Toolbox, Transaction]]:
    policy = AgentPolicy(approval, ANY_COMMAND, 10, None, None)  # type: ignore[arg-type]
    with Workspace.open(root) as ws, Transaction(ws, CommitPolicy(commit=commit)) as tx:
        env = ToolEnv(ws=ws, tx=tx, policy=policy, tools=(RUN_TOOL,), emit=lambda *a, **k: None,
                      bwrap=BWRAP if approval == "full-auto" else None)  # fmt: skip
        box = Toolbox(env)
        try:
            yield box, tx
        finally:
            box.close()


def run(box: Toolbox, command: str) -> str:
    result = box.call(ToolCall("c1", "run", json.dumps({"command": command})))
    assert result.ok, result.text
    return result.text


def committed(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", f"add {name}")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- symbolic links (finding 1) ------------------------------------------------------------------------------
@pytest.mark.parametrize("approval", ["auto-edit", "full-auto"])
def test_a_link_a_command_left_in_a_files_place_is_replaced_and_its_target_never_written(
    git_repo: Path, tmp_path: Path, approval: str
) -> None:
    if approval == "full-auto" and BWRAP is None:
        pytest.skip("bubblewrap cannot make a sandbox here")
    committed(git_repo, "a.py", "x = 1\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the repository's\n")
    with pytest.raises(Failed), toolbox(git_repo, approval=approval) as (box, _tx):
        run(box, "echo 'x = 2' > a.py")  # a.py is now part of the change
        run(box, f"rm a.py && ln -s {outside} a.py")
        raise Failed
    assert outside.read_text() == "not the repository's\n"
    assert not (git_repo / "a.py").is_symlink() and (git_repo / "a.py").read_text() == "x = 1\n"
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_link_a_command_left_in_a_directorys_place_is_replaced_and_its_target_never_written(
    git_repo: Path, tmp_path: Path
) -> None:
    (git_repo / "src").mkdir()
    committed(git_repo, "src/a.py", "x = 1\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(Failed), toolbox(git_repo) as (box, _tx):
        run(box, "echo 'x = 2' > src/a.py")
        run(box, f"rm -r src && ln -s {elsewhere} src")
        raise Failed
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    assert not (git_repo / "src").is_symlink() and (git_repo / "src" / "a.py").read_text() == "x = 1\n"
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_directory_a_command_left_in_a_files_place_is_removed(git_repo: Path) -> None:
    committed(git_repo, "a.py", "x = 1\n")
    with pytest.raises(Failed), toolbox(git_repo) as (box, _tx):
        run(box, "echo 'x = 2' > a.py")
        run(box, "rm a.py && mkdir -p a.py/inner && echo junk > a.py/inner/f")
        raise Failed
    assert (git_repo / "a.py").read_text() == "x = 1\n"
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert not [p.name for p in git_repo.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_a_link_is_never_read_as_the_file_it_points_to(git_repo: Path, tmp_path: Path) -> None:
    """The snapshot of an edit never reads through a link in the path: the outside file is not taken for
    the original, so a restore cannot copy it into the repository either."""
    from codeassist.safe_files import read_state

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside\n")
    (git_repo / "lib").symlink_to(outside)
    (git_repo / "link.txt").symlink_to(outside / "secret.txt")
    assert read_state(git_repo, "lib/secret.txt") is None
    assert read_state(git_repo, "link.txt") is None
    state = read_state(git_repo, "README.md")
    assert state is not None and state.data == b"# demo\n"


# -- modes (finding 6) ---------------------------------------------------------------------------------------
@pytest.fixture
def scripts(git_repo: Path) -> Path:
    committed(git_repo, "a.py", "x = 1\n")
    (git_repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(git_repo / "run.sh", 0o755)
    git(git_repo, "add", "run.sh")
    git(git_repo, "commit", "-q", "-m", "add run.sh")
    return git_repo


def test_a_mode_change_alone_is_part_of_the_change_and_committed(scripts: Path) -> None:
    with toolbox(scripts) as (box, tx):
        assert "now part of your change" in run(box, "chmod +x a.py")
        assert tx.changed_paths() == ["a.py"]
        tx.commit("make a.py executable")
    assert git(scripts, "show", "--summary", "--format=", "HEAD").strip() == "mode change 100644 => 100755 a.py"
    assert git(scripts, "status", "--porcelain", "--untracked-files=all") == ""


def test_modes_are_put_back_when_the_request_fails(scripts: Path) -> None:
    with pytest.raises(Failed), toolbox(scripts) as (box, _tx):
        run(box, "chmod +x a.py && chmod -x run.sh")
        raise Failed
    assert mode(scripts / "a.py") & 0o111 == 0 and mode(scripts / "run.sh") & 0o100
    assert git(scripts, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_deleted_executable_comes_back_executable(scripts: Path) -> None:
    with pytest.raises(Failed), toolbox(scripts) as (box, _tx):
        run(box, "rm run.sh")
        raise Failed
    assert mode(scripts / "run.sh") & 0o100 and (scripts / "run.sh").read_text() == "#!/bin/sh\necho hi\n"
    assert git(scripts, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_edit_keeps_the_files_exact_mode_when_put_back(scripts: Path) -> None:
    from codeassist.edits.types import Edit

    os.chmod(scripts / "run.sh", 0o750)
    with pytest.raises(Failed), Workspace.open(scripts) as ws, Transaction(ws, CommitPolicy()) as tx:
        assert tx.land([Edit("run.sh", "replace", old="hi", new="ho")]).ok
        os.chmod(scripts / "run.sh", 0o644)
        raise Failed
    assert mode(scripts / "run.sh") == 0o750 and "echo hi" in (scripts / "run.sh").read_text()


# -- the user's untracked files with commits off (finding 7) -------------------------------------------------
def test_with_commits_off_a_command_never_takes_the_users_untracked_file(git_repo: Path) -> None:
    committed(git_repo, "a.py", "x  = 1\n")
    (git_repo / "mine.py").write_text("my  new work\n")
    os.chmod(git_repo / "mine.py", 0o600)  # private: put back, it stays private
    with toolbox(git_repo, commit=False) as (box, tx):
        text = run(box, "sed -i 's/  / /' mine.py a.py")
        assert "put back as they were (they hold the user's work" in text and "mine.py" in text
        assert "now part of your change" in text and "a.py" in text
        assert (git_repo / "mine.py").read_text() == "my  new work\n" and mode(git_repo / "mine.py") == 0o600
        run(box, "rm mine.py")  # again, and deleting it: put back again (git knows no more of its mode)
        assert tx.changed_paths() == ["a.py"]
        tx.keep()
    assert (git_repo / "mine.py").read_text() == "my  new work\n"
    assert (git_repo / "a.py").read_text() == "x = 1\n"
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all") == " M a.py\n?? mine.py\n"


def test_with_commits_off_a_failed_request_leaves_the_users_untracked_file(git_repo: Path) -> None:
    (git_repo / "mine.sh").write_text("#!/bin/sh\nmine\n")
    os.chmod(git_repo / "mine.sh", 0o755)
    with pytest.raises(Failed), toolbox(git_repo, commit=False) as (box, _tx):
        run(box, f"{Path(sys.executable).as_posix()} -c \"open('mine.sh', 'a').write('theirs\\n')\"")
        raise Failed
    assert (git_repo / "mine.sh").read_text() == "#!/bin/sh\nmine\n" and mode(git_repo / "mine.sh") & 0o100
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all") == "?? mine.sh\n"


def test_when_the_users_work_cannot_be_saved_the_command_gets_an_error_and_the_work_stays(git_repo: Path) -> None:
    """git's index is locked when codeassist would save the user's uncommitted README: the run tool says so
    (Toolbox.call never raises for it) and the user's version stays in place of the command's."""
    (git_repo / "README.md").write_text("# demo\nmy own line\n")
    with toolbox(git_repo) as (box, tx):
        text = run(box, "echo generated >> README.md && touch .git/index.lock")
        assert "index is locked" in text
        assert "the command's changes to these files of the user's were put back: README.md" in text
        (git_repo / ".git" / "index.lock").unlink()
        assert tx.changed_paths() == []
        tx.keep()
    assert (git_repo / "README.md").read_text() == "# demo\nmy own line\n"
    assert git(git_repo, "log", "--format=%s") == "initial\n"
