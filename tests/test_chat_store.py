"""Saved chats: a round trip keeps everything, a broken or foreign file is a clear ConfigError, names are checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git

from codeassist.backends.base import Message, Usage
from codeassist.chat_store import ChatStore, from_json
from codeassist.errors import ConfigError, UsageError
from codeassist.session import Conversation


def chat() -> Conversation:
    return Conversation(
        mode="ask",
        files=["app.py"],
        read_only=["docs/a.md"],
        history=[Message("user", "why?"), Message("assistant", "because")],
        usage=Usage(1200, 100, 34, 0.0123, False),
        requests=2,
        last_commit="abc123",
    )


def test_round_trip_and_listing(git_repo: Path) -> None:
    store = ChatStore(git_repo)
    store.save(chat(), chat_id="one", saved_at="2026-01-01T10:00:00", model="gpt-4o-mini")
    saved = store.load("one")
    assert saved.chat == chat() and saved.model == "gpt-4o-mini" and saved.id == "one"
    assert store.latest() == "one"
    summaries, problems = store.summaries()
    assert problems == []
    assert [(s.id, s.files, s.messages, s.first_request) for s in summaries] == [("one", 2, 2, "why?")]
    # Saved again under the same name: replaced whole, no temporary file left behind; ignored by git.
    store.save(Conversation(), chat_id="one", saved_at="2026-01-01T11:00:00", model=None)
    assert store.load("one").chat == Conversation()
    assert sorted(p.name for p in store.dir.iterdir()) == ["one.json"]
    assert git(git_repo, "status", "--porcelain").strip() == ""


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is broken"),
        (json.dumps({"version": 2}), "unknown version 2"),
        (json.dumps({"version": 1, "mode": "edit"}), "missing or malformed field"),
        (json.dumps([1, 2]), "not a JSON object"),
    ],
)
def test_a_broken_file_is_a_clear_error(git_repo: Path, content: str, says: str) -> None:
    store = ChatStore(git_repo)
    store.dir.mkdir(parents=True)
    (store.dir / "bad.json").write_text(content)
    with pytest.raises(ConfigError, match=says):
        store.load("bad")
    assert store.summaries()[0] == [] and "bad.json" in store.summaries()[1][0]


def test_names_and_missing_chats(git_repo: Path) -> None:
    store = ChatStore(git_repo)
    for bad in ("../escape", ".hidden", "a/b", ""):
        with pytest.raises(UsageError, match="not a session name"):
            store.load(bad)
    with pytest.raises(UsageError, match="no saved chat called nope"):
        store.load("nope")
    with pytest.raises(ValueError, match="bad history message"):
        data = {"version": 1, "id": "x", "saved_at": "t", "mode": "edit", "files": [], "read_only": []}
        from_json({**data, "history": [{"role": "tool", "content": "x"}], "usage": {}, "requests": 0})
