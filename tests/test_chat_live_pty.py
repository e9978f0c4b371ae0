"""Never a silent wait, in a real terminal: the spinner until the first token, and the chat's bottom toolbar.

The chat runs in a pseudo-terminal played through pyte (see test_live_pty.py). The server holds
its answer until the test has seen the spinner, so nothing here depends on timing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import test_live_pty
from openai_server import OpenAIServer, Text
from test_live_pty import SHORT, TIMEOUT, cli, rendered, reply_lines, run

repo = test_live_pty.repo
term_env = test_live_pty.term_env
spawned = test_live_pty.spawned


def test_spinner_until_the_first_token_then_the_toolbar_counts(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Any]
) -> None:
    seen = threading.Event()

    def held(body: dict[str, Any]) -> Text:
        assert seen.wait(TIMEOUT), "the spinner never showed"
        return Text(SHORT, input_tokens=1200, output_tokens=34)

    openai_server.responder = held
    term = run(cli(openai_server, "chat"), term_env, repo, spawned)
    term.ready("edit", 1)
    term.wait_for("gpt-4o-mini | 0 file(s) in the chat | last request 0 tokens")
    term.child.sendline("/add app.py")
    term.ready("edit", 2)
    term.child.sendline("/ask what is the plan?")
    term.wait_for("waiting for gpt-4o-mini...")  # with the seconds elapsed, while the server holds the reply
    assert any(line.rstrip().endswith(" s") for line in term.lines() if "waiting for gpt-4o-mini" in line)
    seen.set()
    term.ready("edit", 3)
    assert reply_lines(term, "Plan for the change", "That is all.") == rendered(SHORT)
    assert not any("waiting for" in line for line in term.lines())  # the spinner leaves no trace
    term.wait_for("gpt-4o-mini | 1 file(s) in the chat | last request 1,234 tokens")
    term.child.sendcontrol("d")
    assert term.finish() == 0
