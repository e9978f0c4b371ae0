"""The record: secrets scrubbed, the store's migrations and privacy, the recorder around a real session."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import git

from codeassist.backends.catalogue import lookup_model
from codeassist.backends.scripted import ScriptedBackend
from codeassist.config import load_settings
from codeassist.learn.record import Recorder, wrap_sink
from codeassist.learn.scrub import scrub, scrub_text
from codeassist.learn.store import MIGRATIONS, Exchange, RecordError, Trajectory, open_store
from codeassist.session import RunOptions, Session

FAKE_KEYS = {
    "openai": "sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4",
    "openai-project": "sk-proj-" + "abcDEF123_ghiJKL456-mnoPQR789",
    "anthropic": "sk-ant-" + "api03-abcdefghijklmnopqrstuv",
    "google": "AIza" + "SyA1234567890abcdefghijklmnopqrstuv",
    "github": "ghp_" + "a" * 36,
    "github-pat": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnop",
    "aws-access-key": "AKIA" + "IOSFODNN7EXAMPLE",
    "slack": "xoxb-" + "123456789012-abcdefghijkl",
    "stripe": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
}
GOOD = "app.py\n```\n<<<<<<< SEARCH\nVALUE = 1\n=======\nVALUE = 2\n>>>>>>> REPLACE\n```\n"


@pytest.mark.parametrize("kind", sorted(FAKE_KEYS))
def test_each_key_shape_is_scrubbed(kind: str) -> None:
    out = scrub_text(f'API_KEY = "{FAKE_KEYS[kind]}"  # used by the client\n')
    assert FAKE_KEYS[kind] not in out.text
    assert out.kinds == (kind,)
    assert out.text == f'API_KEY = "[REDACTED:{kind}]"  # used by the client\n'


def test_private_key_blocks_and_ordinary_code() -> None:
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----"
    assert scrub(f"key:\n{block}\nend") == "key:\n[REDACTED:private-key]\nend"
    code = "def task_list(ask_user, sk_value): return 'sk-short' + 'AKIA'"
    assert scrub(code) == code


def test_what_the_review_would_block_is_scrubbed_too() -> None:
    # No provider prefix: a password assigned in a config file, two on one line, and a Slack webhook.
    text = (
        'DB_PASSWORD = "k8Hq2zR7vXw4Lp9N"\n'
        "token=Zq81mVt5Rk2Jx9Wd other_secret=Ab3dE5gH7jK9mN1p\n"
        "hook: https://hooks.slack.com/services/T000/B000/XXXXXXXX\n"
        'password = "changeme-please"  # a placeholder stays\n'
    )
    out = scrub_text(text)
    for secret in ("k8Hq2zR7vXw4Lp9N", "Zq81mVt5Rk2Jx9Wd", "Ab3dE5gH7jK9mN1p", "hooks.slack.com/services/T000"):
        assert secret not in out.text
    assert out.text.splitlines()[0] == 'DB_PASSWORD = "[REDACTED:assigned-secret]"'
    assert 'password = "changeme-please"' in out.text
    assert out.kinds == ("assigned-secret", "slack-webhook")


def _trajectory(**over: Any) -> Trajectory:
    base: dict[str, Any] = dict(
        created_at="2026-01-02T03:04:05Z", repo="/r", mode="edit", model="m", endpoint="openai",
        edit_format="search-replace", request="do it", status="success", rounds=1, commit="abc",
        files=("a.py",), exchanges=(Exchange(({"role": "user", "content": "hi"},), "reply", (), ("a.py",)),),
        fate="kept",
    )  # fmt: skip
    base.update(over)
    return Trajectory(**base)


def test_store_is_private_migrated_once_and_forgets(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.add(_trajectory())
        store.add(_trajectory(created_at="2026-02-01T00:00:00Z", repo="/other"))
    path = tmp_path / "record.sqlite"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with open_store(tmp_path) as store:  # a second open runs no migration again
        names = [r[0] for r in store.conn.execute("SELECT name FROM migrations")]
        assert names == [name for name, _ in MIGRATIONS]
        [first, second] = store.trajectories()
        assert first.exchanges[0].messages == ({"role": "user", "content": "hi"},)
        assert first.files == ("a.py",) and second.repo == "/other"
        assert store.forget(since="2026-01-15T00:00:00Z") == 1
        assert store.forget(repo="/nowhere") == 0
        assert [t.repo for t in store.trajectories()] == ["/r"]
        exchanges = store.conn.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0]
        assert exchanges == 1  # the forgotten request's exchanges went with it


def test_a_corrupt_database_is_reported(tmp_path: Path) -> None:
    (tmp_path / "record.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(RecordError) as caught:
        open_store(tmp_path)
    assert "record.sqlite" in caught.value.message and caught.value.exit_code == 3


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(f'VALUE = 1\nKEY = "{FAKE_KEYS["openai"]}"\n')
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "app")
    return git_repo


def _session(repo: Path, replies: list[str], data_dir: Path, *, record: bool) -> tuple[Session, list[dict[str, Any]]]:
    env = {"CODEASSIST_CONFIG": str(repo / "none.toml"), **({"CODEASSIST_RECORD": "true"} if record else {})}
    settings = load_settings(repo_root=repo, environ=env, flags={"model": "gpt-4o-mini"})
    events: list[dict[str, Any]] = []
    sink = wrap_sink(settings, data_dir, events.append, root=repo, clock=iter(range(100, 200)).__next__)
    session = Session(
        ScriptedBackend(replies), root=repo, settings=settings, model_info=lookup_model("gpt-4o-mini"), on_event=sink,
        own_record=False,
    )
    return session, events


def test_the_recorder_stores_a_scrubbed_trajectory(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    session, events = _session(repo, [GOOD, "feat: VALUE is 2"], data, record=True)
    result = session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",)))
    assert result.status == "success"
    assert "exchange" not in [e["type"] for e in events]  # the interface never sees whole prompts
    with open_store(data) as store:
        [t] = store.trajectories()
    assert (t.mode, t.status, t.model, t.endpoint, t.edit_format) == (
        "edit", "success", "gpt-4o-mini", "openai", "search-replace"
    )  # fmt: skip
    assert t.commit == result.commit and t.fate == "kept" and t.files == ("app.py",)
    assert len(t.exchanges) == 1  # the commit message call is not an edit
    [x] = t.exchanges
    assert x.reply == GOOD and x.applied == ("app.py",) and x.checks[0]["name"] == "syntax"
    sent = "\n".join(m["content"] for m in x.messages)
    assert "set VALUE to 2" in sent and "[REDACTED:openai]" in sent and FAKE_KEYS["openai"] not in sent
    assert t.seconds > 0


def test_recording_is_off_by_default_and_ignored_files_are_never_stored(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    session, events = _session(repo, [GOOD, "feat: VALUE is 2"], data, record=False)
    session.edit(RunOptions("edit", "set VALUE to 2", files=("app.py",)))
    assert not (data / "record.sqlite").exists()
    assert "exchange" not in [e["type"] for e in events]
    (repo / ".codeassist.toml").write_text("record = true\n")  # the repository cannot turn it on
    session, _ = _session(repo, ["Answer."], data, record=False)
    assert session.settings.record is True and session.settings.source("record") == "repo"
    session.ask(RunOptions("ask", "what is VALUE?"))
    assert not (data / "record.sqlite").exists()
    (repo / ".codeassistignore").write_text("app.py\n")
    session, _ = _session(repo, ["Answer."], data, record=True)
    session.ask(RunOptions("ask", "what is VALUE?", files=("app.py",)))
    with open_store(data) as store:
        assert store.trajectories() == []


def test_an_unwritable_record_is_a_notice_not_a_failure(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "record.sqlite").write_bytes(b"garbage" * 500)
    session, events = _session(repo, ["Answer."], data, record=True)
    assert isinstance(session.on_event, Recorder)
    result = session.ask(RunOptions("ask", "what is VALUE?"))
    assert result.status == "success"
    notices = [e["message"] for e in events if e["type"] == "notice"]
    assert notices and all("record.sqlite" in n for n in notices)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(data / "record.sqlite").execute("SELECT 1 FROM trajectories")
