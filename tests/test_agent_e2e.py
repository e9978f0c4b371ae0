"""Agent mode end to end: the real CLI and openai SDK, the loopback server playing a tool-calling model,
real git repositories, real test commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from openai_server import Call, OpenAIServer, Text, ToolCalls

BUGGY = "def add(a, b):\n    return a - b\n\n\ndef twice(x):\n    return add(x, x)\n"
TEST = "from calc import add\n\nassert add(2, 3) == 5, 'add(2, 3) should be 5'\nprint('tests pass')\n"
COMMIT_MSG = Text("fix: add adds\n\nIt subtracted.")


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "calc.py").write_text(BUGGY)
    (git_repo / "test_calc.py").write_text(TEST)
    (git_repo / ".codeassist.toml").write_text(f'test_cmd = "{Path(sys.executable).as_posix()} test_calc.py"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add calc")
    # The owner trusts the repository's config, so its test_cmd runs (issue 11's trust boundary).
    argv = [sys.executable, "-m", "codeassist", "-C", str(git_repo), "trust"]
    subprocess.run(argv, check=True, capture_output=True, env=dict(os.environ), timeout=60)
    return git_repo


def call(tool: str, /, **args: Any) -> ToolCalls:
    return ToolCalls([Call(tool, json.dumps(args))])


def cli(server: OpenAIServer, repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url]
    argv += ["--api-key", "test-key", "--model", "gpt-4o-mini", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, input="", timeout=120)


def events(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def tool_results(server: OpenAIServer, request: int = -1) -> list[str]:
    """The tool results the model saw in a Chat Completions request, in order."""
    return [m["content"] for m in server.posts[request].body["messages"] if m["role"] == "tool"]


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


FIX_WRONG = call("replace_in_file", path="calc.py", old_text="return a - b", new_text="return a + b + 1")
FIX_RIGHT = call("replace_in_file", path="calc.py", old_text="return a + b + 1", new_text="return a + b")
SESSION = [
    call("search", pattern=r"def add\b"),
    call("find_symbol", name="add"),
    call("read_file", path="calc.py"),
    FIX_WRONG,
    call("run_tests"),
    FIX_RIGHT,
    call("run_tests"),
    Text("add subtracted; it adds now."),
    COMMIT_MSG,
]


def test_search_symbol_read_edit_test_fix_commit(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(*SESSION)
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "fix add", "--stream-json")
    assert proc.returncode == 0, proc.stderr
    seen = events(proc)
    calls = [e["name"] for e in seen if e["type"] == "tool.call"]
    assert calls == [
        "search",
        "find_symbol",
        "read_file",
        "replace_in_file",
        "run_tests",
        "replace_in_file",
        "run_tests",
    ]
    results = [(e["name"], e["ok"]) for e in seen if e["type"] == "tool.result"]
    assert results[4] == ("run_tests", False) and results[6] == ("run_tests", True)
    result = seen[-1]
    assert result["type"] == "result" and result["status"] == "success" and result["files_changed"] == ["calc.py"]
    assert result["commit"] == head(repo) and result["rounds"] == 8
    assert [(c["name"], c["ok"]) for c in result["checks"]] == [("syntax", True), ("test", True)]
    assert "return a + b\n" in (repo / "calc.py").read_text()
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix: add adds"
    assert git(repo, "status", "--porcelain").strip() == ""
    # What the model read: file:line hits, the definition with its signature, numbered lines, the test output.
    seen_results = tool_results(openai_server, 7)
    assert seen_results[0].startswith("calc.py:1: def add(a, b):")
    assert seen_results[1].startswith("calc.py:1: def add(a, b):") and "function" in seen_results[1]
    assert "2 |     return a - b" in seen_results[2]
    assert seen_results[3].startswith("applied: replace calc.py")
    assert "test failed" in seen_results[4] and "add(2, 3) should be 5" in seen_results[4]
    assert "test passed" in seen_results[6]
    first = openai_server.posts[0].body
    offered = [t["function"]["name"] for t in first["tools"]]
    assert offered[:6] == ["read_file", "list_files", "search", "find_symbol", "find_references", "repo_map"]
    assert {"replace_in_file", "create_file", "delete_file", "run", "run_tests"} <= set(offered)
    assert "run_lint" not in offered  # no lint_cmd configured
    assert "NEED FILE" not in first["messages"][0]["content"] and "tools" in first["messages"][0]["content"]
    assert first["messages"][-1]["content"] == "fix add"


def test_the_same_over_the_responses_api(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(*SESSION)
    env = {**isolated_env, "CODEASSIST_API": "responses"}
    proc = cli(openai_server, repo, env, "edit", "--agent", "fix add", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "success" and data["commit"] == head(repo)
    assert "return a + b\n" in (repo / "calc.py").read_text()
    assert all(r.path.endswith("/responses") for r in openai_server.posts)
    items = openai_server.posts[7].body["input"]
    calls = [i for i in items if i.get("type") == "function_call"]
    outputs = [i for i in items if i.get("type") == "function_call_output"]
    assert [c["name"] for c in calls][:3] == ["search", "find_symbol", "read_file"]
    assert [o["call_id"] for o in outputs] == [c["call_id"] for c in calls]
    assert "test failed" in outputs[4]["output"] and "test passed" in outputs[6]["output"]
    assert openai_server.posts[0].body["tools"][0]["name"] == "read_file"


def test_a_hidden_file_is_refused(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    (repo / "notes.txt").write_text("internal plan: SECRET-PLAN-42\n")
    (repo / ".codeassistignore").write_text("notes.txt\n")
    (repo / ".env").write_text("API_TOKEN=sk-very-secret-value\n")
    git(repo, "add", "-f", "notes.txt", ".codeassistignore", ".env")
    git(repo, "commit", "-q", "-m", "notes")
    openai_server.enqueue(
        call("read_file", path="notes.txt"),
        call("read_file", path="./.env"),
        call("search", pattern="SECRET-PLAN|sk-very"),
        call("list_files"),
        Text("I cannot read those files."),
    )
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "what is in notes.txt?", "--json")
    assert proc.returncode == 0, proc.stderr
    results = tool_results(openai_server)
    assert results[0].startswith("error: notes.txt is hidden from the model")
    assert results[1].startswith("error: .env is hidden from the model")
    assert results[2].startswith("no match")
    assert "notes.txt" not in results[3] and ".env" not in results[3] and "calc.py" in results[3]
    sent = json.dumps([r.body for r in openai_server.requests])
    assert "SECRET-PLAN-42" not in sent and "sk-very-secret-value" not in sent


def test_a_command_is_refused_without_approval_and_allowed_by_pattern(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(call("run", command="echo hi > made.txt"), Text("It was refused."))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "make a file", "--stream-json")
    assert proc.returncode == 0, proc.stderr
    assert tool_results(openai_server)[0].startswith("error: not run: refused: running a command needs the user's")
    assert not (repo / "made.txt").exists()
    result = [e for e in events(proc) if e["type"] == "tool.result"][0]
    assert result["ok"] is False and result["summary"].startswith("refused")

    user_config = repo.parent / "user-config.toml"
    user_config.write_text('allow_commands = ["echo *"]\n')
    openai_server.requests.clear()
    openai_server.enqueue(
        call("run", command="echo allowed-output"),
        call("run", command="echo hi; touch pwned.txt"),  # a pattern never lets a second command through
        Text("Done."),
    )
    env = {**isolated_env, "CODEASSIST_CONFIG": str(user_config)}
    proc = cli(openai_server, repo, env, "edit", "--agent", "say hi", "--json")
    assert proc.returncode == 0, proc.stderr
    results = tool_results(openai_server)
    assert results[0] == "$ echo allowed-output\nexit code 0\nallowed-output\n"
    assert results[1].startswith("error: not run: refused")
    assert not (repo / "pwned.txt").exists()


def test_read_only_offers_no_edits_and_no_commands(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(FIX_WRONG, Text("add subtracts."))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "--approval", "read-only", "why?", "--json")
    assert proc.returncode == 0, proc.stderr
    offered = [t["function"]["name"] for t in openai_server.posts[0].body["tools"]]
    assert offered == ["read_file", "list_files", "search", "find_symbol", "find_references", "repo_map"]
    assert tool_results(openai_server)[0].startswith("error: there is no tool 'replace_in_file' here")
    assert (repo / "calc.py").read_text() == BUGGY
    assert json.loads(proc.stdout)["reply"] == "add subtracts."


def test_the_step_limit_ends_honestly_and_puts_a_failing_change_back(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    before = head(repo)
    openai_server.enqueue(FIX_WRONG, call("read_file", path="calc.py"))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "--max-steps", "2", "fix add", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "failed" and data["rounds"] == 2 and data["commit"] is None
    assert data["errors"][0] == "stopped: the step limit (2 model calls) was reached"
    assert "checks fail on the change so far: test" in data["errors"][1]
    assert "calc.py" in data["errors"][2]
    assert len(openai_server.posts) == 2
    assert (repo / "calc.py").read_text() == BUGGY and head(repo) == before
    assert git(repo, "status", "--porcelain").strip() == ""


def test_the_step_limit_keeps_a_change_that_passes(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    fix = call("replace_in_file", path="calc.py", old_text="return a - b", new_text="return a + b")
    openai_server.enqueue(fix, call("list_files"), COMMIT_MSG)
    (repo / ".codeassist.toml").write_text((repo / ".codeassist.toml").read_text() + "max_steps = 2\n")
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "fix add", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "success" and data["commit"] == head(repo)
    assert data["errors"] == [
        "stopped: the step limit (2 model calls) was reached; the change so far passes the checks"
    ]


def test_a_malformed_call_gets_an_error_the_model_can_act_on(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(
        ToolCalls([Call("read_file", '{"path": "calc.py"')]),
        ToolCalls([Call("read_file", '{"file": "calc.py"}')]),
        ToolCalls([Call("open_file", '{"path": "calc.py"}')]),
        ToolCalls([Call("read_file", '{"path": "calc.py", "start_line": "one"}')]),
        call("read_file", path="calc.py", start_line=5),
        Text("Read it."),
    )
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "read calc", "--json")
    assert proc.returncode == 0, proc.stderr
    results = tool_results(openai_server)
    assert results[0].startswith("error: the arguments of read_file are not valid JSON")
    assert '{"path": "..."}' in results[0]
    assert results[1] == (
        'error: read_file: unknown argument(s): file; missing required argument(s): path; for example {"path": "..."}'
    )
    assert results[2].startswith("error: there is no tool 'open_file' here; the tools are: read_file, list_files")
    assert results[3].startswith("error: read_file: start_line must be integer")
    assert results[4].startswith("calc.py (lines 5-6 of 6)")


def test_a_repeated_call_is_stopped(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(*[call("list_files", glob="*.py")] * 3)
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "look", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["errors"] == ["stopped: the model repeated the same list_files call 3 times with nothing changed"]
    assert tool_results(openai_server)[1].startswith("note: you made this exact call before")


def test_bad_mode_and_approval_values(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "--approval", "yolo", "x", "--json")
    assert proc.returncode == 2 and "unknown approval level 'yolo'" in json.loads(proc.stdout)["errors"][0]
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "--dry-run", "x", "--json")
    assert proc.returncode == 2 and "--dry-run is not available" in json.loads(proc.stdout)["errors"][0]
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "--max-steps", "0", "x", "--json")
    assert proc.returncode == 2 and "at least 1" in json.loads(proc.stdout)["errors"][0]
    env = {**isolated_env, "CODEASSIST_MODE": "turbo"}
    proc = cli(openai_server, repo, env, "edit", "x", "--json")
    assert proc.returncode == 3 and "unknown mode 'turbo'" in json.loads(proc.stdout)["errors"][0]
    assert openai_server.posts == []


def test_mode_setting_picks_the_agent(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(Text("Nothing to do."))
    env = {**isolated_env, "CODEASSIST_MODE": "agent"}
    proc = cli(openai_server, repo, env, "edit", "look around", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "tools" in openai_server.posts[0].body


def test_old_tool_results_are_shortened_when_the_window_fills(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    (repo / "data.txt").write_text("".join(f"line {i:04d} of a long and rather repetitive file\n" for i in range(400)))
    config = (repo / ".codeassist.toml").read_text() + '[models."gpt-4o-mini"]\ncontext_window = 12000\n'
    (repo / ".codeassist.toml").write_text(config + "max_output_tokens = 1000\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data")
    reads = [call("read_file", path="data.txt", start_line=1 + 60 * i, end_line=60 * (i + 1)) for i in range(7)]
    openai_server.enqueue(*reads, Text("The file counts lines."))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "what is in data.txt?", "--stream-json")
    assert proc.returncode == 0, proc.stderr
    compacted = [e for e in events(proc) if e["type"] == "history.compacted"]
    assert compacted and compacted[0]["results"] >= 1
    last = tool_results(openai_server)
    assert last[0].endswith("[... shortened to save room; call the tool again for the rest]")
    assert last[-1].startswith("data.txt (lines 361-400 of 400)") and "line 0399" in last[-1]


def test_the_token_limit_stops_a_request(openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]) -> None:
    (repo / ".codeassist.toml").write_text((repo / ".codeassist.toml").read_text() + "max_request_tokens = 10\n")
    openai_server.enqueue(call("list_files"), Text("never sent"))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "look", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["errors"][0].startswith("stopped: the token limit (10 tokens per request) was reached")
    assert len(openai_server.posts) == 1


def test_an_edit_of_a_hidden_file_is_refused(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    (repo / ".env").write_text("API_TOKEN=sk-very-secret-value\n")
    openai_server.enqueue(
        call("replace_in_file", path=".env", old_text="API_TOKEN=sk-very-secret-value", new_text="API_TOKEN=x"),
        call("create_file", path="config/.env.local", content="X=1\n"),
        Text("I left the secrets alone."),
    )
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "rotate the token", "--json")
    assert proc.returncode == 0, proc.stderr
    results = tool_results(openai_server)
    assert all(r.startswith("error: ") for r in results), results
    assert not any("sk-very-secret-value" in r for r in results)
    assert (repo / ".env").read_text() == "API_TOKEN=sk-very-secret-value\n"
    assert not (repo / "config").exists()


def test_a_repository_cannot_allow_its_own_commands(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    config = (repo / ".codeassist.toml").read_text() + 'allow_commands = ["*"]\napproval = "full-auto"\n'
    (repo / ".codeassist.toml").write_text(config)
    git(repo, "commit", "-qam", "allow everything")
    openai_server.enqueue(call("run", command="echo hi > made.txt"), Text("Refused."))
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "x", "--stream-json")
    assert proc.returncode == 0, proc.stderr
    seen = events(proc)
    assert seen[0]["type"] == "start" and seen[0]["approval"] == "auto-edit"
    notices = [e["message"] for e in seen if e["type"] == "notice"]
    assert any("full-auto" in n for n in notices) and any("allow_commands" in n for n in notices)
    assert tool_results(openai_server)[0].startswith("error: not run: refused")
    assert not (repo / "made.txt").exists()


def test_a_backend_failure_mid_request_puts_everything_back(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    from openai_server import Fault

    before = head(repo)
    openai_server.enqueue(FIX_WRONG, Fault.unauthorized())
    proc = cli(openai_server, repo, isolated_env, "edit", "--agent", "fix add", "--json")
    assert proc.returncode == 4
    data = json.loads(proc.stdout)
    assert data["status"] == "error" and data["rounds"] == 2
    assert any("put back as they were before the request: calc.py" in e for e in data["errors"])
    assert (repo / "calc.py").read_text() == BUGGY and head(repo) == before
    assert git(repo, "status", "--porcelain").strip() == ""
