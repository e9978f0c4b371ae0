"""The Workspace and Session.open end to end: the real CLI, the loopback server, real git repositories.

Each test is a case a user met before the Workspace existed: the context of a
subdirectory, hidden files reaching the model, two codeassist processes on one
repository, SIGTERM or SIGHUP in the middle of a request, a failed save of the
user's work described as a landed change, settings out of range.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git
from openai_server import OpenAIServer, Text

from codeassist.repo_lock import RepoLock

SECRET = "s3cr3t-value-that-must-never-reach-the-model"


def run(
    repo: Path, env: dict[str, str], *args: str, server: OpenAIServer | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo)]
    if server is not None:
        argv += ["--base-url", server.base_url, "--api-key", "test-key", "--model", "gpt-4o-mini"]
    return subprocess.run([*argv, *args], capture_output=True, text=True, env=env, timeout=120, **kw)  # type: ignore[call-overload,no-any-return]


def sr(path: str, old: str, new: str) -> str:
    return f"{path}\n```\n<<<<<<< SEARCH\n{old}=======\n{new}>>>>>>> REPLACE\n```\n"


def sent_text(server: OpenAIServer) -> str:
    return "\n".join(json.dumps(r.body) for r in server.requests)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "sub").mkdir()
    (git_repo / "sub" / "a.py").write_text("def f():\n    return 1\n")
    (git_repo / "app.py").write_text("def main():\n    return 0\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "code")
    return git_repo


def test_paths_typed_in_a_subdirectory_mean_the_same_to_context_and_edit(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    (repo / ".codeassist.toml").write_text("map_tokens = 400\n")
    sub = repo / "sub"
    ctx = run(sub, isolated_env, "context", "change f", "-f", "a.py", "--json", server=openai_server)
    assert ctx.returncode == 0, ctx.stderr
    built = json.loads(ctx.stdout)
    assert built["files"] == ["sub/a.py"]
    openai_server.enqueue(Text(sr("sub/a.py", "    return 1\n", "    return 2\n")), Text("fix: f returns 2"))
    proc = run(sub, isolated_env, "edit", "change f", "-f", "a.py", "--json", server=openai_server)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files_changed"] == ["sub/a.py"]
    assert not (repo / "a.py").exists()
    # `context` printed byte for byte what `edit` sent, settings (the 400-token map) included.
    first = openai_server.posts[0].body["messages"]
    assert first == [{"role": m["role"], "content": m["content"]} for m in built["messages"]]


@pytest.fixture
def secrets_repo(repo: Path) -> Path:
    (repo / ".codeassistignore").write_text("private.py\n")
    (repo / "private.py").write_text(f"TOKEN = '{SECRET}'\n")
    (repo / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")
    (repo / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    (repo / "settings.ini").write_text(f"[db]\nDB_PASSWORD={SECRET}\n")
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".env").write_text(f"API_KEY={SECRET}\n")
    git(repo, "add", ".codeassistignore", "private.py", "id_rsa", "credentials", "settings.ini", ".gitignore")
    git(repo, "commit", "-q", "-m", "secrets")
    return repo


def test_hidden_files_reach_the_model_only_when_the_user_names_them(
    openai_server: OpenAIServer, secrets_repo: Path, isolated_env: dict[str, str]
) -> None:
    request = "read private.py, id_rsa, credentials and settings.ini, then change main in app.py"
    ctx = run(secrets_repo, isolated_env, "context", request, "--json", server=openai_server)
    assert ctx.returncode == 0, ctx.stderr
    assert SECRET not in ctx.stdout
    # The model asks for them; even with --yes they stay hidden, and the request still succeeds.
    openai_server.enqueue(
        Text("NEED FILE: .env\nNEED FILE: private.py\nNEED FILE: id_rsa\n"),
        Text(sr("app.py", "    return 0\n", "    return 1\n")),
        Text("fix: main returns 1"),
    )
    proc = run(secrets_repo, isolated_env, "edit", request, "--yes", "--json", server=openai_server)
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in sent_text(openai_server)
    # Named by the user, a hidden file is sent.
    named = run(secrets_repo, isolated_env, "context", "look", "-f", ".env", "--json", server=openai_server)
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["files"] == [".env"] and SECRET in named.stdout


def test_a_reply_never_edits_a_hidden_file(secrets_repo: Path, isolated_env: dict[str, str], tmp_path: Path) -> None:
    for path in ("private.py", "id_rsa", ".codeassist.toml", ".env"):
        reply = tmp_path / "reply.md"
        reply.write_text(f"{path}\n```\nhello\n```\n")
        proc = run(secrets_repo, isolated_env, "apply", str(reply), "--format", "whole", "--json")
        assert proc.returncode == 1, (path, proc.stdout, proc.stderr)
        assert json.loads(proc.stdout)["written"] is False
    assert (secrets_repo / "private.py").read_text() == f"TOKEN = '{SECRET}'\n"
    assert not (secrets_repo / ".codeassist.toml").exists()


def test_a_second_codeassist_waits_for_the_lock_then_says_who_holds_it(
    repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    reply = tmp_path / "reply.md"
    reply.write_text(sr("app.py", "    return 0\n", "    return 1\n"))
    lock = RepoLock(repo / ".git", wait_s=0)
    lock.acquire()
    try:
        env = {**isolated_env, "CODEASSIST_LOCK_TIMEOUT": "0.2"}
        proc = run(repo, env, "apply", str(reply), "--json")
    finally:
        lock.release()
    assert proc.returncode == 5
    assert f"pid {os.getpid()}" in json.loads(proc.stdout)["errors"][0]
    assert (repo / "app.py").read_text() == "def main():\n    return 0\n"
    assert run(repo, isolated_env, "apply", str(reply)).returncode == 0


def test_two_applies_at_once_each_commit_their_own_edit(
    repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (repo / "many.py").write_text("".join(f"V{i} = {i}\n" for i in range(6)))
    git(repo, "add", "many.py")
    git(repo, "commit", "-q", "-m", "many")
    for round_ in range(3):
        replies = []
        for i in (2 * round_, 2 * round_ + 1):
            path = tmp_path / f"reply{i}.md"
            path.write_text(sr("many.py", f"V{i} = {i}\n", f"V{i} = {i * 100 + 1}\n"))
            replies.append(path)
        argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "apply"]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        procs = [subprocess.Popen([*argv, str(p)], env=isolated_env, **pipes) for p in replies]  # type: ignore[call-overload]
        for p in procs:
            p.communicate(timeout=120)
            assert p.returncode == 0
    text = (repo / "many.py").read_text()
    assert text == "".join(f"V{i} = {i * 100 + 1}\n" for i in range(6))
    # Six commits, each holding exactly its own one-line change.
    for sha in git(repo, "rev-list", "-6", "HEAD").split():
        diff = git(repo, "show", "--format=", "-U0", sha)
        assert len([line for line in diff.splitlines() if line.startswith("+V")]) == 1
    assert git(repo, "status", "--porcelain") == ""


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


HOLD = """import os, sys
open(sys.argv[1] + ".pid", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".pid", sys.argv[1])
open(sys.argv[2]).read()  # a FIFO nobody writes: blocks until killed
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_test_command_restores_everything(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], tmp_path: Path, sig: signal.Signals
) -> None:
    # The user's own work in app.py: one change staged, another on top unstaged.
    (repo / "app.py").write_text("def main():\n    return 0\n\n\nSTAGED = 1\n")
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("def main():\n    return 0\n\n\nSTAGED = 1\nUNSTAGED = 2\n")
    before_head = git(repo, "rev-parse", "HEAD")
    before_index = git(repo, "diff", "--cached")
    hold, fifo, pid_file = tmp_path / "hold.py", tmp_path / "fifo", tmp_path / "test.pid"
    hold.write_text(HOLD)
    os.mkfifo(fifo)
    env = {**isolated_env, "CODEASSIST_TEST_CMD": f"{sys.executable} {hold} {pid_file} {fifo}"}
    openai_server.enqueue(Text(sr("app.py", "    return 0\n", "    return 1\n")))
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", openai_server.base_url]
    argv += ["--api-key", "k", "--model", "gpt-4o-mini", "edit", "return 1", "-f", "app.py", "--json"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not pid_file.exists():  # wait for the event, not for a time
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    test_pid = int(pid_file.read_text())
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    result = json.loads(out)
    assert result["status"] == "error" and f"terminated by {sig.name}" in result["errors"][0]
    assert (repo / "app.py").read_text().endswith("STAGED = 1\nUNSTAGED = 2\n")
    assert git(repo, "rev-parse", "HEAD") == before_head  # the save commit was taken back
    assert git(repo, "diff", "--cached") == before_index  # the staged/unstaged split is kept
    assert not running(test_pid)  # the test command's process group was ended


def test_a_hook_refusing_the_save_of_the_users_work_writes_nothing(
    repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (repo / "app.py").write_text("def main():\n    return 0\n# mine\n")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    reply = tmp_path / "reply.md"
    reply.write_text(sr("app.py", "    return 0\n", "    return 1\n"))
    proc = run(repo, isolated_env, "apply", str(reply), "--json")
    assert proc.returncode == 5
    data = json.loads(proc.stdout)
    assert data["written"] is False
    assert "could not save your uncommitted changes" in data["errors"][0] and "nothing was written" in data["errors"][0]
    assert "no commits today" in data["errors"][0]
    assert (repo / "app.py").read_text() == "def main():\n    return 0\n# mine\n"


def test_during_a_merge_the_save_fails_and_says_nothing_was_written(
    repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "sub" / "b.py").write_text("B = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "other")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "other")
    (repo / "app.py").write_text("def main():\n    return 0\n# mine\n")
    reply = tmp_path / "reply.md"
    reply.write_text(sr("app.py", "    return 0\n", "    return 1\n"))
    proc = run(repo, isolated_env, "apply", str(reply))
    assert proc.returncode == 5
    assert "nothing was written" in proc.stderr and "in the work tree but not committed" not in proc.stderr
    assert (repo / "app.py").read_text() == "def main():\n    return 0\n# mine\n"
    assert (repo / ".git" / "MERGE_HEAD").exists()


@pytest.mark.parametrize(
    ("where", "value"),
    [("toml", "max_rounds = -3\n"), ("env", "CODEASSIST_TIMEOUT_READ=-1"), ("toml", "temperature = 9.0\n")],
)
def test_settings_out_of_range_are_configuration_errors(
    repo: Path, isolated_env: dict[str, str], where: str, value: str
) -> None:
    env = dict(isolated_env)
    if where == "toml":
        (repo / ".codeassist.toml").write_text(value)
    else:
        name, _, raw = value.partition("=")
        env[name] = raw
    proc = run(repo, env, "--model", "gpt-4o-mini", "context", "x")
    assert proc.returncode == 3, proc.stderr
    assert "must be" in proc.stderr and "Traceback" not in proc.stderr


def test_a_one_file_edit_starts_at_most_ten_git_processes(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    shim_dir, log = tmp_path / "shim", tmp_path / "git.log"
    shim_dir.mkdir()
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim_dir / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    (shim_dir / "git").chmod(0o755)
    env = {**isolated_env, "PATH": f"{shim_dir}{os.pathsep}{isolated_env['PATH']}"}
    openai_server.enqueue(Text(sr("app.py", "    return 0\n", "    return 1\n")), Text("fix: main returns 1"))
    proc = run(repo, env, "edit", "return 1", "-f", "app.py", server=openai_server)
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text().splitlines()
    assert len(calls) <= 10, calls
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix: main returns 1"


def _file_size_limit(limit: int) -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_after_the_save_takes_the_save_back(
    repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (repo / "app.py").write_text("def main():\n    return 0\n# mine\n")
    git(repo, "add", "app.py")
    before_head, before_index = git(repo, "rev-parse", "HEAD"), git(repo, "diff", "--cached")
    big = "x = 1\n" * 20_000  # 120 KB: past the limit below, which git's own small writes stay under
    reply = tmp_path / "reply.md"
    reply.write_text(sr("app.py", "    return 0\n", "    return 1\n") + f"big.py\n```\n{big}```\n")
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "apply", str(reply), "--json"]
    proc = subprocess.run(
        argv, env=isolated_env, capture_output=True, text=True, preexec_fn=lambda: _file_size_limit(64_000)
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["written"] is False and "could not write big.py" in data["errors"][0]
    assert (repo / "app.py").read_text() == "def main():\n    return 0\n# mine\n"
    assert not (repo / "big.py").exists()
    assert git(repo, "rev-parse", "HEAD") == before_head  # the save commit is gone again
    assert git(repo, "diff", "--cached") == before_index
