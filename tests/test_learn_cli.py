"""The learn commands' edges: option hoisting for eval, --since, a corrupt record, no model."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from codeassist.errors import UsageError
from codeassist.interfaces.cli import hoist_global_options
from codeassist.learn.period import parse_since


def test_eval_keeps_its_own_models_and_other_commands_hoist_them() -> None:
    assert hoist_global_options(["eval", "--model", "a", "--model", "b", "-C", "r"]) == [
        "-C", "r", "eval", "--model", "a", "--model", "b"
    ]  # fmt: skip
    assert hoist_global_options(["--model", "x", "eval"]) == ["--model", "x", "eval"]
    assert hoist_global_options(["-C", "r", "edit", "go", "--model", "m"]) == ["-C", "r", "--model", "m", "edit", "go"]


def test_since_takes_dates_times_and_ages() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("2026-03-01", now) == "2026-03-01T00:00:00Z"
    assert parse_since("2026-03-01T14:30", now) == "2026-03-01T14:30:00Z"
    assert parse_since("2026-03-01T14:30:00+02:00", now) == "2026-03-01T12:30:00Z"
    assert parse_since("7d", now) == "2026-03-03T12:00:00Z"
    assert parse_since("12h", now) == "2026-03-10T00:00:00Z"
    assert parse_since("2w", now) == "2026-02-24T12:00:00Z"
    with pytest.raises(UsageError):
        parse_since("last tuesday", now)


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def test_a_corrupt_record_is_reported_and_can_be_deleted(isolated_env: dict[str, str], tmp_path: Path) -> None:
    data = Path(isolated_env["HOME"], ".local", "share", "codeassist")
    data.mkdir(parents=True)
    (data / "record.sqlite").write_bytes(b"not a database " * 200)
    stats = run(isolated_env, tmp_path, "stats")
    assert stats.returncode == 3 and "record.sqlite" in stats.stderr and "Traceback" not in stats.stderr
    assert "forget --all" in stats.stderr
    export = run(isolated_env, tmp_path, "export", "--format", "jsonl")
    assert export.returncode == 3 and export.stdout == ""
    assert run(isolated_env, tmp_path, "export", "--format", "csv").returncode == 2
    gone = run(isolated_env, tmp_path, "record", "forget", "--all")
    assert gone.returncode == 0 and not (data / "record.sqlite").exists()
    empty = run(isolated_env, tmp_path, "stats", "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout)["rows"] == []


def test_eval_without_a_model_is_a_configuration_error(git_repo: Path, isolated_env: dict[str, str]) -> None:
    proc = run(isolated_env, git_repo, "eval", "--json")
    assert proc.returncode == 3 and json.loads(proc.stdout)["errors"][0].startswith("no model to measure")
    outside = run(isolated_env, git_repo.parent, "eval", "--model", "m")
    assert outside.returncode == 5 and "Traceback" not in outside.stderr
