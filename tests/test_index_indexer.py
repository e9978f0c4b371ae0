"""Refreshing the index: incremental, reused across branches, robust to bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git

from codeassist.errors import UsageError
from codeassist.index.indexer import open_snapshot, refresh_index

MODULE_A = "def alpha(x):\n    return beta(x) + 1\n\n\nclass Widget:\n    def render(self):\n        return alpha(2)\n"
MODULE_B = "from a import alpha\n\n\ndef beta(y):\n    return y * 2\n"


def write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


@pytest.fixture
def py_repo(git_repo: Path) -> Path:
    write(git_repo, "a.py", MODULE_A)
    write(git_repo, "b.py", MODULE_B)
    write(git_repo, "pkg/c.py", "import b\n\nVALUE = b.beta(3)\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "code")
    return git_repo


def test_cold_then_warm(py_repo: Path) -> None:
    cold = refresh_index(py_repo, jobs=1)
    assert cold.git and cold.files == 3 and cold.parsed == 3
    assert cold.languages == {"python": 3}
    assert cold.defs >= 4 and cold.refs >= 3
    assert cold.skipped == {"unknown_language": 1}  # README.md
    assert cold.cache_path == ".codeassist/index.sqlite" and cold.cache_bytes > 0
    assert cold.warnings == ()
    warm = refresh_index(py_repo, jobs=1)
    assert warm.parsed == 0 and warm.reused == 3
    assert (warm.files, warm.defs, warm.refs) == (cold.files, cold.defs, cold.refs)


def test_cache_excluded_through_git_info_exclude(py_repo: Path) -> None:
    refresh_index(py_repo, jobs=1)
    exclude = (py_repo / ".git" / "info" / "exclude").read_text()
    assert ".codeassist/index.sqlite*" in exclude.splitlines()
    assert not (py_repo / ".gitignore").exists()
    assert git(py_repo, "status", "--porcelain") == ""


def test_touch_costs_nothing_and_one_edit_parses_one(py_repo: Path) -> None:
    refresh_index(py_repo, jobs=1)
    os.utime(py_repo / "a.py", None)
    assert refresh_index(py_repo, jobs=1).parsed == 0
    write(py_repo, "b.py", MODULE_B + "\n\ndef gamma():\n    return 0\n")
    edited = refresh_index(py_repo, jobs=1)
    assert edited.parsed == 1 and edited.reused == 2
    write(py_repo, "new.py", "def delta():\n    pass\n")
    assert refresh_index(py_repo, jobs=1).parsed == 1
    # An untracked file older than the racy window is then known by its stat fingerprint.
    old = 1_000_000_000
    os.utime(py_repo / "new.py", (old, old))
    refresh_index(py_repo, jobs=1)
    assert refresh_index(py_repo, jobs=1).parsed == 0


def test_other_branch_reuses_shared_content(py_repo: Path) -> None:
    refresh_index(py_repo, jobs=1)
    git(py_repo, "checkout", "-qb", "feature")
    write(py_repo, "b.py", MODULE_B + "\ndef feature():\n    return 1\n")
    git(py_repo, "commit", "-qam", "feature")
    assert refresh_index(py_repo, jobs=1).parsed == 1
    git(py_repo, "checkout", "-q", "main")
    back = refresh_index(py_repo, jobs=1)
    assert back.parsed == 0 and back.files == 3


def test_process_pool_gives_the_same_index(py_repo: Path) -> None:
    for i in range(120):
        write(py_repo, f"gen/m{i:03}.py", f"def f{i}(x):\n    return alpha(x) + {i}\n")
    pooled = refresh_index(py_repo, jobs=2)
    assert pooled.parsed == 123
    (py_repo / ".codeassist" / "index.sqlite").unlink()
    serial = refresh_index(py_repo, jobs=1)
    assert (pooled.files, pooled.defs, pooled.refs) == (serial.files, serial.defs, serial.refs)


def test_bad_files_are_counted_never_fatal(py_repo: Path, tmp_path: Path) -> None:
    write(py_repo, "latin1.py", "name = 'caf\xe9'\ndef f():\n    pass\n".encode("latin-1"))
    write(py_repo, "nul.py", b"x = 1\x00\x00\n")
    write(py_repo, "long.py", b"x = '" + b"a" * 50_000 + b"'\n")
    write(py_repo, "huge.py", b"x = 1\n" * 200_000)
    os.symlink("a.py", py_repo / "inner_link.py")
    os.symlink(write(tmp_path, "elsewhere.py", "secret = 1\n"), py_repo / "outer_link.py")
    os.symlink(tmp_path / "missing.py", py_repo / "dangling.py")
    stats = refresh_index(py_repo, jobs=1)
    assert stats.not_utf8 == 1
    assert stats.files == 4  # a, b, pkg/c and latin1 (parsed as bytes)
    assert stats.skipped["binary"] == 1
    assert stats.skipped["minified"] == 1
    assert stats.skipped["too_large"] == 1
    assert stats.skipped["symlink"] == 1
    assert stats.skipped["symlink_outside"] == 2


def test_file_vanishing_between_listing_and_reading(py_repo: Path) -> None:
    write(py_repo, "doomed.py", "def doomed():\n    pass\n")
    git(py_repo, "add", ".")
    git(py_repo, "commit", "-qm", "doomed")

    def remove_on_start(done: int, total: int) -> None:
        if done == 0:
            (py_repo / "doomed.py").unlink()

    stats = refresh_index(py_repo, jobs=1, progress=remove_on_start)
    assert stats.skipped.get("vanished") == 1
    assert stats.files == 3
    assert refresh_index(py_repo, jobs=1).files == 3


def test_parse_time_limit(py_repo: Path) -> None:
    body = "".join(f"def f{i}(a, b):\n    return [a + b for _ in range({i})]\n" for i in range(20_000))
    write(py_repo, "slow.py", body)
    stats = refresh_index(py_repo, jobs=1, timeout_ms=0, max_file_bytes=10_000_000)
    assert stats.skipped.get("parse_timeout", 0) >= 1


def test_outside_git_uses_a_walk(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, "a.py", MODULE_A)
    write(root, ".gitignore", "ignored.py\n")
    write(root, "ignored.py", "x = 1\n")
    stats = refresh_index(root, jobs=1)
    assert not stats.git and stats.files == 1
    assert refresh_index(root, jobs=1).parsed == 0


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        refresh_index(tmp_path / "missing")


def test_snapshot_without_refresh_uses_last_state(py_repo: Path) -> None:
    refresh_index(py_repo, jobs=1)
    write(py_repo, "later.py", "def later():\n    pass\n")
    cache, snap = open_snapshot(py_repo, refresh=False)
    cache.close()
    assert [f.path for f in snap.files] == ["a.py", "b.py", "pkg/c.py"]
    cache, fresh = open_snapshot(py_repo, refresh=True)
    cache.close()
    assert "later.py" in [f.path for f in fresh.files] and fresh.state_key != snap.state_key


def test_unchanged_listing_still_notices_dirty_file_edits(py_repo: Path) -> None:
    refresh_index(py_repo, jobs=1)
    target = py_repo / "b.py"
    write(py_repo, "b.py", MODULE_B + "\n\ndef first():\n    pass\n")
    os.utime(target, (1_000_000_000, 1_000_000_000))  # out of the racy window: fingerprinted
    assert refresh_index(py_repo, jobs=1).parsed == 1
    write(py_repo, "notes.txt", "untracked, not code: needs no fingerprint\n")
    refresh_index(py_repo, jobs=1)
    quiet = refresh_index(py_repo, jobs=1)
    assert quiet.parsed == 0 and quiet.timings["hash"] == 0.0  # the fast path: no per-file work
    assert (quiet.files, quiet.skipped) == (3, {"unknown_language": 2})
    write(py_repo, "b.py", MODULE_B + "\n\ndef second():\n    pass\n")
    os.utime(target, (1_000_000_100, 1_000_000_100))
    again = refresh_index(py_repo, jobs=1)
    assert again.parsed == 1 and again.files == 3
    cache, snap = open_snapshot(py_repo)
    cache.close()
    assert snap.dirty == ("b.py", "notes.txt") and len(snap.files) == 3
