"""The chat's grown-up commands end to end: the real CLI in a pseudo-terminal, the loopback server, real repositories.

/run and ! offered to the model, /test failing then fixed, /commit of the user's own change, a chat
saved and resumed in a new process (and listed), a broken saved chat reported, @path, and $EDITOR.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import test_repl_pty
from conftest import git
from openai_server import OpenAIServer, Text
from replies import GOOD_SR
from test_repl_pty import APP, TIMEOUT, leave, ready, say

# The chat's fixtures: the repository (app.py greets, util.py doubles), a dumb terminal, the chat in it.
repo = test_repl_pty.repo
chat_env = test_repl_pty.chat_env
chat = test_repl_pty.chat

CHECK = "import app, sys\nsys.exit(0 if app.greet() == 'hello, world' else 'greet() is not hello, world')\n"


def spawn(server: OpenAIServer, repo: Path, env: dict[str, str], *extra: str) -> pexpect.spawn:
    args = ["-m", "codeassist", "--base-url", server.base_url, "--api-key", "k", "--model", "gpt-4o-mini", *extra]
    return pexpect.spawn(
        sys.executable, args, env=env, cwd=str(repo), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160)
    )


def sent_text(server: OpenAIServer) -> str:
    return "\n".join(m["content"] or "" for m in server.posts[-1].body["messages"])


def test_run_failing_command_goes_to_the_model_and_a_passing_one_asks(
    chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path
) -> None:
    say(chat, "/run python3 -c \"import sys; print('boom at line 7'); sys.exit(3)\"")
    chat.expect_exact("boom at line 7")
    chat.expect_exact("exit code 3")
    chat.expect_exact("it failed; the output is in the chat")
    say(chat, "!echo all quiet")  # ! is /run
    chat.expect_exact("all quiet")
    chat.expect_exact("Add the output to the chat?")
    chat.sendline("n")
    openai_server.enqueue(Text("Line 7 raised."))
    say(chat, "/ask why did it fail?")
    chat.expect_exact("Line 7 raised.")
    text = sent_text(openai_server)
    assert "boom at line 7" in text and "exit code 3" in text and "all quiet" not in text
    assert leave(chat) == 0


def test_test_fails_the_model_fixes_it_then_it_passes(
    openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]
) -> None:
    (repo / "check.py").write_text(CHECK)
    (repo / ".codeassist.toml").write_text('test_cmd = "python3 check.py"\n')
    trust(repo, chat_env)
    git(repo, "add", "check.py")
    git(repo, "commit", "-q", "-m", "check")
    child = spawn(openai_server, repo, chat_env)
    openai_server.enqueue(Text(GOOD_SR), Text("fix: greet the world"))
    say(child, "/add app.py")
    say(child, "/test")
    child.expect_exact("greet() is not hello, world")
    child.expect_exact("Ask the model to fix it?")
    child.sendline("y")
    child.expect_exact("success: app.py")
    first = openai_server.posts[0].body["messages"][-1]["content"]
    assert "python3 check.py" in first and "greet() is not hello, world" in first
    say(child, "/test")
    child.expect_exact("test passed")
    assert leave(child) == 0
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix: greet the world"


def test_commit_the_users_own_change(chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path) -> None:
    (repo / "util.py").write_text("def helper(x):\n    return x * 4\n")
    (repo / "notes.txt").write_text("mine, untracked\n")
    openai_server.enqueue(Text("```\nfix(util): quadruple in helper\n```"))
    say(chat, "/commit")
    chat.expect_exact("committed")
    chat.expect_exact("not committed (untracked): notes.txt")
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix(util): quadruple in helper"
    assert "x * 4" in openai_server.posts[-1].body["messages"][-1]["content"]  # the diff went to the model
    assert git(repo, "status", "--porcelain").strip() == "?? notes.txt"
    (repo / "app.py").write_text(APP + "# touched\n")
    say(chat, "/commit docs: mark app")
    chat.expect_exact("committed")
    assert git(repo, "log", "-1", "--format=%s").strip() == "docs: mark app"
    say(chat, "/commit")
    chat.expect_exact("nothing to commit")
    assert leave(chat) == 0
    assert len(openai_server.posts) == 1  # a given message asks no model


def test_a_saved_chat_resumes_in_a_new_process(
    chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text("greet returns hello."))
    say(chat, "/read-only util.py")
    say(chat, "/ask what does @app.py return?")  # @path puts the file in the chat
    chat.expect_exact("added app.py")
    chat.expect_exact("greet returns hello.")
    say(chat, "/model gpt-4.1-mini", mode="edit")
    say(chat, "/save mine")
    chat.expect_exact("saved the chat as mine")
    say(chat, "/exit")
    chat.expect_exact("resume with: codeassist chat --resume ")
    chat.expect(pexpect.EOF)
    saved = json.loads((repo / ".codeassist" / "sessions" / "mine.json").read_text())
    assert saved["version"] == 1 and saved["files"] == ["app.py"] and saved["read_only"] == ["util.py"]
    assert saved["model"] == "gpt-4.1-mini" and len(saved["history"]) == 2
    assert git(repo, "status", "--porcelain").strip() == ""  # the sessions folder is excluded from git

    listing = subprocess.run(
        [sys.executable, "-m", "codeassist", "chat", "--list"], cwd=repo, env=chat_env, capture_output=True,
        text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert listing.returncode == 0 and "mine" in listing.stdout and "what does @app.py return?" in listing.stdout

    again = spawn(openai_server, repo, chat_env, "chat", "--resume")  # the latest: both copies are the same chat
    again.expect_exact("resumed")
    say(again, "/files")
    again.expect_exact("editable: app.py")
    again.expect_exact("read-only: util.py")
    openai_server.enqueue(Text("Still hello."))
    say(again, "/ask and now?")
    again.expect_exact("Still hello.")
    body = openai_server.posts[-1].body
    assert body["model"] == "gpt-4.1-mini"
    assert any(m["content"] == "greet returns hello." for m in body["messages"])
    assert leave(again) == 0


def test_a_broken_saved_chat_is_reported_not_fatal(
    openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]
) -> None:
    sessions = repo / ".codeassist" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "bad.json").write_text("{not json")
    (sessions / "future.json").write_text(json.dumps({"version": 99}))
    child = spawn(openai_server, repo, chat_env, "chat", "--resume", "bad")
    child.expect_exact("is broken")
    child.expect_exact("starting a new chat")
    say(child, "/load future")
    child.expect_exact("unknown version 99")
    say(child, "/load nothing-here")
    child.expect_exact("no saved chat called nothing-here")
    assert leave(child) == 0
    listing = subprocess.run(
        [sys.executable, "-m", "codeassist", "chat", "--list"], cwd=repo, env=chat_env, capture_output=True,
        text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert listing.returncode == 0 and "bad.json is broken" in listing.stderr.replace("\n", "")


def test_editor_writes_the_request_and_tab_completes_at_paths_and_symbols(
    openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "explain util.py\\nin two lines\\n" > "$1"\n')
    script.chmod(0o755)
    child = spawn(openai_server, repo, {**chat_env, "EDITOR": str(script)})
    openai_server.enqueue(Text("It doubles."), Text("It greets."))
    say(child, "/ask")
    say(child, "/editor", mode="ask")
    child.expect_exact("It doubles.")
    assert openai_server.posts[-1].body["messages"][-1]["content"] == "explain util.py\nin two lines"
    ready(child, "ask")
    child.send("what is @ap\t")  # Tab completes @ap to @app.py
    child.send("\r")
    child.expect_exact("It greets.")
    assert openai_server.posts[-1].body["messages"][-1]["content"] == "what is @app.py"
    assert "app.py" in sent_text(openai_server) and 'return "hello"' in sent_text(openai_server)
    openai_server.enqueue(Text("Nobody yet."))
    ready(child, "ask")
    child.send("who calls @hel\t")  # no path starts with hel: the symbol helper completes to its file
    child.send("\r")
    child.expect_exact("Nobody yet.")
    assert openai_server.posts[-1].body["messages"][-1]["content"] == "who calls @util.py"
    assert leave(child, "ask") == 0
    assert os.path.exists(repo / "app.py")


def test_ctrl_x_ctrl_e_bracketed_paste_and_vi_keys(
    openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "from the editor\\n" > "$1"\n')
    script.chmod(0o755)
    (repo / ".codeassist.toml").write_text('editing_mode = "vi"\n')
    child = spawn(openai_server, repo, {**chat_env, "VISUAL": str(script)})
    openai_server.enqueue(Text("Two."), Text("Three."))
    say(child, "/ask")
    # /vim switches off the vi keys the setting turned on (the keys themselves are tested in test_repl_commands).
    say(child, "/vim", mode="ask")
    child.expect_exact("emacs editing keys")
    ready(child, "ask")
    child.sendcontrol("x")
    child.sendcontrol("e")  # $VISUAL writes the request, which is sent when it closes
    child.expect_exact("Two.")
    assert openai_server.posts[-1].body["messages"][-1]["content"] == "from the editor"
    ready(child, "ask")
    child.send("\x1b[200~first pasted line\nsecond pasted line\x1b[201~")  # a bracketed paste of two lines
    child.send("\r")
    child.expect_exact("Three.")
    assert openai_server.posts[-1].body["messages"][-1]["content"] == "first pasted line\nsecond pasted line"
    assert leave(child, "ask") == 0


def test_architect_plans_with_one_model_and_edits_with_another(
    openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]
) -> None:
    plan = "Change greet in app.py to return hello, world."
    openai_server.enqueue(
        Text(plan, input_tokens=2000, output_tokens=30),
        Text(GOOD_SR, input_tokens=900, output_tokens=60),
        Text("feat: greet the world"),
    )
    child = spawn(openai_server, repo, chat_env, "chat", "--architect-model", "gpt-4.1")
    say(child, "/add app.py")
    say(child, "greet the world")
    child.expect_exact("plan by gpt-4.1: 2,000 in (0 cached), 30 out, $")
    child.expect_exact("edits by gpt-4o-mini: ")
    child.expect_exact("success: app.py")
    planned, edited = openai_server.posts[0].body, openai_server.posts[1].body
    assert planned["model"] == "gpt-4.1" and edited["model"] == "gpt-4o-mini"
    assert "greet the world" in planned["messages"][-1]["content"]
    assert plan in edited["messages"][-1]["content"]
    assert '"hello, world"' in (repo / "app.py").read_text()
    say(child, "/architect")  # off: one model again
    child.expect_exact("architect off")
    assert leave(child) == 0


def trust(repo: Path, env: dict[str, str]) -> None:
    """The owner trusts the repository's config, so its test_cmd runs (issue 11's trust boundary)."""
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "trust"]
    subprocess.run(argv, check=True, capture_output=True, env=env, timeout=60)
