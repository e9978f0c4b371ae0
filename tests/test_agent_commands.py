"""What the agent's `run` commands change is part of the request's change: committed with the edits when the
request lands, put back with them when it fails or is stopped, the user's own uncommitted work kept either way.
The real CLI and openai SDK against the loopback server, real git repositories, real commands and signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from openai_server import Call, OpenAIServer, Text, ToolCalls

PY = Path(sys.executable).as_posix()
BUGGY = "def add(a, b):\n    return a - b\n"
TEST = "from calc import add\n\nassert add(2, 3) == 5, 'add(2, 3) should be 5'\n"
GEN = """import pathlib
readme = pathlib.Path("README.md")
readme.write_text(readme.read_text() + "generated line\\n")
pathlib.Path("out").mkdir(exist_ok=True)
pathlib.Path("out/new.txt").write_text("made by the command\\n")
"""
# Write the pid file, then block on a FIFO nobody writes, until the process is killed.
HOLD = """import os, sys
open(sys.argv[1] + ".tmp", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
open(sys.argv[2]).read()
"""
GEN_AND_HOLD = GEN + HOLD
USERS_README = "# demo\nmy own uncommitted line\n"


def call(tool: str, /, **args: Any) -> ToolCalls:
    return ToolCalls([Call(tool, json.dumps(args))])


@pytest.fixture
def repo(git_repo: Path, tmp_path: Path) -> Path:
    (git_repo / "calc.py").write_text(BUGGY)
    (git_repo / "test_calc.py").write_text(TEST)
    (git_repo / "tools").mkdir()
    (git_repo / "tools" / "gen.py").write_text(GEN)
    (git_repo / ".codeassist.toml").write_text(f'test_cmd = "{PY} test_calc.py"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add calc")
    subprocess.run([sys.executable, "-m", "codeassist", "-C", str(git_repo), "trust"], check=True, capture_output=True)
    # The user's own work, not committed: a change to a tracked file the command will change, and a new file.
    (git_repo / "README.md").write_text(USERS_README)
    (git_repo / "mine.txt").write_text("my untracked notes\n")
    return git_repo


@pytest.fixture
def env(isolated_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "user-config.toml"
    config.write_text(f'allow_commands = ["{PY} *"]\n')
    return {**isolated_env, "CODEASSIST_CONFIG": str(config)}


def cli(server: OpenAIServer, repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv(server, repo, *args), capture_output=True, text=True, env=env, input="", timeout=120)


def argv(server: OpenAIServer, repo: Path, *args: str) -> list[str]:
    out = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url, "--api-key", "k"]
    return out + ["--model", "gpt-4o-mini", "edit", "--agent", *args]


def state(repo: Path) -> tuple[str, str, str, str, dict[str, bytes]]:
    """Everything a user could lose: HEAD, the index, the status, the stash list and every file's bytes."""
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and not {".git", ".codeassist"} & set(p.relative_to(repo).parts)  # not git's, not ours
    }
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    return git(repo, "rev-parse", "HEAD"), git(repo, "diff", "--cached"), status, git(repo, "stash", "list"), files


def tool_results(server: OpenAIServer, request: int) -> list[str]:
    return [m["content"] for m in server.posts[request].body["messages"] if m["role"] == "tool"]


FIX = call("replace_in_file", path="calc.py", old_text="return a - b", new_text="return a + b")
WRONG = call("replace_in_file", path="calc.py", old_text="return a - b", new_text="return a * b")
GENERATE = call("run", command=f"{PY} tools/gen.py")


def test_what_a_command_changed_is_committed_with_the_edits(
    openai_server: OpenAIServer, repo: Path, env: dict[str, str]
) -> None:
    start = git(repo, "rev-parse", "HEAD").strip()
    openai_server.enqueue(GENERATE, FIX, Text("add adds, and the output is generated."), Text("fix add, generate"))
    proc = cli(openai_server, repo, env, "fix add and generate", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "success" and data["files_changed"] == ["README.md", "calc.py", "out/new.txt"]
    result = tool_results(openai_server, 1)[0]
    assert "now part of your change" in result and "README.md, out/new.txt" in result
    # The user's uncommitted README was saved first (as for an edit), then the request's commit holds
    # exactly what the request did: the command's line, its new file and the edit.
    assert git(repo, "log", "--format=%s", f"{start}..HEAD").splitlines() == [
        "fix add, generate",
        "codeassist: save your uncommitted changes to README.md before editing",
    ]
    assert git(repo, "show", "HEAD~1:README.md") == USERS_README
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["README.md", "calc.py", "out/new.txt"]
    assert "+generated line" in git(repo, "show", "HEAD", "--", "README.md")
    assert (repo / "README.md").read_text() == USERS_README + "generated line\n"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == "?? mine.txt\n"


def test_a_failing_request_puts_back_what_the_command_changed_and_keeps_the_users_work(
    openai_server: OpenAIServer, repo: Path, env: dict[str, str]
) -> None:
    before = state(repo)
    openai_server.enqueue(GENERATE, WRONG)
    proc = cli(openai_server, repo, env, "fix add", "--max-steps", "2", "--json")
    assert proc.returncode == 1, proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    assert any("put back as they were before the request: README.md, calc.py, out/new.txt" in e for e in errors)
    assert state(repo) == before
    assert not (repo / "out").exists() or not any((repo / "out").iterdir())


def test_the_same_command_run_twice_and_edited_between_is_put_back_to_the_first_state(
    openai_server: OpenAIServer, repo: Path, env: dict[str, str]
) -> None:
    before = state(repo)
    edit_readme = call("replace_in_file", path="README.md", old_text="generated line", new_text="edited line")
    openai_server.enqueue(GENERATE, edit_readme, GENERATE, WRONG)
    proc = cli(openai_server, repo, env, "fix add", "--max-steps", "4", "--json")
    assert proc.returncode == 1, proc.stderr
    assert state(repo) == before


@pytest.mark.parametrize("when", ["in the command", "in the tests after it"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_puts_back_what_the_command_changed(
    openai_server: OpenAIServer,
    repo: Path,
    env: dict[str, str],
    tmp_path: Path,
    sig: signal.Signals,
    when: str,
) -> None:
    hold, fifo, pid_file = tmp_path / "hold.py", tmp_path / "fifo", tmp_path / "held.pid"
    os.mkfifo(fifo)
    held = f"{PY} {hold} {pid_file} {fifo}"
    if when == "in the command":
        hold.write_text(GEN_AND_HOLD)
        openai_server.enqueue(call("run", command=held))
    else:
        hold.write_text(HOLD)
        env = {**env, "CODEASSIST_TEST_CMD": held}
        openai_server.enqueue(GENERATE, call("run_tests"))
    before = state(repo)
    proc = subprocess.Popen(argv(openai_server, repo, "go", "--json"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while not pid_file.exists():  # wait for the event, not for a time
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else 128 + sig), err
    assert json.loads(out)["status"] == "error"
    assert state(repo) == before  # the README's user line, mine.txt, no out/new.txt, no save commit left


def test_a_command_may_not_change_secrets_hidden_files_or_codeassists_own(
    openai_server: OpenAIServer, repo: Path, env: dict[str, str]
) -> None:
    (repo / "config").mkdir()
    (repo / "config" / "secrets.json").write_text('{"token": "old"}\n')
    (repo / "fixtures").mkdir()
    (repo / "fixtures" / "data.txt").write_text("fixture\n")
    (repo / ".codeassistignore").write_text("fixtures/\n")
    git(repo, "add", "config", "fixtures", ".codeassistignore")
    git(repo, "commit", "-q", "-m", "config and fixtures")
    meddle = """import pathlib, subprocess
pathlib.Path("config/secrets.json").write_text('{"token": "stolen"}\\n')
pathlib.Path("fixtures/data.txt").write_text("changed\\n")
pathlib.Path(".codeassist.toml").write_text('test_cmd = "true"\\n')
pathlib.Path("ok.txt").write_text("fine\\n")
subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "made by the command"], check=True)
"""
    (repo / "tools" / "meddle.py").write_text(meddle)
    git(repo, "add", "tools/meddle.py")
    git(repo, "commit", "-q", "-m", "meddle")
    openai_server.enqueue(call("run", command=f"{PY} tools/meddle.py"), FIX, Text("Done."), Text("add ok.txt"))
    proc = cli(openai_server, repo, env, "go", "--json")
    assert proc.returncode == 0, proc.stderr
    result = tool_results(openai_server, 1)[0]
    assert "put back as they were (a command may not change them): .codeassist.toml, config/secrets.json, " \
           "fixtures/data.txt" in result  # fmt: skip
    assert "the command changed git's history (HEAD moved)" in result
    assert "now part of your change" in result and "ok.txt" in result
    assert (repo / "config" / "secrets.json").read_text() == '{"token": "old"}\n'
    assert (repo / "fixtures" / "data.txt").read_text() == "fixture\n"
    assert "test_calc.py" in (repo / ".codeassist.toml").read_text()
    # The command's own commit stays (codeassist never rewrites history it did not make); the request's
    # commit holds only what it may.
    assert git(repo, "log", "-2", "--format=%s").splitlines() == ["add ok.txt", "made by the command"]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["calc.py", "ok.txt"]


def test_with_commits_off_the_users_version_goes_to_the_stash_list(
    openai_server: OpenAIServer, repo: Path, env: dict[str, str]
) -> None:
    start = git(repo, "rev-parse", "HEAD")
    openai_server.enqueue(GENERATE, FIX, Text("Done."))
    proc = cli(openai_server, repo, env, "fix add", "--no-commit", "--json")
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "rev-parse", "HEAD") == start
    assert (repo / "README.md").read_text() == USERS_README + "generated line\n"
    assert (repo / "out" / "new.txt").exists() and (repo / "mine.txt").exists()
    # The stash entry holds the user's README as it was before the command changed it.
    entry = git(repo, "stash", "list", "--format=%H").split()[0]
    assert git(repo, "show", f"{entry}:README.md") == USERS_README


def test_a_second_edit_of_a_file_is_not_saved_as_the_users_work(git_repo: Path) -> None:
    """Two edits of one file in one transaction: the user's version is saved once, the request's first edit
    is never mistaken for the user's work (the agent edits a file several times per request)."""
    from codeassist.edits.types import Edit
    from codeassist.transaction import CommitPolicy, Transaction
    from codeassist.workspace import Workspace

    (git_repo / "f.txt").write_text("a\nb\n")
    git(git_repo, "add", "f.txt")
    git(git_repo, "commit", "-q", "-m", "f")
    (git_repo / "f.txt").write_text("a\nb\nmine\n")
    with Workspace.open(git_repo) as ws, Transaction(ws, CommitPolicy()) as tx:
        assert tx.land([Edit("f.txt", "replace", old="a\n", new="A\n")]).ok
        assert tx.land([Edit("f.txt", "replace", old="b\n", new="B\n")]).ok
        assert len(tx.saves) == 1
        tx.commit("edit f twice")
    assert git(git_repo, "log", "-2", "--format=%s").splitlines()[1].startswith("codeassist: save your uncommitted")
    assert git(git_repo, "show", "HEAD~1:f.txt") == "a\nb\nmine\n"
    assert git(git_repo, "show", "HEAD:f.txt") == "A\nB\nmine\n"


def test_snapshots_leave_large_untracked_files_out_of_gits_object_store(git_repo: Path) -> None:
    from codeassist.agent.command_changes import WorkTreeTracker
    from codeassist.filerule import MAX_FILE_BYTES
    from codeassist.workspace import Workspace

    (git_repo / "data.bin").write_bytes(b"\x01" * (MAX_FILE_BYTES + 1))  # a data set nobody ignored
    (git_repo / "small.txt").write_text("one\n")
    with Workspace.open(git_repo) as ws:
        tracker = WorkTreeTracker(ws)
        before = tracker.state()
        (git_repo / "small.txt").write_text("two\n")
        (git_repo / "README.md").write_text("# changed\n")
        after = tracker.state()
        assert before is not None and after is not None
        changes = tracker.changes(before, after)
        tracker.close()
    assert [(c.path, c.before) for c in changes] == [("README.md", b"# demo\n"), ("small.txt", b"one\n")]
    blob = git(git_repo, "hash-object", "data.bin").strip()
    assert subprocess.run(["git", "-C", str(git_repo), "cat-file", "-e", blob]).returncode != 0
    assert git(git_repo, "status", "--porcelain") == " M README.md\n?? data.bin\n?? small.txt\n"  # index untouched
