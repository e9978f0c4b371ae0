"""Approval levels, command patterns, the bubblewrap sandbox, and the bounds of a request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, sandbox_python
from openai_server import Call, OpenAIServer, Text, ToolCalls

from codeassist.agent.approval import allowed_by_pattern, bubblewrap, decide
from codeassist.agent.bounds import Bounds, compact
from codeassist.agent.options import AgentPolicy
from codeassist.backends.base import Message, ToolCall, Usage

BWRAP = bubblewrap()


def policy(approval: str = "auto-edit", allow: tuple[str, ...] = (), answer: bool | None = None) -> AgentPolicy:
    confirm = None if answer is None else (lambda command, why: answer)
    return AgentPolicy(approval, allow, 30, None, None, confirm)  # type: ignore[arg-type]


def full_auto(repo: Path, server: OpenAIServer, env: dict[str, str]) -> str:
    """``edit --agent --approval full-auto`` with the replies queued on ``server``; the first tool result."""
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url]
    argv += ["--api-key", "k", "--model", "gpt-4o-mini", "edit", "--agent", "--approval", "full-auto", "go", "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, input="", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return str([m["content"] for m in server.posts[1].body["messages"] if m["role"] == "tool"][0])


def test_patterns_allow_simple_commands_only() -> None:
    assert allowed_by_pattern("pytest -q tests", ["npm test", "pytest *"]) == "pytest *"
    assert allowed_by_pattern("npm test", ["npm test"]) == "npm test"
    assert allowed_by_pattern("npm test --watch", ["npm test"]) is None
    for sneaky in (
        "pytest; rm -rf ~",
        "pytest && curl x",
        "pytest | sh",
        "pytest $(id)",
        "pytest > out",
        "pytest `id`",
    ):
        assert allowed_by_pattern(sneaky, ["pytest *"]) is None, sneaky
    assert allowed_by_pattern("make && make test", ["make && make test"]) == "make && make test"


def test_levels_decide() -> None:
    assert not decide(policy("read-only", ("*",), True), "ls", sandbox=True).run
    assert decide(policy("auto-edit", ("ls*",)), "ls -l", sandbox=False).run
    refused = decide(policy("auto-edit"), "ls", sandbox=True)
    assert not refused.run and "nobody can be asked" in refused.reason
    assert decide(policy("auto-edit", answer=True), "ls", sandbox=True).run
    assert not decide(policy("auto-edit", answer=False), "ls", sandbox=True).run
    boxed = decide(policy("full-auto"), "ls", sandbox=True)
    assert boxed.run and boxed.sandboxed
    asked: list[str] = []
    no_box = AgentPolicy("full-auto", (), 30, None, None, lambda command, why: asked.append(why) or True)
    assert decide(no_box, "ls", sandbox=False).run and "no sandbox" in asked[0]
    assert not decide(policy("full-auto"), "ls", sandbox=False).run


def test_bounds_steps_tokens_cost_and_repeats() -> None:
    bounds = Bounds(AgentPolicy("auto-edit", (), 2, 1000, 0.5))
    assert bounds.reached(Usage()) is None
    assert "token limit" in (bounds.reached(Usage(input_tokens=900, output_tokens=100)) or "")
    assert "cost limit" in (bounds.reached(Usage(cost_usd=0.5)) or "")
    bounds.steps = 2
    assert "step limit (2 model calls)" in (bounds.reached(Usage()) or "")
    same = ToolCall("a", "read_file", '{"path": "x", "start_line": 1}')
    spaced = ToolCall("b", "read_file", '{"start_line": 1,  "path": "x"}')
    assert [bounds.repeat(same, 0), bounds.repeat(spaced, 0), bounds.repeat(same, 1)] == [1, 2, 1]


def test_compaction_shortens_old_results_first() -> None:
    big = "x" * 4000
    messages = [Message("system", "s")] + [Message("tool", big, tool_call_id=str(i)) for i in range(8)]
    out, shortened = compact(messages, len, budget=50000)
    assert shortened == 0 and out == messages
    out, shortened = compact(messages, len, budget=30000)
    assert shortened == 3 and all(m.content == big for m in out[4:])
    assert out[1].content.endswith("call the tool again for the rest]")
    assert sum(len(m.content) for m in out) <= 30000 * 0.75


@pytest.mark.skipif(BWRAP is None, reason="bubblewrap (bwrap) is not installed or cannot make a sandbox here")
def test_full_auto_runs_commands_in_the_sandbox(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    probe = f"import socket; socket.create_connection(('127.0.0.1', {openai_server.port}), timeout=5)"
    (git_repo / ".gitignore").write_text(".env\n")
    (git_repo / ".env").write_text("TOKEN=sk-sandbox-secret\n")
    (git_repo / "id_rsa").write_text("not really a key, but named like one\n")
    git(git_repo, "add", ".gitignore", "id_rsa")
    git(git_repo, "commit", "-q", "-m", "ignore .env")
    script = (
        "cat .env id_rsa; echo made > made.txt; touch .git/planted && echo git-writable || echo git-read-only; "
        f'{sandbox_python()} -c "{probe}" && echo network-on || echo network-off'
    )
    openai_server.enqueue(ToolCalls([Call("run", json.dumps({"command": script}))]), Text("Done."), Text("add made"))
    result = full_auto(git_repo, openai_server, isolated_env)
    assert "(in the sandbox, no network)" in result
    assert "git-read-only" in result and "network-off" in result
    assert "not found" not in result  # the probe ran and failed to connect, not failed to start
    assert "sk-sandbox-secret" not in result and "named like one" not in result
    assert "the command changed these files, which are now part of your change" in result and "made.txt" in result
    assert (git_repo / "made.txt").read_text() == "made\n" and not (git_repo / ".git" / "planted").exists()
    # What the command made is committed as the request's change.
    assert git(git_repo, "log", "-1", "--format=%s").strip() == "add made"
    assert git(git_repo, "show", "--name-only", "--format=", "HEAD").split() == ["made.txt"]
    assert (git_repo / ".env").read_text() == "TOKEN=sk-sandbox-secret\n"


@pytest.mark.parametrize("answer", ["y", "n"])
def test_auto_edit_asks_on_a_terminal(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str], answer: str
) -> None:
    import pexpect

    openai_server.enqueue(
        ToolCalls([Call("run", json.dumps({"command": "echo ran > ran.txt"}))]), Text("Done."), Text("make ran.txt")
    )
    argv = ["-m", "codeassist", "-C", str(git_repo), "--base-url", openai_server.base_url, "--api-key", "k"]
    argv += ["--model", "gpt-4o-mini", "--no-color", "edit", "--agent", "make ran.txt"]
    child = pexpect.spawn(sys.executable, argv, env=isolated_env, timeout=60, dimensions=(30, 200))
    child.expect(r"The model wants to run \S*echo ran > ran\.txt\S*\. Run it\?")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    result = [m["content"] for m in openai_server.posts[1].body["messages"] if m["role"] == "tool"][0]
    if answer == "y":
        assert (git_repo / "ran.txt").read_text() == "ran\n" and result.startswith("$ echo ran > ran.txt\nexit code 0")
        assert git(git_repo, "log", "-1", "--format=%s").strip() == "make ran.txt"
    else:
        assert not (git_repo / "ran.txt").exists() and "the user declined to run it" in result


PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-real-key\n-----END PRIVATE KEY-----\n"


def test_secret_files_by_name_and_by_content(git_repo: Path) -> None:
    from codeassist.agent.sandbox_secrets import secret_files
    from codeassist.workspace import Workspace

    (git_repo / "config").mkdir()
    (git_repo / "config" / "app.ini").write_text("[db]\nDB_PASSWORD=content-secret-in-ini\n")
    (git_repo / "certs").mkdir()
    (git_repo / "certs" / "server.txt").write_text(PEM)
    (git_repo / "app.py").write_text('API_TOKEN = os.environ["API_TOKEN"]  # code that names a token\n')
    (git_repo / "notes.txt").write_text("the password policy is in the wiki\n")
    (git_repo / ".gitignore").write_text("local.cfg\nbuild/\n")
    (git_repo / "local.cfg").write_text("export SERVICE_TOKEN=ignored-but-secret\n")  # ignored, judged by content
    (git_repo / "build").mkdir()
    (git_repo / "build" / "key.txt").write_text(PEM)  # inside an ignored directory: not looked into
    (git_repo / "id_ed25519").write_text("by name\n")
    git(git_repo, "add", "config", "certs", "app.py", ".gitignore", "id_ed25519")
    git(git_repo, "commit", "-q", "-m", "files")
    with Workspace.open(git_repo) as ws:
        assert secret_files(ws) == ["certs/server.txt", "config/app.ini", "id_ed25519", "local.cfg"]


@pytest.mark.skipif(BWRAP is None, reason="bubblewrap (bwrap) is not installed or cannot make a sandbox here")
def test_the_sandbox_hides_content_secrets_home_credentials_and_secret_variables(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "app.ini").write_text("[db]\nDB_PASSWORD=content-secret-in-ini\n")
    (git_repo / "certs").mkdir()
    (git_repo / "certs" / "server.txt").write_text(PEM)
    # A home of the user's own, with credential stores in it and a toolchain beside them. It lives inside
    # the work tree (ignored by git) because the sandbox's private /tmp would hide any home under /tmp anyway.
    (git_repo / ".gitignore").write_text("home/\n")
    home = git_repo / "home"
    stores = {
        ".ssh/id_ed25519": "ssh-key-secret",
        ".aws/credentials": "aws-secret-in-home",
        ".netrc": "machine example.com password netrc-secret",
        ".git-credentials": "https://u:gitcred-secret@example.com",
        ".config/codeassist/config.toml": 'api_key = "codeassist-key-secret"',
    }
    for rel, text in stores.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text + "\n")
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "tool").write_text("toolchain-visible\n")
    git(git_repo, "add", "config", "certs", ".gitignore")
    git(git_repo, "commit", "-q", "-m", "config")
    env = {**isolated_env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env |= {"MY_SERVICE_TOKEN": "env-token-secret", "DATABASE_URL": "postgres://u:url-secret@db/x", "LANG_X": "ok"}
    paths = " ".join(["config/app.ini", "certs/server.txt", *(f"home/{r}" for r in stores), "home/.local/bin/tool"])
    script = f"cat {paths} 2>&1; ls -a home/.ssh home/.aws; env"
    openai_server.enqueue(ToolCalls([Call("run", json.dumps({"command": script}))]), Text("Done."))
    result = full_auto(git_repo, openai_server, env)
    assert "(in the sandbox, no network)" in result
    for secret in ("content-secret-in-ini", "not-a-real-key", "ssh-key-secret", "aws-secret-in-home", "netrc-secret",
                   "gitcred-secret", "codeassist-key-secret", "env-token-secret", "url-secret"):  # fmt: skip
        assert secret not in result, secret
    assert "toolchain-visible" in result and "LANG_X=ok" in result  # what is not a secret stays usable
    # The credential directories are empty in the sandbox.
    assert "home/.aws:\n.\n..\n\nhome/.ssh:\n.\n..\n" in result
    # Outside the sandbox nothing changed.
    assert (git_repo / "config" / "app.ini").read_text().endswith("content-secret-in-ini\n")
    assert (home / ".ssh" / "id_ed25519").read_text() == "ssh-key-secret\n"


def test_the_sandbox_never_masks_the_repository_itself(git_repo: Path) -> None:
    from codeassist.agent.approval import sandboxed, secret_env_names

    inner, outer = git_repo / "home" / ".ssh", git_repo.parent
    (inner).mkdir(parents=True)
    line = sandboxed("bwrap", "true", git_repo, git_repo / ".git", masks=[outer, inner], unset=["X_TOKEN"])
    assert f"--tmpfs {inner}" in line and f"--tmpfs {outer} " not in line
    assert line.index(f"--bind {git_repo} {git_repo}") < line.index(f"--tmpfs {inner}")  # masked after the bind
    assert "--unsetenv X_TOKEN" in line
    names = secret_env_names({"OPENAI_API_KEY": "k", "GITHUB_TOKEN": "t", "SSH_AUTH_SOCK": "/s", "PATH": "/bin",
                              "DB": "mysql://u:p@h/d", "URL": "https://example.com/x", "KEYMAP": "us",
                              "GIT_AUTHOR_NAME": "A"})  # fmt: skip
    assert names == ["DB", "GITHUB_TOKEN", "OPENAI_API_KEY", "SSH_AUTH_SOCK"]
