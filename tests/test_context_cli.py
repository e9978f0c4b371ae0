"""`codeassist context` as a user runs it: a real subprocess in a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from context_fixtures import write_fixture


@pytest.fixture
def shop(git_repo: Path) -> Path:
    write_fixture(git_repo)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "shop")
    return git_repo


def run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codeassist", *args], cwd=cwd, input=stdin, capture_output=True, text=True
    )


def test_json_schema(shop: Path) -> None:
    args = ["-f", "shop/cart.py", "--read-only", "shop/prices.py", "--json"]
    proc = run(shop, "context", "make the total faster", *args)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {"version", "messages", "parts", "total_tokens", "budget", "files", "read_only"}
    assert out["version"] == 1
    assert out["files"] == ["shop/cart.py"] and out["read_only"] == ["shop/prices.py"]
    assert out["messages"][0]["role"] == "system"
    assert out["messages"][-1] == {"role": "user", "content": "make the total faster"}
    assert sum(p["tokens"] for p in out["parts"]) == out["total_tokens"] <= out["budget"]
    assert {"name", "tokens", "detail"} == set(out["parts"][0])
    assert proc.stderr == ""


def test_human_output_messages_on_stdout_table_on_stderr(shop: Path) -> None:
    proc = run(shop, "--no-color", "context", "fix shop/cart.py", "--edit-format", "whole", "--tokens", "0")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("----- message 1: system -----\nYou are codeassist")
    assert "How to make edits: whole files." in proc.stdout
    assert proc.stdout.rstrip().endswith("fix shop/cart.py")
    assert "file: shop/cart.py" in proc.stderr and "total" in proc.stderr and "budget" in proc.stderr


def test_request_from_stdin_and_paths_relative_to_cwd(shop: Path) -> None:
    proc = run(shop / "shop", "context", "-", "-f", "cart.py", "--json", "--tokens", "0", stdin="add a discount\n")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["files"] == ["shop/cart.py"]
    assert out["messages"][-1]["content"] == "add a discount\n"


def test_settings_from_config_are_used(shop: Path) -> None:
    (shop / ".codeassist.toml").write_text('edit_format = "patch"\nmap_files = 1\ninstruction_files = ["README.md"]\n')
    proc = run(shop, "context", "anything", "--json", "--tokens", "0")
    out = json.loads(proc.stdout)
    parts = {p["name"]: p["detail"] for p in out["parts"]}
    assert parts["format"] == "patch"
    assert parts["instructions"] == "AGENTS.md, CONVENTIONS.md, README.md"


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["context", "x", "-f", "/etc/passwd"], 2, "not inside the repository"),
        (["context", "x", "--read-only", "nope.py"], 2, "no such file"),
        (["context", "x", "--edit-format", "xml"], 2, "unknown edit format"),
        (["context", "   "], 2, "the request is empty"),
    ],
)
def test_errors_are_clear_with_exit_codes(shop: Path, args: list[str], code: int, text: str) -> None:
    proc = run(shop, "--no-color", *args)
    assert proc.returncode == code
    assert text in proc.stderr and "Traceback" not in proc.stderr


def test_chat_file_too_big_for_the_model_exits_4_and_names_the_setting(shop: Path) -> None:
    (shop / "big.py").write_text("value = 1\n" * 20_000)
    proc = run(shop, "--no-color", "context", "x", "-f", "big.py")
    assert proc.returncode == 4  # as when the server refuses a prompt as too long
    assert "do not fit" in proc.stderr and "Traceback" not in proc.stderr
    assert "context_window" in proc.stderr


def test_template_overrides_from_repo_and_user_config_dir(shop: Path, isolated_env: dict[str, str]) -> None:
    user_prompts = Path(isolated_env["XDG_CONFIG_HOME"]) / "codeassist" / "prompts"
    user_prompts.mkdir(parents=True)
    (user_prompts / "system.md").write_text("USER SYSTEM PROMPT\n")
    (user_prompts / "format_whole.md").write_text("USER WHOLE FORMAT\n")
    proc = run(shop, "context", "x", "--json", "--tokens", "0", "--edit-format", "whole")
    system = json.loads(proc.stdout)["messages"][0]["content"]
    assert system == "USER SYSTEM PROMPT\n\nUSER WHOLE FORMAT\n"

    repo_prompts = shop / ".codeassist" / "prompts"
    repo_prompts.mkdir(parents=True)
    (repo_prompts / "system.md").write_text("REPO SYSTEM PROMPT\n")
    proc = run(shop, "context", "x", "--json", "--tokens", "0", "--edit-format", "whole")
    assert json.loads(proc.stdout)["messages"][0]["content"] == "REPO SYSTEM PROMPT\n\nUSER WHOLE FORMAT\n"

    (repo_prompts / "system.md").write_text("uses $undefined_thing\n")
    proc = run(shop, "--no-color", "context", "x", "--tokens", "0")
    assert proc.returncode == 3
    assert "system.md" in proc.stderr and "$undefined_thing" in proc.stderr


def test_history_commits_setting_turns_the_history_signal_off(shop: Path) -> None:
    (shop / "shop" / "ledger.py").write_text("def post(entry):\n    return entry\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "Refunds must reverse the original booking")
    request = "refunds reverse the wrong booking"
    on = run(shop, "context", request, "--json")
    assert on.returncode == 0, on.stderr
    assert json.loads(on.stdout)["read_only"][0] == "shop/ledger.py"
    off = subprocess.run(
        [sys.executable, "-m", "codeassist", "context", request, "--json"],
        cwd=shop,
        capture_output=True,
        text=True,
        env={**os.environ, "CODEASSIST_HISTORY_COMMITS": "0"},
    )
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout)["read_only"][0] != "shop/ledger.py"  # only the map knows it now
