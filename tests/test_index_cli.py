"""The ``index`` and ``map`` commands, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from repomap_fixture import make_shop


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codeassist", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return make_shop(git_repo)


def test_index_stats_json(shop: Path) -> None:
    proc = run("-C", str(shop), "index", "--stats", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert data["files"] == 6 and data["languages"] == {"python": 6}
    assert data["defs"] > 10 and data["refs"] > 10
    assert data["skipped"] == {"unknown_language": 1}
    assert data["parsed"] == 6 and data["git"] is True
    assert set(data["timings"]) == {"list", "hash", "parse", "store", "total"}
    assert "files indexed" in proc.stderr  # the table goes to stderr when stdout carries JSON
    again = json.loads(run("index", "--json", "-C", str(shop)).stdout)
    assert again["parsed"] == 0 and again["reused"] == 6


def test_index_human_output(shop: Path) -> None:
    proc = run("index", cwd=shop)
    assert proc.returncode == 0 and proc.stdout == ""
    assert "indexed 6 files" in proc.stderr
    table = run("index", "--stats", cwd=shop)
    assert "python" in table.stdout and "definitions" in table.stdout


def test_map_json(shop: Path) -> None:
    proc = run("map", "--json", "--tokens", "200", "--query", "apply_discount", "-f", "shop/cart.py", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"version", "tokens", "files", "text"}
    assert 0 < data["tokens"] <= 200
    assert data["files"][0]["path"] == "shop/pricing.py"
    assert data["files"][0]["symbols"][0] == "apply_discount"
    assert all(set(f) == {"path", "rank", "symbols"} for f in data["files"])
    assert "shop/cart.py" not in [f["path"] for f in data["files"]]
    plain = run("map", "--tokens", "200", "--query", "apply_discount", "-f", "shop/cart.py", cwd=shop)
    assert plain.stdout == data["text"]


def test_map_outside_git(tmp_path: Path) -> None:
    (tmp_path / "lib.py").write_text("def helper():\n    return 1\n")
    (tmp_path / "main.py").write_text("from lib import helper\n\nprint(helper())\n")
    proc = run("-C", str(tmp_path), "map", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"][0]["path"] == "lib.py"


def test_errors_are_clear(shop: Path, tmp_path: Path) -> None:
    missing = run("-C", str(tmp_path / "nope"), "index")
    assert missing.returncode == 2 and "not a directory" in missing.stderr and "Traceback" not in missing.stderr
    outside = run("map", "-f", str(tmp_path / "elsewhere.py"), cwd=shop)
    assert outside.returncode == 2 and "not inside the repository" in outside.stderr
    bad = run("map", "--tokens", "-5", cwd=shop)
    assert bad.returncode == 2
