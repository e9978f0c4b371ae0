"""End to end: the real CLI, the real openai SDK, the loopback server, real git repositories."""

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
from openai_server import Fault, Hang, OpenAIServer, Text
from replies import BAD_SR, BROKEN_SR, GOOD_SR

COMMIT_MSG = Text("feat: greet the whole world\n\nThe greeting now names its audience.")


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text('def greet():\n    return "hello"\n\n\nprint(greet())\n')
    (git_repo / "util.py").write_text("def helper(x):\n    return x * 2\n")
    git(git_repo, "add", "app.py", "util.py")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


def cli(
    server: OpenAIServer, repo: Path, env: dict[str, str], *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url]
    argv += ["--api-key", "test-key", "--model", "gpt-4o-mini", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, input=input, timeout=120)


def trusted_config(repo: Path, env: dict[str, str], text: str) -> None:
    """Write the repository's .codeassist.toml and trust it, as its owner would."""
    (repo / ".codeassist.toml").write_text(text)
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "trust"]
    subprocess.run(argv, check=True, capture_output=True, env=env, timeout=60)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_ask_streams_an_answer(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Text("The greeting lives in app.py.", chunk_size=3))
    proc = cli(openai_server, repo, isolated_env, "ask", "where is the greeting?")
    assert proc.returncode == 0, proc.stderr
    assert "The greeting lives in app.py." in proc.stdout
    body = openai_server.requests[-1].body
    assert body["stream"] is True
    assert body["messages"][-1]["content"].strip().endswith("where is the greeting?")


def test_ask_json_reports_usage(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Text("Answer.", input_tokens=120, output_tokens=7, cached=100))
    proc = cli(openai_server, repo, isolated_env, "ask", "what?", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1 and data["status"] == "success" and data["reply"] == "Answer."
    assert data["usage"]["input_tokens"] == 120
    assert data["usage"]["cached_input_tokens"] == 100
    assert data["usage"]["output_tokens"] == 7


def test_edit_succeeds_at_once(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Text(GOOD_SR), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "greet the world", "-f", "app.py", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "success"
    assert data["files_changed"] == ["app.py"]
    assert data["rounds"] == 1
    assert data["commit"] == head(repo)
    assert [c["name"] for c in data["checks"]] == ["syntax"] and data["checks"][0]["ok"]
    assert '"hello, world"' in (repo / "app.py").read_text()
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("feat: greet the whole world")
    assert "Co-authored-by: codeassist (gpt-4o-mini)" in message
    assert git(repo, "status", "--porcelain").strip() == ""


def test_edit_reflects_a_failed_apply(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Text(BAD_SR), Text(GOOD_SR), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "greet the world", "-f", "app.py", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "success" and data["rounds"] == 2
    second = openai_server.posts[1].body["messages"]
    # the failed reply and the engine's explanation went back to the model, the explanation last
    assert any(m["role"] == "assistant" and "goodbye" in m["content"] for m in second)
    assert "app.py" in second[-1]["content"] and 'return "hello"' in second[-1]["content"]


def test_edit_that_never_applies_fails_honestly(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    before = head(repo)
    openai_server.enqueue(Text(BAD_SR), Text(BAD_SR))
    proc = cli(openai_server, repo, isolated_env, "edit", "greet", "-f", "app.py", "--max-rounds", "1", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "failed" and data["rounds"] == 2 and data["commit"] is None
    assert data["errors"]
    assert head(repo) == before
    assert git(repo, "status", "--porcelain").strip() == ""


def test_edit_adds_a_file_the_model_asks_for(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    change = "util.py\n```\n<<<<<<< SEARCH\n    return x * 2\n=======\n    return x * 3\n>>>>>>> REPLACE\n```\n"
    openai_server.enqueue(Text("I need to see it.\nNEED FILE: util.py\n"), Text(change), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "triple it", "-f", "app.py", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files_changed"] == ["util.py"]
    second = "\n".join(m["content"] for m in openai_server.posts[1].body["messages"])
    assert "return x * 2" in second


def test_edit_without_permission_for_a_file_fails(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text("NEED FILE: util.py\n"))
    proc = cli(openai_server, repo, isolated_env, "edit", "triple it", "-f", "app.py", "--json")
    assert proc.returncode == 1
    assert "util.py" in json.loads(proc.stdout)["errors"][0]


def test_edit_fixes_a_syntax_error(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    fix = "app.py\n```\n<<<<<<< SEARCH\ndef greet(:\n=======\ndef greet():\n>>>>>>> REPLACE\n```\n"
    openai_server.enqueue(Text(BROKEN_SR), Text(fix), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "greet the world", "-f", "app.py", "--stream-json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    checks = [e for e in events if e["type"] == "check"]
    assert [(c["name"], c["ok"]) for c in checks] == [("syntax", False), ("syntax", True)]
    assert "app.py:1:" in checks[0]["output"]
    assert events[-1]["type"] == "result" and events[-1]["status"] == "success"
    assert 'def greet():\n    return "hello, world"' in (repo / "app.py").read_text()
    reflection = openai_server.posts[1].body["messages"][-1]["content"]
    assert "syntax" in reflection and "app.py:1:" in reflection


def test_edit_fixes_a_failing_test_command(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    trusted_config(
        repo, isolated_env, "test_cmd = \"grep -q 'hello, world' app.py || (echo 'greeting test failed'; exit 1)\"\n"
    )
    half = GOOD_SR.replace('"hello, world"', '"hello, there"')
    fix = GOOD_SR.replace('return "hello"\n=', 'return "hello, there"\n=')
    openai_server.enqueue(Text(half), Text(fix), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "greet the world", "-f", "app.py", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["rounds"] == 2
    assert [(c["name"], c["ok"]) for c in data["checks"]] == [("syntax", True), ("test", True)]
    reflection = openai_server.posts[1].body["messages"][-1]["content"]
    assert "greeting test failed" in reflection


def test_edit_with_checks_that_never_pass_restores_files(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    trusted_config(repo, isolated_env, 'test_cmd = "exit 1"\n')
    before = (repo / "app.py").read_bytes()
    openai_server.enqueue(Text(GOOD_SR), Text("I cannot fix it."), Text("Still no."))
    proc = cli(openai_server, repo, isolated_env, "edit", "x", "-f", "app.py", "--max-rounds", "2", "--json")
    assert proc.returncode == 1
    assert (repo / "app.py").read_bytes() == before


def test_users_pending_work_is_saved_and_survives_a_failure(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    before = head(repo)
    mine = (repo / "app.py").read_text() + "# my own note\n"
    (repo / "app.py").write_text(mine)
    openai_server.enqueue(Text(GOOD_SR), Text(BAD_SR))
    trusted_config(repo, isolated_env, 'test_cmd = "exit 3"\n')
    proc = cli(openai_server, repo, isolated_env, "edit", "x", "-f", "app.py", "--max-rounds", "1")
    assert proc.returncode == 1
    assert (repo / "app.py").read_text() == mine  # exactly the user's version, still uncommitted
    assert head(repo) == before


def test_users_pending_work_is_committed_separately(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    mine = (repo / "app.py").read_text() + "# my own note\n"
    (repo / "app.py").write_text(mine)
    openai_server.enqueue(Text(GOOD_SR), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "edit", "x", "-f", "app.py")
    assert proc.returncode == 0, proc.stderr
    subjects = git(repo, "log", "-2", "--format=%s").splitlines()
    assert subjects[0].startswith("feat: greet") and "save your uncommitted changes" in subjects[1]
    assert "# my own note" in git(repo, "show", "HEAD~1:app.py")
    proc = subprocess.run(
        [sys.executable, "-m", "codeassist", "-C", str(repo), "undo"], capture_output=True, text=True, env=isolated_env
    )
    assert proc.returncode == 0, proc.stderr
    assert (repo / "app.py").read_text() == mine


def test_dry_run_writes_nothing(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    before = head(repo)
    openai_server.enqueue(Text(GOOD_SR))
    proc = cli(openai_server, repo, isolated_env, "--no-color", "edit", "x", "-f", "app.py", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert '+    return "hello, world"' in proc.stdout
    assert head(repo) == before and git(repo, "status", "--porcelain").strip() == ""


def test_no_commit_stages_the_change(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    before = head(repo)
    openai_server.enqueue(Text(GOOD_SR))
    proc = cli(openai_server, repo, isolated_env, "edit", "x", "-f", "app.py", "--no-commit", "--json")
    assert proc.returncode == 0, proc.stderr
    assert head(repo) == before
    assert git(repo, "status", "--porcelain").startswith("M  app.py")


def test_request_from_stdin_and_message_file(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    openai_server.enqueue(Text("one"), Text("two"))
    proc = cli(openai_server, repo, isolated_env, "ask", "-", input="question from stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert openai_server.requests[-1].body["messages"][-1]["content"].strip().endswith("question from stdin")
    msg = tmp_path / "request.txt"
    msg.write_text("question from a file")
    proc = cli(openai_server, repo, isolated_env, "ask", "--message-file", str(msg))
    assert proc.returncode == 0, proc.stderr
    assert openai_server.requests[-1].body["messages"][-1]["content"].strip().endswith("question from a file")


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["edit"], 2, "missing the request"),
        (["edit", "   "], 2, "empty"),
        (["edit", "x", "--edit-format", "poetry"], 2, "unknown edit format"),
        (["edit", "x", "--json", "--stream-json"], 2, "choose one"),
    ],
)
def test_usage_errors(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], args: list[str], code: int, needle: str
) -> None:
    proc = cli(openai_server, repo, isolated_env, *args)
    assert proc.returncode == code, proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_edit_outside_git_is_a_git_error(
    openai_server: OpenAIServer, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    proc = cli(openai_server, tmp_path, isolated_env, "edit", "x", "--json")
    assert proc.returncode == 5
    assert json.loads(proc.stdout)["status"] == "error"


def test_no_model_is_a_config_error(repo: Path, isolated_env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "codeassist", "-C", str(repo), "ask", "hi"],
        capture_output=True,
        text=True,
        env=isolated_env,
    )
    assert proc.returncode == 3
    assert "model" in proc.stderr and "Traceback" not in proc.stderr


def test_backend_errors_exit_4_with_json(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Fault.unauthorized())
    proc = cli(openai_server, repo, isolated_env, "edit", "x", "-f", "app.py", "--json")
    assert proc.returncode == 4
    data = json.loads(proc.stdout)
    assert data["status"] == "error" and "OPENAI_API_KEY" in data["errors"][0]


def test_interrupt_during_a_slow_stream(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    before = (repo / "app.py").read_bytes()
    openai_server.enqueue(Text(GOOD_SR, chunk_size=2, delay=0.05))
    argv = [
        sys.executable,
        "-m",
        "codeassist",
        "-C",
        str(repo),
        "--base-url",
        openai_server.base_url,
        "--api-key",
        "k",
        "--model",
        "gpt-4o-mini",
        "edit",
        "x",
        "-f",
        "app.py",
        "--stream-json",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=isolated_env)
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until the reply is streaming
        if json.loads(line)["type"] == "delta":
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert json.loads(out.splitlines()[-1])["status"] == "error"
    assert (repo / "app.py").read_bytes() == before
    assert openai_server.wait_aborted()


def test_a_hanging_server_times_out(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Hang())
    env = {**isolated_env, "CODEASSIST_TIMEOUT_READ": "0.5", "CODEASSIST_MAX_RETRIES": "0"}
    start = time.monotonic()
    proc = cli(openai_server, repo, env, "ask", "x")
    assert proc.returncode == 4
    assert openai_server.base_url.split("/v1")[0] in proc.stderr
    assert time.monotonic() - start < 60


def test_plugin_backend_answers_ask(repo: Path, isolated_env: dict[str, str], tmp_path: Path) -> None:
    from echo_plugin import install

    site = install(tmp_path / "site")
    env = {**isolated_env, "PYTHONPATH": os.pathsep.join([str(site), isolated_env.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "codeassist", "-C", str(repo), "--model", "echo/parrot", "ask", "say this back"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "say this back" in proc.stdout


def test_ask_works_outside_a_git_repository(
    openai_server: OpenAIServer, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    (tmp_path / "notes.py").write_text("def answer():\n    return 42\n")
    openai_server.enqueue(Text("It returns 42."))
    proc = cli(openai_server, tmp_path, isolated_env, "ask", "what does answer return?", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["reply"] == "It returns 42."
    assert "def answer" in json.dumps(openai_server.requests[-1].body["messages"])


def test_human_output_streams_the_reply_and_reports_on_stderr(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text(GOOD_SR), COMMIT_MSG)
    proc = cli(openai_server, repo, isolated_env, "--no-color", "edit", "greet the world", "-f", "app.py")
    assert proc.returncode == 0, proc.stderr
    assert "Here is the change." in proc.stdout and "<<<<<<< SEARCH" in proc.stdout
    assert "applied replace app.py" in proc.stderr
    assert "committed" in proc.stderr and "feat: greet the whole world" in proc.stderr
    assert "success: app.py" in proc.stderr
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_a_configured_map_budget_is_what_ask_and_context_use(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    def map_budget(*args: str) -> int:
        proc = cli(openai_server, repo, isolated_env, *args)
        assert proc.returncode == 0, proc.stderr
        if args[0] == "context":
            parts = json.loads(proc.stdout)["parts"]
        else:
            parts = next(e for e in map(json.loads, proc.stdout.splitlines()) if e["type"] == "context")["parts"]
        return int(next(p["detail"] for p in parts if p["name"] == "repo map").split()[-1])

    openai_server.enqueue(Text("It doubles."), Text("It doubles."))
    scaled = map_budget("ask", "what does helper do?", "--stream-json")
    assert scaled > 1000  # the default scales with the model's window
    (repo / ".codeassist.toml").write_text("map_tokens = 400\n")
    configured = map_budget("ask", "what does helper do?", "--stream-json")
    # The prompt `context` prints is the one `ask` sends: the same budget, the paths listed after the map
    # paid from it.
    assert configured == map_budget("context", "what does helper do?", "--json") <= 400
