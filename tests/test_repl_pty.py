"""The interactive chat end to end: the real CLI in a real pseudo-terminal against the loopback server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from replies import GOOD_SR, TRIPLE_SR

TIMEOUT = 30  # generous: the machine running the tests may be loaded
APP = 'def greet():\n    return "hello"\n'


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(APP)
    (git_repo / "util.py").write_text("def helper(x):\n    return x * 2\n")
    git(git_repo, "add", "app.py", "util.py")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


@pytest.fixture
def chat_env(isolated_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    # A dumb terminal without colour: plain text to match, no cursor-position queries.
    return {**isolated_env, "TERM": "dumb", "NO_COLOR": "1", "XDG_DATA_HOME": str(tmp_path / "data")}


@pytest.fixture
def chat(openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]) -> Iterator[pexpect.spawn]:
    args = ["-m", "codeassist", "--base-url", openai_server.base_url, "--api-key", "test-key"]
    args += ["--model", "gpt-4o-mini"]
    child = pexpect.spawn(
        sys.executable, args, env=chat_env, cwd=str(repo), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160)
    )
    try:
        yield child
    finally:
        if child.isalive():
            child.terminate(force=True)


def ready(child: pexpect.spawn, mode: str = "edit") -> None:
    """Wait for the prompt and for the terminal to be in the prompt's raw mode (so keys arrive as keys)."""
    child.expect_exact(f"{mode}> ")
    child.waitnoecho(timeout=TIMEOUT)


def say(child: pexpect.spawn, line: str, mode: str = "edit") -> None:
    ready(child, mode)
    child.sendline(line)


def leave(child: pexpect.spawn, mode: str = "edit") -> int:
    ready(child, mode)
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_edit_diff_undo_ask_tokens(
    chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]
) -> None:
    start = head(repo)
    openai_server.enqueue(
        Text(GOOD_SR, input_tokens=1000, output_tokens=50),
        Text("feat: greet the world", input_tokens=200, output_tokens=5),
        Text("It returns hello, world.", input_tokens=300, output_tokens=7),
    )
    say(chat, "/add app.py")
    chat.expect_exact("added app.py")
    say(chat, "greet the world")
    chat.expect_exact("Here is the change.")
    chat.expect_exact("committed")
    chat.expect_exact("success: app.py")
    assert '"hello, world"' in (repo / "app.py").read_text()
    assert head(repo) != start and git(repo, "log", "-1", "--format=%s").strip() == "feat: greet the world"

    say(chat, "/diff")
    chat.expect_exact('+    return "hello, world"')
    say(chat, "/ask what does greet return?")
    chat.expect_exact("It returns hello, world.")
    # The answer was asked with the earlier turn as history, and app.py still in the chat.
    sent = openai_server.requests[-1].body["messages"]
    assert any(m["role"] == "user" and m["content"] == "greet the world" for m in sent)
    assert any(m["role"] == "assistant" and "Here is the change." in m["content"] for m in sent)
    assert sent[-1]["content"] == "what does greet return?"

    say(chat, "/tokens")
    chat.expect_exact("session: 2 request(s); 1,500 tokens in (0 cached), 62 out")
    say(chat, "/frobnicate")
    chat.expect_exact("unknown command /frobnicate")
    say(chat, "/undo")
    chat.expect_exact("undid")
    assert (repo / "app.py").read_text() == APP and head(repo) == start
    assert leave(chat) == 0
    assert git(repo, "status", "--porcelain").strip() == ""
    # The input history is kept under the user's data directory, one file per repository.
    (history,) = (Path(chat_env["XDG_DATA_HOME"]) / "codeassist" / "chat-history").iterdir()
    assert history.name.startswith(repo.name + "-") and "/add app.py" in history.read_text()


def test_ctrl_c_stops_a_slow_reply_and_leaves_the_file(
    chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path
) -> None:
    start = head(repo)
    # About 20 s if it were streamed to the end; the test interrupts it after the first words.
    openai_server.enqueue(Text(GOOD_SR, chunk_size=2, delay=0.2))
    say(chat, "/add app.py")
    say(chat, "greet the world")
    chat.expect_exact("Here is")
    chat.sendintr()
    chat.expect_exact("interrupted")
    ready(chat)
    assert (repo / "app.py").read_text() == APP and head(repo) == start
    assert openai_server.wait_aborted(timeout=TIMEOUT)
    # Ctrl-C at the prompt throws the line away; the chat goes on.
    chat.send("half a line")
    chat.sendintr()
    ready(chat)
    chat.send("/fil\t")  # Tab completes the command, with a space for its argument...
    chat.expect_exact("/fil ")  # ...(a dumb terminal echoes the last character of each change)
    chat.send("\r")
    chat.expect_exact("editable: app.py")
    assert leave(chat) == 0
    assert len(openai_server.posts) == 1


def test_modes_multiline_model_switch_and_bad_paths(
    chat: pexpect.spawn, openai_server: OpenAIServer, repo: Path
) -> None:
    openai_server.enqueue(Text("First answer."), Text("Second answer."))
    say(chat, "/add ../outside.py missing.py")
    chat.expect_exact("not inside the repository: ../outside.py")
    chat.expect_exact("no such file: missing.py")
    say(chat, "/ask")
    chat.expect_exact("ask mode")
    ready(chat, "ask")
    chat.send("line one\x1b\rline two\r")  # Esc+Enter makes a new line inside the message
    chat.expect_exact("First answer.")
    assert openai_server.requests[-1].body["messages"][-1]["content"] == "line one\nline two"
    say(chat, "/model gpt-4.1-mini", mode="ask")
    chat.expect_exact("model: gpt-4.1-mini")
    say(chat, "which model?", mode="ask")
    chat.expect_exact("Second answer.")
    assert openai_server.requests[-1].body["model"] == "gpt-4.1-mini"
    say(chat, "/clear", mode="ask")
    chat.expect_exact("forgot the conversation (4 messages)")
    # The model asks for a file; the user agrees; it stays in the chat afterwards.
    openai_server.enqueue(Text("NEED FILE: util.py"), Text(TRIPLE_SR), Text("feat: triple"))
    say(chat, "/edit make helper triple", mode="ask")
    chat.expect_exact("Add to the chat?")
    chat.sendline("y")
    chat.expect_exact("success: util.py")
    assert "x * 3" in (repo / "util.py").read_text()
    say(chat, "/files", mode="ask")
    chat.expect_exact("editable: util.py")
    say(chat, "/exit", mode="ask")
    chat.expect(pexpect.EOF)
    chat.close()
    assert chat.exitstatus == 0


def test_chat_needs_a_terminal(openai_server: OpenAIServer, repo: Path, chat_env: dict[str, str]) -> None:
    argv = [sys.executable, "-m", "codeassist", "chat", "--base-url", openai_server.base_url, "--model", "m"]
    proc = subprocess.run(argv, cwd=repo, env=chat_env, input="", capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("where", "model_args", "code", "message"),
    [("outside", ["--model", "gpt-4o-mini"], 5, "not a git repository"), ("repo", [], 3, "no model configured")],
)
def test_chat_refuses_before_the_first_prompt(
    where: str, model_args: list[str], code: int, message: str, repo: Path, tmp_path: Path, chat_env: dict[str, str]
) -> None:
    cwd = repo if where == "repo" else tmp_path / "plain"
    cwd.mkdir(exist_ok=True)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "codeassist", "chat", *model_args],
        env=chat_env,
        cwd=str(cwd),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    child.expect_exact(message)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code and "Traceback" not in (child.before or "")
