"""The SQLite cache: migrations, corruption, newer schemas, two processes at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git

from codeassist.index.cache import MIGRATIONS, IndexCache
from codeassist.index.indexer import refresh_index
from codeassist.index.parse import tags_version


@pytest.fixture
def repo(git_repo: Path) -> Path:
    for i in range(40):
        (git_repo / f"mod{i:02}.py").write_text(f"def func_{i}(x):\n    return helper_{(i + 1) % 40}(x)\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "modules")
    return git_repo


def db(root: Path) -> Path:
    return root / ".codeassist" / "index.sqlite"


def test_migrations_are_recorded_in_order(repo: Path) -> None:
    refresh_index(repo, jobs=1)
    conn = sqlite3.connect(db(repo))
    rows = conn.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
    assert rows == [(i, name) for i, (name, _) in enumerate(MIGRATIONS, 1)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_corrupt_cache_is_rebuilt_with_a_warning(repo: Path) -> None:
    first = refresh_index(repo, jobs=1)
    for suffix in ("-wal", "-shm"):
        Path(str(db(repo)) + suffix).unlink(missing_ok=True)
    db(repo).write_bytes(b"this is not a database" * 100)
    again = refresh_index(repo, jobs=1)
    assert any("rebuilt" in w for w in again.warnings)
    assert again.parsed == first.parsed and again.files == first.files
    clean = refresh_index(repo, jobs=1)
    assert clean.warnings == () and clean.parsed == 0


def test_newer_schema_is_bypassed_not_destroyed(repo: Path) -> None:
    refresh_index(repo, jobs=1)
    conn = sqlite3.connect(db(repo))
    conn.execute("INSERT INTO migrations VALUES (99, 'm99_from_the_future', 0)")
    conn.commit()
    conn.close()
    stats = refresh_index(repo, jobs=1)
    assert any("newer codeassist" in w for w in stats.warnings)
    assert stats.files == 40 and stats.cache_path is None
    conn = sqlite3.connect(db(repo))
    assert conn.execute("SELECT count(*) FROM migrations WHERE id = 99").fetchone()[0] == 1
    conn.close()


def test_unwritable_cache_dir_falls_back_to_memory(repo: Path) -> None:
    (repo / ".codeassist").write_text("a file where the directory should be")
    stats = refresh_index(repo, jobs=1)
    assert stats.cache_path is None and stats.files == 40
    assert any("in-memory" in w for w in stats.warnings)


def test_open_twice_shares_rows(repo: Path) -> None:
    refresh_index(repo, jobs=1)
    cache = IndexCache.open(repo)
    try:
        assert len(cache.file_rows()) == 40
    finally:
        cache.close()


_CHILD = """
import json, sys
from pathlib import Path
from codeassist.index.indexer import refresh_index
from codeassist.index.parse import tags_version
stats = refresh_index(Path(sys.argv[1]), jobs=1)
print(json.dumps({"files": stats.files, "defs": stats.defs, "warnings": list(stats.warnings)}))
"""


def test_two_processes_refreshing_at_once(repo: Path) -> None:
    for i in range(300):
        (repo / f"extra{i:03}.py").write_text(f"class Thing{i}:\n    def run(self):\n        return func_{i % 40}(1)\n")
    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD, str(repo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    results = [json.loads(out) for out, _ in outs]
    assert results[0]["files"] == results[1]["files"] == 340
    assert results[0]["defs"] == results[1]["defs"]
    assert results[0]["warnings"] == results[1]["warnings"] == []
    conn = sqlite3.connect(db(repo))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    tags_version.cache_clear()  # computed afresh, as the children did
    after = refresh_index(repo, jobs=1)
    assert after.parsed == 0 and after.files == 340 and after.warnings == ()


def test_cache_damaged_after_opening_is_bypassed(repo: Path) -> None:
    refresh_index(repo, jobs=1)
    for suffix in ("-wal", "-shm"):
        Path(str(db(repo)) + suffix).unlink(missing_ok=True)
    data = bytearray(db(repo).read_bytes())
    for offset in range(4096, len(data), 4096):  # keep the header page, scramble every other page
        data[offset + 8 : offset + 4096] = b"\xa5" * (4096 - 8)
    db(repo).write_bytes(bytes(data))
    stats = refresh_index(repo, jobs=1)
    assert stats.files == 40
    assert any("cache" in w for w in stats.warnings)


def test_locked_cache_costs_a_warning_not_the_run(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import codeassist.index.cache as cache_module

    refresh_index(repo, jobs=1)
    (repo / "new_module.py").write_text("def fresh():\n    return 1\n")
    monkeypatch.setattr(cache_module, "_BUSY_TIMEOUT_MS", 50)  # rather than wait the real 15 s
    holder = sqlite3.connect(db(repo), timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        stats = refresh_index(repo, jobs=1)
    finally:
        holder.rollback()
        holder.close()
    assert stats.files == 41
    assert any("locked" in w for w in stats.warnings)
    assert refresh_index(repo, jobs=1).warnings == ()
