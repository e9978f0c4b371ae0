"""The engine the CLI and the edit loop share: parse, protect the user's work, apply, commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeassist.backends.base import ToolCall
from codeassist.config import load_settings
from codeassist.edits.engine import summary_message
from codeassist.edits.types import Edit
from codeassist.errors import GitError, TaskFailed
from codeassist.transaction import apply_reply, land_edits
from tests.conftest import git
from tests.test_git import hook

REPLY = """app.py
```python
<<<<<<< SEARCH
    return 1
=======
    return 2
>>>>>>> REPLACE
```
"""


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("def main():\n    return 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def settings(root: Path, **values: object) -> object:
    return load_settings(repo_root=root, environ={}, flags=values)


def test_reply_applied_and_committed_with_summary(repo: Path) -> None:
    result = apply_reply(repo, REPLY, model="m-1")
    assert result.ok and result.commit and result.formats == ("search-replace",)
    body = git(repo, "log", "-1", "--format=%B")
    assert body.startswith("codeassist: Edit app.py") and "Co-authored-by: codeassist (m-1)" in body
    assert result.feedback() == ""


def test_caller_message_and_settings(repo: Path) -> None:
    hook(repo, "pre-commit", "exit 1\n")
    s = settings(repo, attribution=False, verify_hooks=False)
    result = apply_reply(repo, REPLY, message="Make main return 2", settings=s)  # type: ignore[arg-type]
    assert result.ok and result.commit
    assert git(repo, "log", "-1", "--format=%B").strip() == "Make main return 2"


def test_tool_calls(repo: Path) -> None:
    args = json.dumps({"path": "app.py", "old_text": "    return 1\n", "new_text": "    return 3\n"})
    result = apply_reply(repo, "", tool_calls=[ToolCall("c1", "replace_in_file", args)], commit=False)
    assert result.ok and (repo / "app.py").read_text().endswith("return 3\n")


def test_parse_issues_refuse_everything(repo: Path) -> None:
    truncated = REPLY + "\nother.py\n```python\n<<<<<<< SEARCH\nx = 1\n"
    result = apply_reply(repo, truncated)
    assert not result.ok and result.issues and not result.written
    assert (repo / "app.py").read_text().endswith("return 1\n")
    assert "could not be read" in result.feedback()


@pytest.mark.parametrize("reply", ["", "no edits here", "\0\0\0"])
def test_replies_without_edits(repo: Path, reply: str) -> None:
    result = apply_reply(repo, reply)
    assert not result.ok and result.issues and not result.written


def test_huge_reply_refused(repo: Path) -> None:
    result = apply_reply(repo, REPLY + "x" * 9_000_000)
    assert not result.ok and "too large" in result.issues[0].message


def test_no_commit_keeps_user_version_in_stash(repo: Path) -> None:
    (repo / "app.py").write_text("def main():\n    return 1\n# mine\n")
    result = apply_reply(repo, REPLY, commit=False)
    assert result.ok and result.written and not result.commit and result.user_commit
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n# mine\n"
    assert "codeassist" in git(repo, "stash", "list")
    assert git(repo, "show", f"{result.user_commit}:app.py").endswith("# mine\n")


def test_no_commit_refuses_to_overwrite_untracked_user_file(repo: Path) -> None:
    (repo / "notes.txt").write_text("mine\n")
    with pytest.raises(TaskFailed, match="does not track"):
        land_edits(repo, [Edit("notes.txt", "write", new="ours\n")], commit=False)
    assert (repo / "notes.txt").read_text() == "mine\n"


def test_dry_run_writes_nothing(repo: Path) -> None:
    result = apply_reply(repo, REPLY, dry_run=True)
    assert result.ok and not result.written and "+    return 2" in result.diff
    assert git(repo, "status", "--porcelain") == ""


def test_failed_save_commit_writes_nothing(repo: Path) -> None:
    (repo / "app.py").write_text("def main():\n    return 1\n# mine\n")
    hook(repo, "pre-commit", "echo no >&2\nexit 1\n")
    with pytest.raises(GitError):
        apply_reply(repo, REPLY)
    assert (repo / "app.py").read_text() == "def main():\n    return 1\n# mine\n"


def test_summary_message_is_deterministic() -> None:
    from codeassist.edits.apply import Applied

    applied = [Applied("a.py", "create", "create"), Applied("b.py", "create", "create")]
    assert summary_message(applied, ["a.py", "b.py"]).splitlines()[0] == "codeassist: Create a.py, b.py"
    many = [f"f{i}.py" for i in range(5)]
    assert "and 2 more" in summary_message([Applied("f0.py", "replace", "exact")], many)


def test_staged_version_kept_when_saving_pending_work(repo: Path) -> None:
    (repo / "app.py").write_text("def main():\n    return 1\n# staged\n")
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("def main():\n    return 1\n# staged\n# and more\n")
    result = apply_reply(repo, REPLY)
    assert result.ok and result.user_commit
    refs = git(repo, "for-each-ref", "--format=%(refname)", "refs/codeassist/staged/").split()
    assert len(refs) == 1
    assert git(repo, "show", f"{refs[0]}:app.py").endswith("# staged\n")


def test_whole_file_under_a_bare_name_refuses_the_whole_reply(repo: Path) -> None:
    reply = "app.py\n```python\ndef main():\n    return 5\n```\n\nrun\n```sh\nexec python app.py\n```\n"
    result = apply_reply(repo, reply)
    assert not result.ok and not result.written and result.issues[0].path == "run"
    assert (repo / "app.py").read_text().endswith("return 1\n") and not (repo / "run").exists()


def test_whole_makefile_applied_with_the_other_file(repo: Path) -> None:
    reply = "app.py\n```python\ndef main():\n    return 5\n```\n\nMakefile\n```makefile\nall:\n\tpython app.py\n```\n"
    result = apply_reply(repo, reply, commit=False)
    assert result.ok and (repo / "Makefile").read_text() == "all:\n\tpython app.py\n"
    assert (repo / "app.py").read_text().endswith("return 5\n")
