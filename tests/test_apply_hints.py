"""Replies that name an existing file as new, refusals phrased in the reply's own format, and replies
that hold no edit the parsers understood."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeassist.edits.parse import parse_reply
from codeassist.transaction import apply_reply
from tests.conftest import git

APP = "def main():\n    return 1\n"


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(APP)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def dev_null_diff(minus: str, plus: str) -> str:
    body = "".join(f"-{line}\n" for line in minus.splitlines()) + "".join(f"+{line}\n" for line in plus.splitlines())
    return f"```diff\n--- /dev/null\n+++ b/app.py\n@@ -1,2 +1,2 @@\n{body}```\n"


def test_dev_null_diff_whose_removed_lines_are_the_file_rewrites_it(repo: Path) -> None:
    # The header says "new file", but the "-" lines show the file exactly as it is: the change is plain.
    result = apply_reply(repo, dev_null_diff(APP, "def main():\n    return 2\n"), commit=False)
    assert result.ok, result.feedback()
    assert [(a.path, a.action) for a in result.applied] == [("app.py", "write")]
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"


def test_dev_null_diff_whose_added_lines_are_the_file_is_already_applied(repo: Path) -> None:
    result = apply_reply(repo, dev_null_diff("", APP), commit=False)
    assert result.ok and result.already_applied == ("app.py",) and not result.written


def test_dev_null_diff_whose_removed_lines_are_not_the_file_is_refused_in_diff_terms(repo: Path) -> None:
    result = apply_reply(repo, dev_null_diff("def main():\n    return 7\n", "def main():\n    return 2\n"))
    assert not result.ok and not result.written
    (fail,) = result.failed
    assert "SEARCH" not in fail.reason and "--- a/app.py" in fail.reason
    assert (repo / "app.py").read_text() == APP


def test_a_patch_adding_an_existing_file_is_refused_in_patch_terms(repo: Path) -> None:
    reply = "*** Begin Patch\n*** Add File: app.py\n+x = 1\n*** End Patch\n"
    (fail,) = apply_reply(repo, reply).failed
    assert "SEARCH" not in fail.reason and "*** Update File: app.py" in fail.reason


def test_whole_file_refusals_do_not_advise_search_replace(repo: Path) -> None:
    (repo / "run").write_text("".join(f"step {i}\n" for i in range(10)))
    (repo / "steps.py").write_text("".join(f"step_{i} = {i}\n" for i in range(10)))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "run")
    result = apply_reply(repo, "run\n```\nstep 1\n```\n")
    (issue,) = result.issues
    assert "lacks most of the lines" in issue.message and "SEARCH" not in issue.message
    mixed = "app.py\n```python\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n>>>>>>> REPLACE\n```\n"
    mixed += "\nsteps.py\n```python\nstep_1 = 1\n```\n"
    result = apply_reply(repo, mixed)
    (issue,) = result.issues
    assert "excerpt" in issue.message and "SEARCH" not in issue.message


@pytest.mark.parametrize(
    ("reply", "line", "excerpt", "needs"),
    [
        ("Here:\n\n@@ -1,2 +1,2 @@\n-def main():\n+def main(x):\n", 3, "@@ -1,2 +1,2 @@", "+++ b/path"),
        ("Sure.\n<<<< SEARCH\n    return 1\n====\n    return 2\n>>>> REPLACE\n", 2, "<<<< SEARCH", "======="),
        ("Done:\n\n--- app.py\n-    return 1\n+    return 2\n", 3, "--- app.py", "@@ hunks"),
        ("Change it:\n*** Modify File: app.py\n-x\n+y\n", 2, "*** Modify File: app.py", "*** Update File"),
    ],
)
def test_no_edits_names_the_line_that_looked_like_one(
    repo: Path, reply: str, line: int, excerpt: str, needs: str
) -> None:
    result = apply_reply(repo, reply)
    (issue,) = result.issues
    assert issue.message.startswith("the reply contains no edits")
    assert issue.line == line and excerpt in issue.message
    # The advice is the format's own: no SEARCH/REPLACE advice for a diff, no diff advice for a block.
    assert needs in issue.message
    assert ("SEARCH" in issue.message) == ("SEARCH" in excerpt)
    assert f"(line {line})" in result.feedback()


def test_no_edits_in_plain_prose_names_no_line(repo: Path) -> None:
    (issue,) = apply_reply(repo, "The function already returns 1; nothing to change.\n").issues
    assert issue.message == "the reply contains no edits" and issue.line is None


def test_the_excerpt_of_a_long_line_is_short(repo: Path) -> None:
    (issue,) = apply_reply(repo, "@@ " + "x" * 500 + "\n").issues
    assert issue.line == 1 and "x" * 60 not in issue.message


def test_whole_file_under_a_missing_path_warns_of_the_one_file_of_that_name(repo: Path) -> None:
    (repo / "src").mkdir()
    (repo / "src" / "util.py").write_text("def helper():\n    return 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "util")
    result = apply_reply(repo, "lib/util.py\n```python\ndef helper():\n    return 2\n```\n", commit=False)
    assert result.ok and [a.path for a in result.applied] == ["lib/util.py"]
    (warning,) = result.warnings
    assert warning.path == "lib/util.py" and "src/util.py" in warning.message
    assert result.to_json()["warnings"] == [{"path": "lib/util.py", "message": warning.message}]


def test_whole_file_under_a_new_name_alone_does_not_warn(repo: Path) -> None:
    result = apply_reply(repo, "lib/fresh.py\n```python\nX = 1\n```\n", commit=False)
    assert result.ok and result.warnings == ()


def test_parse_of_an_indented_end_marker_through_the_engine(repo: Path) -> None:
    reply = "*** Begin Patch\n*** Update File: app.py\n@@\n-    return 1\n+    return 2\n *** End Patch\n"
    assert parse_reply(reply).issues == ()
    assert apply_reply(repo, reply).ok
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"
