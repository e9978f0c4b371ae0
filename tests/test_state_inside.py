"""codeassist's state stays inside the repository, in a database that is its own.

A cloned repository can hold a ``.codeassist`` symbolic link, a file of that name, a foreign
SQLite database or links in place of the cache files. ``index``, ``map`` and ``context`` (which
also caches the history) then use an in-memory index with a warning, and change no byte outside
the repository nor any database that is not theirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from repomap_fixture import make_shop

COMMANDS = (["index", "--json"], ["map", "--json"], ["context", "where is the cart total", "--json"])


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--model", "gpt-4o-mini", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` (links not followed) and its content hash."""
    out: dict[str, str] = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            p = Path(dirpath) / name
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return make_shop(git_repo)


def foreign_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT, password TEXT)")
    conn.execute("INSERT INTO users VALUES ('alice', 'hunter2')")
    conn.commit()
    conn.close()


def run_all(shop: Path) -> list[str]:
    """Run every command that opens the cache; each succeeds; returns their warnings."""
    warnings: list[str] = []
    for args in COMMANDS:
        proc = run(shop, *args)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        data = json.loads(proc.stdout)
        warnings += data.get("warnings", [])
        warnings.append(proc.stderr)
    return warnings


def test_codeassist_dir_as_a_symlink_out_of_the_repository(shop: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    foreign_db(outside / "index.sqlite")
    (outside / "notes.txt").write_text("mine\n")
    before = digest(outside)
    (shop / ".codeassist").symlink_to(outside, target_is_directory=True)
    warnings = run_all(shop)
    assert digest(outside) == before
    assert sorted(os.listdir(outside)) == ["index.sqlite", "notes.txt"]
    assert any("symbolic link" in w for w in warnings)


def test_codeassist_as_a_file(shop: Path) -> None:
    (shop / ".codeassist").write_text("not a directory\n")
    warnings = run_all(shop)
    assert (shop / ".codeassist").read_text() == "not a directory\n"
    assert any("not a directory" in w for w in warnings)


def test_foreign_database_in_the_cache_directory_is_never_altered(shop: Path) -> None:
    (shop / ".codeassist").mkdir()
    foreign_db(shop / ".codeassist" / "index.sqlite")
    before = (shop / ".codeassist" / "index.sqlite").read_bytes()
    warnings = run_all(shop)
    assert (shop / ".codeassist" / "index.sqlite").read_bytes() == before
    assert sorted(os.listdir(shop / ".codeassist")) == ["index.sqlite"]
    assert any("not codeassist's" in w and "users" in w for w in warnings)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_cache_files_as_links_out_of_the_repository(shop: Path, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / "victim"
    if suffix:
        target.write_bytes(b"precious\n")
    else:  # the database itself: a link to someone else's database
        foreign_db(target)
    before = target.read_bytes()
    (shop / ".codeassist").mkdir()
    (shop / ".codeassist" / ("index.sqlite" + suffix)).symlink_to(target)
    run_all(shop)
    assert target.read_bytes() == before
    hard = tmp_path / "hard-victim"
    hard.write_bytes(b"precious\n")
    (shop / ".codeassist" / ("index.sqlite" + suffix)).unlink()
    os.link(hard, shop / ".codeassist" / ("index.sqlite" + suffix))
    run_all(shop)
    assert hard.read_bytes() == b"precious\n"


def test_cache_missing_a_table_is_rebuilt_without_a_traceback(shop: Path) -> None:
    assert run(shop, "index", "--json").returncode == 0
    db = shop / ".codeassist" / "index.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE files")
    conn.commit()
    conn.close()
    proc = run(shop, "index", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["files"] == 6 and any("rebuilt" in w for w in data["warnings"])
    assert run(shop, "map", "--json").returncode == 0


def test_cache_files_are_private(shop: Path) -> None:
    assert run(shop, "context", "cart total", "--json").returncode == 0
    for name in os.listdir(shop / ".codeassist"):
        assert stat.S_IMODE((shop / ".codeassist" / name).stat().st_mode) == 0o600, name


def test_tracked_codeassist_symlink_in_a_clone(shop: Path, tmp_path: Path) -> None:
    # The same attack as it arrives: a committed link, then a fresh clone.
    outside = tmp_path / "home-like"
    outside.mkdir()
    (shop / ".codeassist").symlink_to(outside, target_is_directory=True)
    git(shop, "add", ".codeassist")
    git(shop, "commit", "-q", "-m", "link")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(shop), str(clone))
    run_all(clone)
    assert os.listdir(outside) == []
