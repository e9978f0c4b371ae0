"""The edit loop through a scripted backend (a fake of our own Backend interface) in real git repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git

from codeassist.backends.catalogue import lookup_model
from codeassist.backends.scripted import ScriptedBackend
from codeassist.config import load_settings
from codeassist.context import ContextRequest, build_context
from codeassist.session import RunOptions, Session
from codeassist.trust import TrustStore

GOOD = "app.py\n```\n<<<<<<< SEARCH\nVALUE = 1\n=======\nVALUE = 2\n>>>>>>> REPLACE\n```\n"
BAD = "app.py\n```\n<<<<<<< SEARCH\nVALUE = 7\n=======\nVALUE = 2\n>>>>>>> REPLACE\n```\n"


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("VALUE = 1\n")
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "app")
    return git_repo


def make_session(
    repo: Path, replies: list[str], *, window: int | None = None, **env: str
) -> tuple[Session, list[dict[str, Any]]]:
    settings = load_settings(
        repo_root=repo, environ={"CODEASSIST_CONFIG": str(repo / "none.toml"), **env}, flags={"model": "gpt-4o-mini"}
    )
    info = lookup_model("gpt-4o-mini")
    if window is not None:
        from dataclasses import replace

        info = replace(info, context_window=window, max_output_tokens=1000)
    events: list[dict[str, Any]] = []
    return Session(
        ScriptedBackend(replies), root=repo, settings=settings, model_info=info, on_event=events.append
    ), events


def test_success_commits_with_the_models_message(repo: Path) -> None:
    session, events = make_session(repo, [GOOD, "fix: bump VALUE to 2"])
    result = session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",)))
    assert result.status == "success" and result.exit_code == 0
    assert (repo / "app.py").read_text() == "VALUE = 2\n"
    assert git(repo, "log", "-1", "--format=%s").strip() == "fix: bump VALUE to 2"
    backend = session.backend
    assert isinstance(backend, ScriptedBackend)
    commit_prompt = backend.calls[-1][-1].content  # the diff the model summarised
    assert "-VALUE = 1\n+VALUE = 2" in commit_prompt and "set VALUE to 2" in commit_prompt
    kinds = [e["type"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "result"
    assert {"context", "delta", "edit.applied", "check", "commit", "usage"} <= set(kinds)


def test_a_new_file_is_in_the_commit_diff_and_the_index_stays_clean(repo: Path) -> None:
    create = "notes.txt\n```\n<<<<<<< SEARCH\n=======\nremember\n>>>>>>> REPLACE\n```\n"
    session, _ = make_session(repo, [create, "docs: add notes"])
    result = session.edit(RunOptions("edit", "add notes", files=("app.py",)))
    assert result.status == "success" and result.files_changed == ("notes.txt",)
    backend = session.backend
    assert isinstance(backend, ScriptedBackend)
    assert "+++ b/notes.txt\n@@ -0,0 +1 @@\n+remember" in backend.calls[-1][-1].content
    assert git(repo, "status", "--porcelain").strip() == ""


def test_a_reply_without_edits_is_reflected(repo: Path) -> None:
    session, _ = make_session(repo, ["I think you should change it.", GOOD, "fix: value"])
    result = session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",)))
    assert result.status == "success" and result.rounds == 2
    backend = session.backend
    assert isinstance(backend, ScriptedBackend)
    assert "no edits" in backend.calls[1][-1].content


def test_zero_rounds_means_one_attempt(repo: Path) -> None:
    session, _ = make_session(repo, [BAD])
    result = session.edit(RunOptions("edit", "x", files=("app.py",), max_rounds=0))
    assert result.status == "failed" and result.exit_code == 1 and result.rounds == 1
    assert (repo / "app.py").read_text() == "VALUE = 1\n"


def test_backend_failure_mid_loop_restores_files(repo: Path) -> None:
    (repo / ".codeassist.toml").write_text('test_cmd = "exit 1"\n')
    TrustStore.for_environ({}).trust(repo / ".codeassist.toml", (repo / ".codeassist.toml").read_bytes())
    session, _ = make_session(repo, [GOOD])  # the second call finds no scripted reply: a backend error
    result = session.edit(RunOptions("edit", "x", files=("app.py",)))
    assert result.status == "error" and result.exit_code == 4
    assert (repo / "app.py").read_text() == "VALUE = 1\n"


def test_history_that_no_longer_fits_is_summarised(repo: Path) -> None:
    probe = build_context(
        ContextRequest(
            root=repo,
            request="set VALUE to 2",
            chat_files=("app.py",),
            context_window=100_000,
            max_output_tokens=1000,
            map_tokens=0,
        )
    )
    window = probe.total_tokens + 1000 + 1500
    long_bad = BAD + "\n" + "This explanation goes on and on. " * 800
    replies = [long_bad, "I asked you to set VALUE to 2 in app.py; your edit did not apply.", GOOD, "fix: value"]
    session, events = make_session(repo, replies, window=window)
    result = session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",), map_tokens=0))
    assert result.status == "success", result.errors
    assert any(e["type"] == "history.summarized" for e in events)
    backend = session.backend
    assert isinstance(backend, ScriptedBackend)
    third = "\n".join(m.content for m in backend.calls[2])
    assert "I asked you to set VALUE to 2" in third
    assert "goes on and on" not in third


def test_reported_usage_calibrates_later_budgets(repo: Path) -> None:
    session, _ = make_session(repo, ["Answer."], window=100_000)
    assert session._calibrated_window() == 100_000
    session.ask(RunOptions("ask", "what is VALUE?", files=("app.py",)))
    assert session.calibration.pairs  # the scripted backend reports usage; it was recorded
    session.calibration.pairs[:] = [(20_000, 40_000)]  # the server counts twice what we estimate
    assert session._calibrated_window() < 60_000


class _BrokenSecondCall(ScriptedBackend):
    """Answers once, then fails with an error that is not codeassist's own (a bug, say)."""

    def stream(self, messages: Any, options: Any) -> Any:
        if self.calls:
            raise RuntimeError("a bug in round two")
        return super().stream(messages, options)


def test_any_exception_restores_the_files_and_the_users_saved_work(repo: Path) -> None:
    (repo / "app.py").write_text("VALUE = 1\nMINE = 1\n")  # the user's uncommitted work
    head = git(repo, "rev-parse", "HEAD")
    session, _ = make_session(repo, [], CODEASSIST_TEST_CMD="exit 1")
    session.backend = _BrokenSecondCall([GOOD])
    with pytest.raises(RuntimeError, match="round two"):
        session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",)))
    assert (repo / "app.py").read_text() == "VALUE = 1\nMINE = 1\n"
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain").strip() == "M app.py"


def test_one_session_keeps_its_calibration_and_conversation_across_requests(repo: Path) -> None:
    session, _ = make_session(repo, ["One.", "Two."])
    first = session.ask(RunOptions("ask", "first?"))
    assert first.status == "success" and len(session.calibration.pairs) == 1
    second = session.ask(RunOptions("ask", "second?"))
    assert second.status == "success" and len(session.calibration.pairs) == 2
    assert session.chat.requests == 2
    assert session.chat.usage.output_tokens == first.usage.output_tokens + second.usage.output_tokens
