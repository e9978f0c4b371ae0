"""A reply with no edit to a request that asked no change is the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git
from test_session import GOOD, make_session

from codeassist.answers import asks_for_change, looks_like_answer, tried_to_edit
from codeassist.backends.scripted import ScriptedBackend
from codeassist.session import RunOptions


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("VALUE = 1\n")
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "app")
    return git_repo


@pytest.mark.parametrize(
    "request_text",
    [
        "fix the bug in app.py",
        "Please add a --verbose flag",
        "can you rename run to start?",
        "Let's refactor x",
        "Why does it crash? Fix it.",
    ],
)
def test_requests_that_ask_for_a_change(request_text: str) -> None:
    assert asks_for_change(request_text)
    assert not looks_like_answer(request_text, "Sure, here is what I would do.")


@pytest.mark.parametrize("request_text", ["hi", "what does greet() do?", "Where is the retry logic?", "explain app.py"])
def test_questions_and_greetings_get_answers(request_text: str) -> None:
    assert not asks_for_change(request_text)
    assert looks_like_answer(request_text, "It returns the greeting.")


def test_an_empty_reply_or_a_failed_edit_is_not_an_answer() -> None:
    assert not looks_like_answer("hi", "   ")
    failed = "app.py\n```\n<<<<<<< SEARCH\nnope\n=======\nyes\n>>>>>>> REPLACE\n```\n"
    assert tried_to_edit(failed) and not looks_like_answer("what is this?", failed)
    assert tried_to_edit("--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x\n+y\n")


def test_in_the_chat_an_answer_is_shown_at_once(repo: Path) -> None:
    session, _ = make_session(repo, ["Hello! What shall we change?"])
    result = session.edit(RunOptions("edit", "hi", files=("app.py",), chat=True))
    assert result.status == "success" and result.exit_code == 0
    assert result.reply == "Hello! What shall we change?"
    backend = session.backend
    assert isinstance(backend, ScriptedBackend) and len(backend.calls) == 1  # no extra call


def test_in_edit_one_reminder_then_the_answer_fails_with_exit_1(repo: Path) -> None:
    session, _ = make_session(repo, ["It holds the value.", "VALUE is a constant set to 1."])
    result = session.edit(RunOptions("edit", "what is VALUE?", files=("app.py",)))
    assert result.status == "failed" and result.exit_code == 1
    assert result.reply == "VALUE is a constant set to 1."
    assert "answered without an edit" in result.errors[0]
    backend = session.backend
    assert isinstance(backend, ScriptedBackend) and len(backend.calls) == 2
    assert "Your reply has no edit" in backend.calls[1][-1].content
    assert (repo / "app.py").read_text() == "VALUE = 1\n"


def test_the_reminder_can_still_lead_to_an_edit(repo: Path) -> None:
    session, _ = make_session(repo, ["VALUE is 1.", GOOD, "fix: value"])
    result = session.edit(RunOptions("edit", "VALUE should be 2", files=("app.py",)))
    assert result.status == "success" and (repo / "app.py").read_text() == "VALUE = 2\n"


def test_the_retry_window_fits_under_the_servers_limit() -> None:
    from codeassist.context_shrink import smaller_window

    assert smaller_window(None, 10_000, 4096) == 4096 + 7500
    assert smaller_window(8000, 10_000, 1000) == 1000 + int(7000 * 0.9)
    assert smaller_window(3000, 10_000, 4096) == 4096 + int(2250 * 0.9)


def test_a_max_output_tokens_setting_is_sent_and_the_found_one_is_not(repo: Path) -> None:
    from codeassist.backends.base import RequestOptions

    sent: list[RequestOptions] = []

    class Recording(ScriptedBackend):
        def stream(self, messages, options):  # type: ignore[no-untyped-def]
            sent.append(options)
            return super().stream(messages, options)

    for env, expected in (({"CODEASSIST_MAX_OUTPUT_TOKENS": "777"}, 777), ({}, None)):
        session, _ = make_session(repo, [], **env)
        session.backend = Recording(["An answer."])
        session.ask(RunOptions("ask", "what is VALUE?"))
        assert sent[-1].max_output_tokens == expected
