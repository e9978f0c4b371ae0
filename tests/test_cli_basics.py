from __future__ import annotations

import subprocess
import sys

import pytest

from codeassist.interfaces.cli import hoist_global_options


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "codeassist", *args], capture_output=True, text=True)


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("codeassist ")


def test_help_lists_every_contract_command() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for name in (
        "chat",
        "ask",
        "edit",
        "apply",
        "map",
        "context",
        "index",
        "review",
        "commit",
        "undo",
        "hook",
        "models",
        "config",
    ):
        assert f"  {name} " in proc.stdout or f"  {name}\n" in proc.stdout, name


def test_global_option_without_value_is_usage_error() -> None:
    proc = run("edit", "x", "--model")
    assert proc.returncode == 2
    assert "--model needs a value" in proc.stderr


def test_unknown_option_is_usage_error() -> None:
    proc = run("--no-such-flag")
    assert proc.returncode == 2
    assert "No such option" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["edit", "x", "--model", "m"], ["--model", "m", "edit", "x"]),
        (["--model", "m", "edit", "x"], ["--model", "m", "edit", "x"]),
        (["edit", "--model=m", "x", "-v"], ["--model=m", "-v", "edit", "x"]),
        (["edit", "use --model here"], ["edit", "use --model here"]),
        (["apply", "--", "--model"], ["apply", "--", "--model"]),
        (["map", "-C", "/tmp", "--no-color"], ["-C", "/tmp", "--no-color", "map"]),
    ],
)
def test_global_options_hoisted(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(argv) == expected
