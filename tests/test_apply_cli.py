"""``codeassist apply`` and ``codeassist undo`` as a user runs them: real subprocesses, exit codes, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.test_git import hook

SR_REPLY = """Here is the change.

app.py
```python
<<<<<<< SEARCH
def main():
    return 1
=======
def main():
    return 2
>>>>>>> REPLACE
```
"""

BAD_REPLY = SR_REPLY + """
lib.py
```python
<<<<<<< SEARCH
THIS = "is not in the file"
=======
THIS = "never"
>>>>>>> REPLACE
```
"""


def run(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "codeassist", "--no-color", "-C", str(root), *args],
        input=stdin,
        capture_output=True,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture(name="repo")
def apply_repo(git_repo: Path) -> Path:
    """The repository the apply and undo command tests work in (also imported by the --json tests)."""
    (git_repo / "app.py").write_text("def main():\n    return 1\n")
    (git_repo / "lib.py").write_text("X = 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def reply_file(tmp_path: Path, text: str | bytes, name: str = "reply.md") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_apply_commits_and_prints_json(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["version"] == 1
    assert out["applied"] == [{"path": "app.py", "action": "replace", "strategy": "exact"}]
    assert out["failed"] == [] and len(out["commit"]) == 40
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"
    assert git(repo, "rev-parse", "HEAD").strip() == out["commit"]
    assert "Co-authored-by: codeassist" in git(repo, "log", "-1", "--format=%B")
    assert b"applied app.py" in proc.stderr


def test_apply_from_stdin(repo: Path) -> None:
    proc = run(repo, "apply", "-", "--no-commit", stdin=SR_REPLY.encode())
    assert proc.returncode == 0, proc.stderr
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"
    assert git(repo, "log", "--format=%s").splitlines() == ["base", "initial"]


def test_failed_edit_exit_1_nothing_written(repo: Path, tmp_path: Path) -> None:
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, BAD_REPLY)), "--json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["applied"] == [] and out["commit"] is None
    assert out["failed"][0]["path"] == "lib.py" and out["failed"][0]["reason"]
    assert "X = 1" in out["failed"][0]["closest"]
    assert tree(repo) == before
    assert b"Traceback" not in proc.stderr


def test_already_applied_exit_0(repo: Path, tmp_path: Path) -> None:
    path = reply_file(tmp_path, SR_REPLY)
    assert run(repo, "apply", str(path)).returncode == 0
    proc = run(repo, "apply", str(path), "--json")
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["already_applied"] == ["app.py"] and out["commit"] is None


def test_dry_run_prints_diff_writes_nothing(repo: Path, tmp_path: Path) -> None:
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--dry-run")
    assert proc.returncode == 0
    assert b"+    return 2" in proc.stdout and b"-    return 1" in proc.stdout
    assert tree(repo) == before


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", b"no edits"),
        (b"   \n\n", b"no edits"),
        (b"Just prose, no edits at all.\n", b"no edits"),
    ],
)
def test_replies_without_edits_fail(repo: Path, tmp_path: Path, content: bytes, needle: bytes) -> None:
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, content)))
    assert proc.returncode == 1 and needle in proc.stderr
    assert tree(repo) == before


def test_truncated_block_is_clear_error(repo: Path, tmp_path: Path) -> None:
    before = tree(repo)
    truncated = SR_REPLY.split("=======")[0]
    proc = run(repo, "apply", str(reply_file(tmp_path, truncated)), "--json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["issues"] and out["commit"] is None
    assert tree(repo) == before and b"Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"app.py\n\x00\x01binary", b"NUL"), (b"caf\xe9 \xff\xfe", b"not UTF-8")],
)
def test_non_text_reply_is_usage_error(repo: Path, tmp_path: Path, content: bytes, needle: bytes) -> None:
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, content)))
    assert proc.returncode == 2 and needle in proc.stderr
    assert tree(repo) == before


def test_missing_reply_file_is_usage_error(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(tmp_path / "nope.md"))
    assert proc.returncode == 2 and b"not found" in proc.stderr


def test_huge_reply_is_refused_quickly(repo: Path, tmp_path: Path) -> None:
    before = tree(repo)
    big = SR_REPLY + ("# padding line\n" * 3_500_000)  # about 50 MB
    proc = run(repo, "apply", str(reply_file(tmp_path, big)))
    assert proc.returncode == 1 and b"too large" in proc.stderr
    assert tree(repo) == before


def test_a_reply_creating_thousands_of_files_is_refused_before_any_git_check(repo: Path, tmp_path: Path) -> None:
    before = tree(repo)
    blocks = "".join(f"f{i}.txt\n```\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n```\n" for i in range(2_001))
    proc = run(repo, "apply", str(reply_file(tmp_path, blocks)))
    assert proc.returncode == 1 and b"edits 2,001 files" in proc.stderr
    assert tree(repo) == before


def test_unknown_format_is_usage_error(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--format", "xml")
    assert proc.returncode == 2


def test_not_a_repository_exit_5(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    proc = run(plain, "apply", str(reply_file(tmp_path, SR_REPLY)))
    assert proc.returncode == 5 and b"not a git repository" in proc.stderr
    assert run(plain, "undo").returncode == 5


def test_locked_index_exit_5(repo: Path, tmp_path: Path) -> None:
    (repo / ".git" / "index.lock").write_text("")
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)))
    assert proc.returncode == 5 and b"index.lock" in proc.stderr
    assert tree(repo) == before


def test_rejecting_hook_exit_5_change_left_uncommitted(repo: Path, tmp_path: Path) -> None:
    hook(repo, "pre-commit", "echo 'policy: no commits today' >&2\nexit 1\n")
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 5
    out = json.loads(proc.stdout)
    assert out["commit"] is None and "policy: no commits today" in out["commit_error"]
    assert out["written"] is True
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"


def test_unsafe_path_in_reply(repo: Path, tmp_path: Path) -> None:
    reply = SR_REPLY + "\n../outside.py\n```python\n<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE\n```\n"
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, reply)), "--json")
    assert proc.returncode == 1
    assert "leaves the repository" in json.loads(proc.stdout)["failed"][0]["reason"]
    assert tree(repo) == before and not (tmp_path / "outside.py").exists()


def test_dirty_file_saved_first_then_undo(repo: Path, tmp_path: Path) -> None:
    (repo / "app.py").write_text("def main():\n    return 1\n# user note\n")
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["user_commit"] and out["commit"]
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n# user note\n"
    undo = run(repo, "undo", "--json")
    assert undo.returncode == 0, undo.stderr
    assert json.loads(undo.stdout)["reverted"] == [out["commit"], out["user_commit"]]
    assert tree(repo) == before
    assert git(repo, "status", "--porcelain") == " M app.py\n"


def test_dirty_file_refused_when_commit_dirty_off(repo: Path, tmp_path: Path) -> None:
    (repo / ".codeassist.toml").write_text("commit_dirty = false\n")
    (repo / "app.py").write_text("def main():\n    return 1\n# user note\n")
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)))
    assert proc.returncode == 1 and b"uncommitted changes" in proc.stderr
    assert tree(repo) == before


def test_undo_refusal_exit_1(repo: Path) -> None:
    proc = run(repo, "undo")
    assert proc.returncode == 1 and b"not made by codeassist" in proc.stderr


PATCH_REPLY = """*** Begin Patch
*** Add File: pkg/new.py
+NEW = 1
*** Update File: app.py
*** Move to: main.py
@@ def main():
-    return 1
+    return 7
*** Delete File: lib.py
*** End Patch
"""

UDIFF_REPLY = """```diff
--- /dev/null
+++ b/created.py
@@ -0,0 +1,2 @@
+A = 1
+B = 2
--- a/lib.py
+++ /dev/null
@@ -1 +0,0 @@
-X = 1
--- a/app.py
+++ b/app.py
@@ -1,2 +1,2 @@
 def main():
-    return 1
+    return 8
```
"""


def test_patch_envelope_add_move_update_delete(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(reply_file(tmp_path, PATCH_REPLY)), "--json")
    assert proc.returncode == 0, proc.stderr
    assert (repo / "pkg" / "new.py").read_text() == "NEW = 1\n"
    assert (repo / "main.py").read_text() == "def main():\n    return 7\n"
    assert not (repo / "app.py").exists() and not (repo / "lib.py").exists()
    out = json.loads(proc.stdout)
    assert sorted(out["changed"]) == ["app.py", "lib.py", "main.py", "pkg/new.py"]
    assert git(repo, "status", "--porcelain") == ""
    assert run(repo, "undo").returncode == 0
    assert (repo / "app.py").exists() and (repo / "lib.py").exists() and not (repo / "main.py").exists()


def test_udiff_create_delete_modify(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(reply_file(tmp_path, UDIFF_REPLY)), "--json", "--format", "udiff")
    assert proc.returncode == 0, proc.stderr
    assert (repo / "created.py").read_text() == "A = 1\nB = 2\n"
    assert not (repo / "lib.py").exists()
    assert (repo / "app.py").read_text() == "def main():\n    return 8\n"
    assert {a["strategy"] for a in json.loads(proc.stdout)["applied"] if a["path"] == "app.py"} == {"git-apply"}


def test_whole_file_reply(repo: Path, tmp_path: Path) -> None:
    reply = "The new file:\n\napp.py\n```python\ndef main():\n    return 9\n```\n"
    proc = run(repo, "apply", str(reply_file(tmp_path, reply)), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["applied"] == [{"path": "app.py", "action": "write", "strategy": "whole"}]
    assert (repo / "app.py").read_text() == "def main():\n    return 9\n"


def test_mixed_reply_search_replace_and_whole_new_file(repo: Path, tmp_path: Path) -> None:
    reply = SR_REPLY + (
        "\nAnd a new module:\n\npkg/extra.py\n```python\nEXTRA = 1\n```\n"
        "\nRun it with:\n\n```bash\npython -m pkg.extra\n```\n\nFor example, in `lib.py`:\n```python\nX = 2\n```\n"
    )
    proc = run(repo, "apply", str(reply_file(tmp_path, reply)), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["formats"] == ["search-replace", "whole"]
    assert sorted(out["changed"]) == ["app.py", "pkg/extra.py"]
    assert (repo / "pkg" / "extra.py").read_text() == "EXTRA = 1\n"
    assert (repo / "lib.py").read_text() == "X = 1\n"
    assert git(repo, "status", "--porcelain") == ""
