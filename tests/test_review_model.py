"""The model's review and the message drafter against the loopback OpenAI-compatible server, through real commits."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from openai_server import Fault, Hang, OpenAIServer, Text

from tests.conftest import git
from tests.hook_fixtures import codeassist, commit, git_run, head, stage


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("def main():\n    return 1\n")
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "feat: add app")
    assert codeassist(git_repo, "hook", "install", "--commit-msg").returncode == 0
    return git_repo


def model_env(isolated_env: dict[str, str], base_url: str, **extra: str) -> dict[str, str]:
    return {
        **isolated_env,
        "CODEASSIST_MODEL": "gpt-4o-mini",
        "CODEASSIST_BASE_URL": base_url,
        "OPENAI_API_KEY": "test-key",
        "CODEASSIST_HOOK_REVIEW": "1",
        **extra,
    }


def findings_reply(*items: dict[str, object]) -> Text:
    return Text(json.dumps({"findings": list(items)}), chunk_size=7)


def prompt_of(server: OpenAIServer) -> str:
    body = server.posts[-1].body
    assert isinstance(body, dict)
    return "\n".join(str(m["content"]) for m in body["messages"])


def test_model_error_finding_blocks_the_commit(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(
        findings_reply({"path": "app.py", "line": 2, "severity": "error", "message": "returns a string, callers add"})
    )
    stage(repo, {"app.py": "def main():\n    return '1'\n"})
    proc = commit(repo, env=model_env(isolated_env, openai_server.base_url))
    assert proc.returncode != 0
    assert "app.py:2: error: returns a string, callers add [model]" in proc.stderr
    prompt = prompt_of(openai_server)
    assert "    2 + " in prompt and "return '1'" in prompt  # the change, numbered as in the new file


def test_malformed_reply_and_impossible_lines_are_dropped_and_counted(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    env = model_env(isolated_env, openai_server.base_url)
    openai_server.enqueue(Text('{"findings": [{"path": "app.py", "line": '))
    stage(repo, {"app.py": "def main():\n    return 2\n"})
    proc = commit(repo, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "1 finding(s) of the model could not be used" in proc.stderr

    openai_server.enqueue(
        findings_reply(
            {"path": "app.py", "line": 99, "severity": "error", "message": "no such line"},
            {"path": "elsewhere.py", "line": 1, "severity": "error", "message": "not in the change"},
            {"path": "app.py", "line": 2, "severity": "warning", "message": "magic number"},
            "not even an object",
        )
    )
    stage(repo, {"app.py": "def main():\n    return 3\n"})
    proc = commit(repo, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "app.py:2: warning: magic number [model]" in proc.stderr
    assert "3 finding(s) of the model could not be used" in proc.stderr
    assert "no such line" not in proc.stderr


def test_hanging_backend_lets_the_commit_through_within_the_budget(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Hang())
    stage(repo, {"app.py": "def main():\n    return 4\n"})
    before = head(repo)
    proc = commit(repo, env=model_env(isolated_env, openai_server.base_url, CODEASSIST_HOOK_TIMEOUT="1"))
    assert proc.returncode == 0, proc.stderr
    assert head(repo) != before
    assert "did not finish within 1 s" in proc.stderr and "commit allowed without the model review" in proc.stderr


def test_fail_closed_blocks_when_the_review_cannot_complete(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Fault.server_error())
    stage(repo, {"app.py": "def main():\n    return 5\n"})
    env = model_env(isolated_env, openai_server.base_url, CODEASSIST_HOOK_FAIL_CLOSED="1")
    proc = commit(repo, env=env)
    assert proc.returncode != 0 and "hook_fail_closed" in proc.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_backend_warns_in_one_line_and_commits(repo: Path, isolated_env: dict[str, str]) -> None:
    stage(repo, {"app.py": "def main():\n    return 6\n"})
    proc = commit(repo, env=model_env(isolated_env, f"http://127.0.0.1:{free_port()}/v1"))
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("codeassist: warning: model review")]
    assert len(warnings) == 1 and "Traceback" not in proc.stderr


def test_no_model_configured_is_a_warning_not_a_block(repo: Path, isolated_env: dict[str, str]) -> None:
    stage(repo, {"app.py": "def main():\n    return 7\n"})
    proc = commit(repo, env={**isolated_env, "CODEASSIST_HOOK_REVIEW": "1"})
    assert proc.returncode == 0 and "no model configured" in proc.stderr


def test_ignored_files_and_secret_stores_are_never_sent(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    (repo / ".codeassistignore").write_text("private/\n")
    stage(
        repo,
        {
            ".env": "DEBUG=on-the-env-file\n",
            "private/plan.py": "PLAN = 'kept-private'\n",
            "deploy.pem": "not-really-a-key\n",
            "app.py": "def main():\n    return 8\n",
        },
    )
    openai_server.enqueue(findings_reply())
    env = model_env(isolated_env, openai_server.base_url)
    proc = codeassist(repo, "review", "--staged", "--json", env=env)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert data["model"] == "done" and data["not_sent"] == [".env", "deploy.pem", "private/plan.py"]
    prompt = prompt_of(openai_server)
    assert "return 8" in prompt
    for text in ("on-the-env-file", "kept-private", "not-really-a-key"):
        assert text not in prompt


def test_review_json_shape(repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]) -> None:
    openai_server.enqueue(
        findings_reply({"path": "app.py", "line": 2, "end_line": 2, "severity": "warning", "message": "m"})
    )
    stage(repo, {"app.py": "def main():\n    return 9\n    breakpoint()\n"})
    proc = codeassist(
        repo,
        "review",
        "--staged",
        "--json",
        "--fail-on",
        "warning",
        env=model_env(isolated_env, openai_server.base_url),
    )
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert set(data) == {
        "version",
        "target",
        "range",
        "findings",
        "files",
        "model",
        "not_sent",
        "dropped",
        "cached",
        "blocking",
        "warnings",
        "errors",
    }
    assert data["version"] == 1 and data["target"] == "staged" and data["blocking"] is True
    assert data["findings"] == [
        {
            "path": "app.py",
            "line": 2,
            "end_line": 2,
            "severity": "warning",
            "rule": "model",
            "message": "m",
            "source": "model",
        },
        {
            "path": "app.py",
            "line": 3,
            "end_line": 3,
            "severity": "error",
            "rule": "debug-leftover",
            "message": "debugging leftover: breakpoint()",
            "source": "debug-leftover",
        },
    ]


def test_drafts_a_message_when_git_has_none(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(findings_reply(), Text("fix(app): return two\n\nCallers expect the second value."))
    stage(repo, {"app.py": "def main():\n    return 2\n"})
    env = {**model_env(isolated_env, openai_server.base_url), "GIT_EDITOR": "true"}
    proc = git_run(repo, "commit", "-q", env=env)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "log", "-1", "--format=%B").strip() == "fix(app): return two\n\nCallers expect the second value."
    assert "feat: add app" in prompt_of(openai_server)  # the repository's recent style is the example


def test_never_drafts_over_a_given_message_or_during_a_cherry_pick(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    env = {**model_env(isolated_env, openai_server.base_url), "CODEASSIST_HOOK_REVIEW": "0", "GIT_EDITOR": "true"}
    stage(repo, {"app.py": "def main():\n    return 3\n"})
    assert commit(repo, env=env).returncode == 0
    assert git(repo, "log", "-1", "--format=%s").strip() == "change"
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    proc = git_run(repo, "cherry-pick", "main", env=env)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "change"
    assert openai_server.requests == []


def test_a_failed_draft_never_fails_the_hook(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    git(repo, "config", "commit.template", str(repo / ".git" / "tmpl"))
    (repo / ".git" / "tmpl").write_text("Subject here\n")
    editor = repo / ".git" / "editor.sh"  # the user edits the template's subject
    editor.write_text('#!/bin/sh\nsed -i "s/Subject here/Edited subject/" "$1"\n')
    editor.chmod(0o755)
    openai_server.enqueue(Fault.server_error())
    env = {**model_env(isolated_env, openai_server.base_url), "CODEASSIST_HOOK_REVIEW": "0", "GIT_EDITOR": str(editor)}
    stage(repo, {"app.py": "def main():\n    return 4\n"})
    proc = git_run(repo, "commit", "-q", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "no message drafted" in proc.stderr
    assert git(repo, "log", "-1", "--format=%B").strip() == "Edited subject"


def test_commit_command_end_to_end(repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]) -> None:
    env = {**model_env(isolated_env, openai_server.base_url), "CODEASSIST_HOOK_REVIEW": "0"}
    stage(repo, {"app.py": "def main():\n    return 10\n"})
    openai_server.enqueue(Text("```\nfix: return ten\n```"))
    dry = codeassist(repo, "commit", "--dry-run", env=env)
    assert dry.returncode == 0 and dry.stdout.strip() == "fix: return ten"
    before = head(repo)
    assert head(repo) == before
    openai_server.enqueue(Text("fix: return ten"))
    proc = codeassist(repo, "commit", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["commit"] == head(repo) != before and data["files"] == ["app.py"] and data["errors"] == []
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix: return ten"

    (repo / "app.py").write_text("def main():\n    return 11\n")  # tracked, not staged
    nothing = codeassist(repo, "commit", env=env)
    assert nothing.returncode == 1 and "nothing to commit" in nothing.stderr
    openai_server.enqueue(Text("fix: return eleven"))
    proc = codeassist(repo, "commit", "-a", env=env)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "show", "HEAD:app.py").endswith("return 11\n")

    stage(repo, {"app.py": "def main(:\n"})  # the user's hooks run: ours blocks this
    openai_server.enqueue(Text("fix: break it"))
    blocked = codeassist(repo, "commit", env=env)
    assert blocked.returncode == 5 and "app.py:1" in blocked.stderr


def test_commit_without_a_model_is_a_configuration_error(repo: Path) -> None:
    stage(repo, {"app.py": "def main():\n    return 12\n"})
    proc = codeassist(repo, "commit", "--json")
    assert proc.returncode == 3
    data = json.loads(proc.stdout)
    assert data["commit"] is None and "no model configured" in data["errors"][0]


def test_commit_resolves_the_model_as_edit_does(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    # Only a server named: the model it serves is found (as for edit and ask), not "no model configured".
    openai_server.models = ["served-coder"]
    env = {**isolated_env, "CODEASSIST_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "test-key"}
    stage(repo, {"app.py": "def main():\n    return 16\n"})
    openai_server.enqueue(Text("fix: return sixteen"))
    proc = codeassist(repo, "commit", "--dry-run", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["message"] == "fix: return sixteen"
    body = openai_server.posts[-1].body
    assert isinstance(body, dict) and body["model"] == "served-coder"


def test_json_schema_is_asked_for_only_where_the_endpoint_takes_it(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    stage(repo, {"app.py": "def main():\n    return 13\n"})
    openai_server.enqueue(findings_reply(), findings_reply())
    env = model_env(isolated_env, openai_server.base_url)
    assert codeassist(repo, "review", "--json", env=env).returncode == 0
    body = openai_server.posts[-1].body
    assert isinstance(body, dict) and "response_format" not in body  # auto: a server other than OpenAI's own
    stage(repo, {"app.py": "def main():\n    return 14\n"})  # another change: not answered from the cache
    proc = codeassist(repo, "review", "--json", env={**env, "CODEASSIST_REVIEW_JSON_SCHEMA": "on"})
    assert proc.returncode == 0, proc.stderr
    body = openai_server.posts[-1].body
    assert isinstance(body, dict)
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["findings"]


def test_a_template_gets_the_draft_above_it_and_dry_run_all_leaves_the_index(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    env = {**model_env(isolated_env, openai_server.base_url), "CODEASSIST_HOOK_REVIEW": "0", "GIT_EDITOR": "true"}
    (repo / "app.py").write_text("def main():\n    return 15\n")  # tracked, not staged
    index = (repo / ".git" / "index").read_bytes()
    openai_server.enqueue(Text("fix: return fifteen"))
    dry = codeassist(repo, "commit", "--dry-run", "-a", env=env)
    assert dry.returncode == 0 and dry.stdout.strip() == "fix: return fifteen"
    assert (repo / ".git" / "index").read_bytes() == index
    assert "return 15" in prompt_of(openai_server)

    (repo / ".git" / "tmpl").write_text("# Why:\n")
    git(repo, "config", "commit.template", str(repo / ".git" / "tmpl"))
    openai_server.enqueue(Text("fix: return fifteen"))
    proc = git_run(repo, "commit", "-q", "-a", env=env)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "log", "-1", "--format=%B").strip() == "fix: return fifteen"
