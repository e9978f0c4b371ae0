"""The issue's whole session in one real chat: add, ask, edit with review (one hunk dropped), run, test, undo,
commit, model switch, save, quit, and resume in a new process; against the loopback server in a real repository.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pexpect
import test_repl_pty
from conftest import git
from openai_server import OpenAIServer, Text
from test_chat_review_pty import APP, REPLY
from test_repl_pty import TIMEOUT, leave, say

chat_env = test_repl_pty.chat_env
CHECK = "import util, sys\nsys.exit(0 if util.helper(2) == 6 else 'helper(2) is not 6')\n"


def spawn(server: OpenAIServer, repo: Path, env: dict[str, str], *extra: str) -> pexpect.spawn:
    args = ["-m", "codeassist", "--base-url", server.base_url, "--api-key", "k", "--model", "gpt-4o-mini", *extra]
    return pexpect.spawn(
        sys.executable, args, env=env, cwd=str(repo), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160)
    )


def test_a_whole_session_then_resume(openai_server: OpenAIServer, git_repo: Path, chat_env: dict[str, str]) -> None:
    repo = git_repo
    (repo / "app.py").write_text(APP)
    (repo / "util.py").write_text("def helper(x):\n    return x * 2\n")
    (repo / "check.py").write_text(CHECK)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    (repo / ".codeassist.toml").write_text('test_cmd = "python3 check.py"\n')
    trust(repo, chat_env)
    start = git(repo, "rev-parse", "HEAD").strip()
    openai_server.enqueue(Text("greet returns hello."), Text(REPLY), Text("feat: greet the world, triple"))

    chat = spawn(openai_server, repo, chat_env)
    say(chat, "/add app.py util.py")
    say(chat, "/ask what does greet return?")
    chat.expect_exact("greet returns hello.")
    say(chat, "/review on")
    say(chat, "make the changes")
    for answer in ("y", "n", "y"):  # app.py: keep, drop; util.py: keep
        chat.expect_exact("Keep this hunk")
        chat.sendline(answer)
    chat.expect_exact("check test: passed")
    chat.expect_exact("success: app.py, util.py")
    edited = git(repo, "rev-parse", "HEAD").strip()
    assert '"hello, world"' in (repo / "app.py").read_text() and '"bye"' in (repo / "app.py").read_text()

    say(chat, "!python3 -c \"print('exit two'); raise SystemExit(2)\"")
    chat.expect_exact("it failed; the output is in the chat")
    say(chat, "/test")
    chat.expect_exact("test passed")
    say(chat, "/undo")
    chat.expect_exact("undid")
    assert git(repo, "rev-parse", "HEAD").strip() == start != edited
    assert (repo / "app.py").read_text() == APP

    (repo / "util.py").write_text("def helper(x):\n    return x + x + x\n")
    say(chat, "/commit refactor: helper by addition")
    chat.expect_exact("committed")
    assert git(repo, "log", "-1", "--format=%s").strip() == "refactor: helper by addition"
    say(chat, "/model gpt-4.1-mini")
    chat.expect_exact("model: gpt-4.1-mini")
    say(chat, "/save journey")
    chat.expect_exact("saved the chat as journey")
    say(chat, "/exit")
    chat.expect(pexpect.EOF)
    chat.close()
    assert chat.exitstatus == 0

    again = spawn(openai_server, repo, chat_env, "chat", "--resume", "journey")
    again.expect_exact("resumed journey")
    say(again, "/files")
    again.expect_exact("editable: app.py, util.py")
    openai_server.enqueue(Text("All done."))
    say(again, "/ask what happened so far?")
    again.expect_exact("All done.")
    body = openai_server.posts[-1].body
    sent = "\n".join(m["content"] or "" for m in body["messages"])
    assert body["model"] == "gpt-4.1-mini"
    for earlier in ("greet returns hello.", "exit two", "did not keep these parts", "I undid your last change"):
        assert earlier in sent, earlier
    assert leave(again) == 0


def trust(repo: Path, env: dict[str, str]) -> None:
    """The owner trusts the repository's config, so its test_cmd runs (issue 11's trust boundary)."""
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "trust"]
    subprocess.run(argv, check=True, capture_output=True, env=env, timeout=60)
