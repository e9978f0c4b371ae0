"""apply_edits: all or nothing, faithful bytes, every action, git apply for diffs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codeassist.edits.apply import ApplyResult, failure_message
from codeassist.edits.apply import apply_edits as _apply_edits
from codeassist.edits.gitapply import git_apply_text, hunks_only
from codeassist.edits.types import Edit
from codeassist.workspace import Workspace
from tests.conftest import git


def apply_edits(root: Path, edits: list[Edit], *, dry_run: bool = False) -> ApplyResult:
    """The applier on the repository at ``root``, as the Workspace shows it."""
    return _apply_edits(Workspace.open(root), edits, dry_run=dry_run)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "a.py").write_text("def f():\n    return 1\n\n\ndef g():\n    return 2\n")
    (git_repo / "b.py").write_text("X = 1\nY = 2\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def replace(path: str, old: str, new: str, index: int = 0) -> Edit:
    return Edit(path, "replace", old=old, new=new, index=index)


def test_all_edits_apply(repo: Path) -> None:
    result = apply_edits(
        repo,
        [replace("a.py", "    return 1\n", "    return 10\n"), replace("b.py", "Y = 2\n", "Y = 20\n", 1)],
    )
    assert result.ok and result.written
    assert [a.path for a in result.applied] == ["a.py", "b.py"]
    assert result.changed == ("a.py", "b.py")
    assert (repo / "a.py").read_text().startswith("def f():\n    return 10\n")
    assert (repo / "b.py").read_text() == "X = 1\nY = 20\n"
    assert "-    return 1\n+    return 10\n" in result.diff


def test_one_bad_edit_writes_nothing(repo: Path) -> None:
    before = tree(repo)
    result = apply_edits(
        repo,
        [
            replace("a.py", "    return 1\n", "    return 10\n"),
            replace("b.py", "Z = 99\n", "Z = 100\n", 1),
            Edit("c.py", "create", new="new\n", index=2),
        ],
    )
    assert not result.ok and not result.written
    assert tree(repo) == before
    assert result.applied == () and result.diff == "" and result.changed == ()
    assert [f.path for f in result.failed] == ["b.py"]
    msg = failure_message(result)
    assert "b.py (edit #2)" in msg and "no file was changed" in msg and "X = 1" in msg


def test_unsafe_path_fails_the_whole_reply(repo: Path) -> None:
    before = tree(repo)
    edits = [replace("a.py", "    return 1\n", "    return 3\n"), Edit("../x.py", "create", new="x")]
    result = apply_edits(repo, edits)
    assert not result.ok and tree(repo) == before
    assert "leaves the repository" in result.failed[0].reason


def test_later_edits_see_earlier_ones(repo: Path) -> None:
    result = apply_edits(
        repo, [replace("b.py", "X = 1\n", "X = 2\n"), replace("b.py", "X = 2\nY = 2\n", "X = 3\nY = 3\n")]
    )
    assert result.ok and (repo / "b.py").read_text() == "X = 3\nY = 3\n"


def test_dry_run_writes_nothing_but_reports_diff(repo: Path) -> None:
    before = tree(repo)
    result = apply_edits(repo, [replace("b.py", "X = 1\n", "X = 5\n")], dry_run=True)
    assert result.ok and not result.written and tree(repo) == before
    assert "+X = 5" in result.diff and result.changed == ("b.py",)


def test_already_applied_is_not_a_failure(repo: Path) -> None:
    edit = replace("b.py", "X = 1\n", "X = 7\n")
    assert apply_edits(repo, [edit]).ok
    again = apply_edits(repo, [edit])
    assert again.ok and again.already_applied == ("b.py",) and again.changed == ()


def test_crlf_bom_and_missing_final_newline_preserved(repo: Path) -> None:
    (repo / "w.txt").write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\nthree")
    result = apply_edits(repo, [replace("w.txt", "two\n", "TWO\nextra\n")])
    assert result.ok
    assert (repo / "w.txt").read_bytes() == b"\xef\xbb\xbfone\r\nTWO\r\nextra\r\nthree"


def test_last_line_without_newline_can_be_replaced(repo: Path) -> None:
    (repo / "n.txt").write_bytes(b"a\nlast")
    assert apply_edits(repo, [replace("n.txt", "last\n", "LAST\n")]).ok
    assert (repo / "n.txt").read_bytes() == b"a\nLAST"


def test_mode_preserved(repo: Path) -> None:
    script = repo / "run.sh"
    script.write_text("#!/bin/sh\necho 1\n")
    script.chmod(0o755)
    assert apply_edits(repo, [replace("run.sh", "echo 1\n", "echo 2\n")]).ok
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert not [p for p in os.listdir(repo) if "codeassist-tmp" in p]


def test_tabs_kept(repo: Path) -> None:
    (repo / "t.go").write_text("func f() {\n\treturn 1\n}\n")
    assert apply_edits(repo, [replace("t.go", "\treturn 1\n", "\treturn 2\n")]).ok
    assert (repo / "t.go").read_text() == "func f() {\n\treturn 2\n}\n"


def test_create_write_append_delete_rename(repo: Path) -> None:
    result = apply_edits(
        repo,
        [
            Edit("pkg/new.py", "create", new="N = 1\n"),
            Edit("b.py", "write", new="B = 'whole'\n"),
            Edit("pkg/new.py", "append", new="M = 2\n"),
            Edit("a.py", "rename", new_path="pkg/a2.py"),
        ],
    )
    assert result.ok, result.failed
    assert (repo / "pkg" / "new.py").read_text() == "N = 1\nM = 2\n"
    assert (repo / "b.py").read_text() == "B = 'whole'\n"
    assert not (repo / "a.py").exists() and (repo / "pkg" / "a2.py").read_text().startswith("def f")
    assert set(result.changed) == {"a.py", "b.py", "pkg/a2.py", "pkg/new.py"}
    assert apply_edits(repo, [Edit("b.py", "delete")]).ok and not (repo / "b.py").exists()


def test_create_over_existing_file_fails(repo: Path) -> None:
    result = apply_edits(repo, [Edit("b.py", "create", new="other\n", format="patch")])
    assert not result.ok and "already exists" in result.failed[0].reason
    same = apply_edits(repo, [Edit("b.py", "create", new="X = 1\nY = 2\n", format="udiff")])
    assert same.ok and same.already_applied == ("b.py",)


def test_search_replace_create_on_existing_file_appends(repo: Path) -> None:
    assert apply_edits(repo, [Edit("b.py", "create", new="Z = 3\n")]).ok
    assert (repo / "b.py").read_text() == "X = 1\nY = 2\nZ = 3\n"
    again = apply_edits(repo, [Edit("b.py", "create", new="Z = 3\n")])
    assert again.ok and again.already_applied == ("b.py",)


def test_empty_search_appends_or_creates(repo: Path) -> None:
    assert apply_edits(repo, [replace("b.py", "", "Z = 3\n"), replace("fresh.py", "", "F = 1\n")]).ok
    assert (repo / "b.py").read_text() == "X = 1\nY = 2\nZ = 3\n"
    assert (repo / "fresh.py").read_text() == "F = 1\n"


def test_rename_onto_existing_fails(repo: Path) -> None:
    before = tree(repo)
    result = apply_edits(repo, [Edit("a.py", "rename", new_path="b.py")])
    assert not result.ok and "already exists" in result.failed[0].reason and tree(repo) == before


def test_binary_and_non_utf8_files_refused(repo: Path) -> None:
    (repo / "latin.txt").write_bytes(b"caf\xe9\n")
    result = apply_edits(repo, [replace("latin.txt", "caf", "CAF")])
    assert not result.ok and "UTF-8" in result.failed[0].reason


def test_edit_in_deleted_file_fails(repo: Path) -> None:
    result = apply_edits(repo, [Edit("b.py", "delete"), replace("b.py", "X = 1\n", "X = 2\n")])
    assert not result.ok and (repo / "b.py").exists()


PATCH = "--- a/a.py\n+++ b/a.py\n@@ -4,3 +4,3 @@ def f():\n \n def g():\n-    return 2\n+    return 22\n"


def test_udiff_goes_through_git_apply(repo: Path) -> None:
    edit = Edit("a.py", "replace", old="\ndef g():\n    return 2\n", new="\ndef g():\n    return 22\n",
                format="udiff", raw_patch=PATCH)
    result = apply_edits(repo, [edit])
    assert result.ok and result.applied[0].strategy == "git-apply"
    assert (repo / "a.py").read_text().endswith("    return 22\n")


def test_udiff_with_wrong_line_numbers_falls_back_to_matcher(repo: Path) -> None:
    wrong = PATCH.replace("@@ -4,3 +4,3 @@", "@@ -1,3 +1,3 @@")
    assert git_apply_text((repo / "a.py").read_text(), "a.py", wrong) is None
    edit = Edit("a.py", "replace", old="\ndef g():\n    return 2\n", new="\ndef g():\n    return 22\n",
                format="udiff", raw_patch=wrong)
    result = apply_edits(repo, [edit])
    assert result.ok and result.applied[0].strategy != "git-apply"
    assert (repo / "a.py").read_text().endswith("    return 22\n")


def test_git_apply_ignores_surrounding_repository(repo: Path) -> None:
    assert git_apply_text("x\n", "a.py", "@@ -1 +1 @@\n-x\n+y\n") == "y\n"
    assert hunks_only("@@ ... @@\n-x\n+y\n") is None


def test_failure_message_empty_when_ok() -> None:
    assert failure_message(ApplyResult()) == ""


def test_udiff_three_way_when_context_changed_since(repo: Path) -> None:
    lines = [f"line {i}\n" for i in range(1, 21)]
    (repo / "c.txt").write_text("".join(lines))
    git(repo, "add", "c.txt")
    git(repo, "commit", "-q", "-m", "c")
    changed = lines.copy()
    changed[9] = "line 10 changed by the model\n"
    (repo / "c.txt").write_text("".join(changed))
    patch = git(repo, "diff", "--", "c.txt")
    assert "index " in patch
    # Meanwhile the file moved on: a context line of the hunk differs now.
    current = lines.copy()
    current[7] = "line 8 edited by the user\n"
    (repo / "c.txt").write_text("".join(current))
    edit = Edit("c.txt", "replace", old="line 10\n", new="line 10 changed by the model\n", format="udiff",
                raw_patch=patch)
    result = apply_edits(repo, [edit])
    assert result.ok and result.applied[0].strategy == "git-apply-3way"
    text = (repo / "c.txt").read_text()
    assert "line 8 edited by the user\n" in text and "line 10 changed by the model\n" in text


def test_edit_that_changes_nothing_fails(repo: Path) -> None:
    result = apply_edits(repo, [replace("b.py", "X = 1\n", "X = 1\n")])
    assert not result.ok and "changes nothing" in result.failed[0].reason


def test_deleting_a_missing_file_is_already_applied(repo: Path) -> None:
    assert apply_edits(repo, [Edit("b.py", "delete")]).ok
    again = apply_edits(repo, [Edit("b.py", "delete")])
    assert again.ok and again.already_applied == ("b.py",)


def test_deleting_a_path_git_never_tracked_is_an_error(repo: Path) -> None:
    # The model named a file that never existed: reporting it as done would hide that the file it
    # meant is still there, and let the rest of the reply land without it.
    before = tree(repo)
    result = apply_edits(repo, [replace("a.py", "    return 1\n", "    return 5\n"), Edit("old_name.py", "delete")])
    assert not result.ok and result.already_applied == ()
    (fail,) = result.failed
    assert fail.path == "old_name.py" and "never tracked" in fail.reason
    assert tree(repo) == before


def test_deleting_a_file_a_commit_deleted_is_already_applied(repo: Path) -> None:
    # The same reply applied twice: the first run's deletion is committed, the file is gone from
    # the index too, but history shows it existed.
    git(repo, "rm", "-q", "b.py")
    git(repo, "commit", "-q", "-m", "drop b")
    again = apply_edits(repo, [Edit("b.py", "delete")])
    assert again.ok and again.already_applied == ("b.py",)


def test_a_file_created_and_deleted_by_the_same_reply_is_no_error(repo: Path) -> None:
    result = apply_edits(repo, [Edit("tmp.py", "create", new="x = 1\n"), Edit("tmp.py", "delete")])
    assert result.ok and result.changed == () and not (repo / "tmp.py").exists()


def test_deleting_a_never_tracked_path_in_a_repository_without_commits(git_repo: Path) -> None:
    result = apply_edits(git_repo, [Edit("ghost.py", "delete")])
    assert not result.ok and "never tracked" in result.failed[0].reason


def test_write_failure_rolls_back_files_already_written(repo: Path) -> None:
    from codeassist.edits.apply import plan_edits, write_plan

    repo_files = Workspace.open(repo)
    from codeassist.errors import TaskFailed

    before = tree(repo)
    edits = [replace("a.py", "    return 1\n", "    return 5\n"), Edit("zz/new.py", "create", new="n\n")]
    plan = plan_edits(repo_files, edits)
    assert plan.result().ok
    (repo / "zz").write_text("a file where a directory must go\n")  # makes the second write fail
    with pytest.raises(TaskFailed, match="nothing was changed"):
        write_plan(plan)
    assert tree(repo) == {**before, "zz": b"a file where a directory must go\n"}
