"""``ask``/``edit`` under ``--json`` and ``--stream-json``: exactly one result object on every exit,
usage errors included; ``--dry-run`` carries its diff; warnings reach the events."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from replies import GOOD_SR

RUN_KEYS = {"version", "status", "reply", "files_changed", "commit", "rounds", "checks", "usage", "errors", "diff"}
RESULT_EVENT_KEYS = (RUN_KEYS - {"version"}) | {"type"}


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text('def greet():\n    return "hello"\n\n\nprint(greet())\n')
    (git_repo / "src").mkdir()
    (git_repo / "src" / "util.py").write_text("def helper(x):\n    return x * 2\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


def cli(
    repo: Path, env: dict[str, str], *args: str, server: OpenAIServer | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "--no-color", "-C", str(repo), "--api-key", "test-key"]
    argv += ["--model", "gpt-4o-mini"]
    if server is not None:
        argv += ["--base-url", server.base_url]
    argv += args
    return subprocess.run(argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)


def one_line(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    out: dict[str, Any] = json.loads(lines[0])
    return out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["edit", "x", "--json", "--bogus"], "--bogus"),
        (["ask", "x", "--json", "--bogus"], "--bogus"),
        (["ask", "x", "--json", "--max-rounds", "3"], "--max-rounds"),
        (["edit", "x", "--json", "--max-rounds", "many"], "--max-rounds"),
        (["edit", "x", "--json", "--map-tokens"], "--map-tokens"),
        (["edit", "--json"], "missing the request"),
        (["ask", "   ", "--json"], "empty"),
        (["edit", "--message-file", "no-such-request.txt", "--json"], "no-such-request.txt"),
        (["edit", "x", "--json", "--stream-json"], "choose one"),
        (["edit", "x", "--json", "--model"], "--model needs a value"),
    ],
)
def test_usage_errors_print_one_result_object(
    repo: Path, isolated_env: dict[str, str], args: list[str], needle: str
) -> None:
    proc = cli(repo, isolated_env, *args)
    assert proc.returncode == 2, proc.stderr
    out = one_line(proc)
    assert set(out) == RUN_KEYS and out["status"] == "error" and out["commit"] is None
    (error,) = out["errors"]
    assert needle in error and needle in proc.stderr


@pytest.mark.parametrize(
    "args",
    [["edit", "x", "--stream-json", "--bogus"], ["ask", "--stream-json"], ["edit", "--stream-json", "--max-rounds"]],
)
def test_usage_errors_under_stream_json_print_the_result_event(
    repo: Path, isolated_env: dict[str, str], args: list[str]
) -> None:
    proc = cli(repo, isolated_env, *args)
    assert proc.returncode == 2, proc.stderr
    out = one_line(proc)
    assert set(out) == RESULT_EVENT_KEYS and out["type"] == "result" and out["status"] == "error"
    assert len(out["errors"]) == 1


def test_without_json_a_usage_error_prints_nothing_on_stdout(repo: Path, isolated_env: dict[str, str]) -> None:
    for args in (["edit", "x", "--bogus"], ["edit"]):
        proc = cli(repo, isolated_env, *args)
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr


def test_a_json_flag_after_double_dash_is_an_argument(repo: Path, isolated_env: dict[str, str]) -> None:
    proc = cli(repo, isolated_env, "edit", "--bogus", "--", "--json")
    assert proc.returncode == 2 and proc.stdout == ""


def test_dry_run_json_carries_the_diff(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text(GOOD_SR))
    proc = cli(repo, isolated_env, "edit", "x", "-f", "app.py", "--dry-run", "--json", server=openai_server)
    assert proc.returncode == 0, proc.stderr
    out = one_line(proc)
    assert set(out) == RUN_KEYS and out["status"] == "success" and out["commit"] is None
    assert out["diff"].startswith("diff --git a/app.py b/app.py\n")
    assert '+    return "hello, world"\n' in out["diff"]
    assert git(repo, "status", "--porcelain") == ""


def test_a_run_that_is_not_a_dry_run_has_an_empty_diff(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text("The greeting is in app.py."))
    out = one_line(cli(repo, isolated_env, "ask", "where?", "--json", server=openai_server))
    assert out["status"] == "success" and out["diff"] == ""


def test_a_whole_file_beside_its_namesake_is_a_warning_event(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    reply = "lib/util.py\n```python\ndef helper(x):\n    return x * 3\n```\n"
    openai_server.enqueue(Text(reply), Text("feat: triple"))
    proc = cli(repo, isolated_env, "edit", "triple it", "--stream-json", "--no-commit", server=openai_server)
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    (warning,) = [e for e in events if e["type"] == "edit.warning"]
    assert warning["path"] == "lib/util.py" and "src/util.py" in warning["message"]
