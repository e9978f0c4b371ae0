"""``apply --json`` and ``undo --json``: exactly one JSON object on stdout on every exit path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git
from tests.test_apply_cli import BAD_REPLY, SR_REPLY, apply_repo, reply_file, run, tree  # noqa: F401 (a fixture)
from tests.test_git import hook

APPLY_KEYS = {
    "version", "ok", "applied", "failed", "issues", "already_applied", "changed", "commit", "user_commit",
    "commit_error", "written", "formats", "warnings", "dry_run", "diff", "errors",
}  # fmt: skip
UNDO_KEYS = {"version", "reverted", "subject", "head", "paths", "errors"}
REJECT = "echo 'policy: no commits today' >&2\nexit 1\n"


def one_object(proc: subprocess.CompletedProcess[bytes], keys: set[str]) -> dict[str, Any]:
    """The single JSON object on stdout; its keys are the command's documented shape."""
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1, proc.stdout
    out = json.loads(lines[0])
    assert set(out) == keys
    assert b"Traceback" not in proc.stderr
    return out


def test_success_carries_an_empty_error_list(repo: Path, tmp_path: Path) -> None:
    out = one_object(run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json"), APPLY_KEYS)
    assert out["ok"] is True and out["errors"] == [] and out["commit"]
    undo = run(repo, "undo", "--json")
    assert undo.returncode == 0
    assert one_object(undo, UNDO_KEYS)["errors"] == []


@pytest.mark.parametrize(
    ("args", "content", "code", "needle"),
    [
        (["--format", "xml"], SR_REPLY.encode(), 2, "unknown format"),
        ([], b"app.py\n\x00binary", 2, "NUL"),
        ([], b"caf\xe9 \xff", 2, "not UTF-8"),
        ([], BAD_REPLY.encode(), 1, ""),
        ([], b"no edits here\n", 1, ""),
        (["--dry-run"], BAD_REPLY.encode(), 1, ""),
    ],
)
def test_usage_errors_and_failed_edits(
    repo: Path, tmp_path: Path, args: list[str], content: bytes, code: int, needle: str
) -> None:
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, content)), "--json", *args)
    assert proc.returncode == code
    out = one_object(proc, APPLY_KEYS)
    assert out["ok"] is False and out["written"] is False and out["commit"] is None
    if needle:
        (error,) = out["errors"]
        assert needle in error and needle.encode() in proc.stderr
    else:
        assert out["failed"] or out["issues"]
    assert tree(repo) == before


def test_missing_reply_file(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "apply", str(tmp_path / "nope.md"), "--json")
    assert proc.returncode == 2
    assert "not found" in one_object(proc, APPLY_KEYS)["errors"][0]


def test_bad_config_file(repo: Path, tmp_path: Path) -> None:
    (repo / ".codeassist.toml").write_text("this is [not toml\n")
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 3
    assert one_object(proc, APPLY_KEYS)["errors"]


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    proc = run(plain, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 5
    assert "not a git repository" in one_object(proc, APPLY_KEYS)["errors"][0]
    proc = run(plain, "undo", "--json")
    assert proc.returncode == 5
    out = one_object(proc, UNDO_KEYS)
    assert out["reverted"] == [] and "not a git repository" in out["errors"][0]
    assert list(plain.iterdir()) == []


def test_locked_index(repo: Path, tmp_path: Path) -> None:
    assert run(repo, "apply", str(reply_file(tmp_path, SR_REPLY))).returncode == 0
    (repo / ".git" / "index.lock").write_text("")
    head = git(repo, "rev-parse", "HEAD")
    before = tree(repo)
    other = SR_REPLY.replace("return 1", "return 2").replace("return 2\n>>>", "return 3\n>>>")
    proc = run(repo, "apply", str(reply_file(tmp_path, other, "other.md")), "--json")
    assert proc.returncode == 5
    assert "index.lock" in one_object(proc, APPLY_KEYS)["errors"][0]
    proc = run(repo, "undo", "--json")
    assert proc.returncode == 5
    assert "index.lock" in one_object(proc, UNDO_KEYS)["errors"][0]
    assert tree(repo) == before and git(repo, "rev-parse", "HEAD") == head


def test_hook_rejecting_the_commit(repo: Path, tmp_path: Path) -> None:
    hook(repo, "pre-commit", REJECT)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 5
    out = one_object(proc, APPLY_KEYS)
    assert out["written"] is True and out["commit"] is None
    (error,) = out["errors"]
    assert "policy: no commits today" in error and "policy: no commits today" in out["commit_error"]


def test_hook_rejecting_the_save_of_the_users_work_writes_nothing(repo: Path, tmp_path: Path) -> None:
    (repo / "app.py").write_text("def main():\n    return 1\n# user note\n")
    hook(repo, "pre-commit", REJECT)
    before = tree(repo)
    head = git(repo, "rev-parse", "HEAD")
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 5
    out = one_object(proc, APPLY_KEYS)
    assert out["written"] is False and out["commit"] is None and out["user_commit"] is None
    assert "policy: no commits today" in out["errors"][0]
    assert tree(repo) == before and git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == " M app.py\n"


def test_dirty_file_refused_when_commit_dirty_off(repo: Path, tmp_path: Path) -> None:
    (repo / ".codeassist.toml").write_text("commit_dirty = false\n")
    (repo / "app.py").write_text("def main():\n    return 1\n# user note\n")
    before = tree(repo)
    proc = run(repo, "apply", str(reply_file(tmp_path, SR_REPLY)), "--json")
    assert proc.returncode == 1
    assert "uncommitted changes" in one_object(proc, APPLY_KEYS)["errors"][0]
    assert tree(repo) == before


def test_undo_refusals(repo: Path, tmp_path: Path) -> None:
    proc = run(repo, "undo", "--json")
    assert proc.returncode == 1
    assert "not made by codeassist" in one_object(proc, UNDO_KEYS)["errors"][0]
    assert run(repo, "apply", str(reply_file(tmp_path, SR_REPLY))).returncode == 0
    (repo / "app.py").write_text("changed by the user\n")
    proc = run(repo, "undo", "--json")
    assert proc.returncode == 1
    assert "changed since" in one_object(proc, UNDO_KEYS)["errors"][0]
    assert (repo / "app.py").read_text() == "changed by the user\n"


@pytest.mark.parametrize(
    ("args", "keys", "needle"),
    [
        (["apply", "--json", "--bogus"], APPLY_KEYS, "--bogus"),
        (["apply", "reply.md", "--json", "--format"], APPLY_KEYS, "--format"),
        (["apply", "a.md", "b.md", "--json"], APPLY_KEYS, "b.md"),
        (["undo", "--json", "extra"], UNDO_KEYS, "extra"),
    ],
)
def test_arguments_the_parser_rejects(repo: Path, args: list[str], keys: set[str], needle: str) -> None:
    before = tree(repo)
    proc = run(repo, *args)
    assert proc.returncode == 2
    (error,) = one_object(proc, keys)["errors"]
    assert needle in error and needle.encode() in proc.stderr
    assert tree(repo) == before


def test_without_json_a_rejected_argument_prints_nothing_on_stdout(repo: Path) -> None:
    proc = run(repo, "apply", "--bogus")
    assert proc.returncode == 2 and proc.stdout == b"" and b"--bogus" in proc.stderr


@pytest.mark.parametrize("command", ["apply", "undo"])
def test_a_global_option_missing_its_value(repo: Path, command: str) -> None:
    proc = run(repo, command, "--json", "--model")
    assert proc.returncode == 2 and b"--model needs a value" in proc.stderr
    keys = UNDO_KEYS if command == "undo" else APPLY_KEYS
    assert one_object(proc, keys)["errors"] == ["option --model needs a value"]


def test_the_object_is_the_commands_not_one_named_in_an_argument(repo: Path) -> None:
    proc = run(repo, "ask", "apply", "--json", "--model")
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert out["status"] == "error" and "applied" not in out
    proc = run(repo, "map", "apply", "--json", "--model")
    assert proc.returncode == 2 and proc.stdout == b""


def interrupt_then_release(proc: subprocess.Popen[bytes], writer: int) -> tuple[bytes, bytes]:
    """SIGINT the command blocked on a FIFO, then close the FIFO's writing end.

    The signal is sent first, so it is pending by the time the blocked call
    can return: whether it interrupts that call or arrives just before it
    (and waits for it to return), the command sees it there. No timing.
    """
    try:
        proc.send_signal(signal.SIGINT)
    finally:
        os.close(writer)
    return proc.communicate(timeout=60)


def test_an_interrupt_prints_the_object(repo: Path, tmp_path: Path) -> None:
    # The reply comes through a FIFO the test holds open: once the test's open returns, the command is
    # inside apply, reading the reply.
    fifo = tmp_path / "reply.fifo"
    os.mkfifo(fifo)
    before = tree(repo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "codeassist", "--no-color", "-C", str(repo), "apply", str(fifo), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    writer = os.open(fifo, os.O_WRONLY)
    os.write(writer, SR_REPLY[:20].encode())  # part of a reply: the reader waits for the rest
    out, err = interrupt_then_release(proc, writer)
    assert proc.returncode == 130, err
    done = subprocess.CompletedProcess(proc.args, 130, out, err)
    result = one_object(done, APPLY_KEYS)
    assert result["errors"] == ["interrupted"] and result["written"] is False and result["ok"] is False
    assert b"interrupted" in err
    assert tree(repo) == before


def test_an_interrupt_after_the_write_reports_the_uncommitted_change(repo: Path, tmp_path: Path) -> None:
    # The pre-commit hook blocks on a FIFO: once the test's open of it returns, the edits are written and
    # git is committing them, so the interrupt lands between the write and the commit.
    fifo = tmp_path / "hook.fifo"
    os.mkfifo(fifo)
    hook(repo, "pre-commit", f"cat '{fifo}' > /dev/null\nexit 1\n")
    head = git(repo, "rev-parse", "HEAD")
    proc = subprocess.Popen(
        [sys.executable, "-m", "codeassist", "--no-color", "-C", str(repo), "apply", "--json",
         str(reply_file(tmp_path, SR_REPLY))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    writer = os.open(fifo, os.O_WRONLY)
    out, err = interrupt_then_release(proc, writer)
    assert proc.returncode == 130, err
    result = one_object(subprocess.CompletedProcess(proc.args, 130, out, err), APPLY_KEYS)
    assert result["errors"] == ["interrupted"]
    assert result["written"] is True and result["commit"] is None and result["changed"] == ["app.py"]
    assert (repo / "app.py").read_text() == "def main():\n    return 2\n"
    assert git(repo, "rev-parse", "HEAD") == head
