"""record -> undo -> export end to end: the real CLI, the loopback server, a real repository."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from replies import GOOD_SR

from codeassist.learn.export import build_export, dpo_examples, sft_examples
from codeassist.learn.formats import dpo_problems, sft_problems
from codeassist.learn.store import Exchange, Trajectory

FAKE_KEY = "sk-" + "Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2"
OTHER_SR = GOOD_SR.replace('"hello, world"', '"hello, everyone"')


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(f'API_KEY = "{FAKE_KEY}"\n\n\ndef greet():\n    return "hello"\n')
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


def cli(server: OpenAIServer, repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url, "--api-key", "k"]
    argv += ["--model", "gpt-4o-mini", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_record_undo_export(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**isolated_env, "CODEASSIST_RECORD": "true"}
    openai_server.enqueue(Text(GOOD_SR), Text("Greet the world"))
    first = cli(openai_server, repo, env, "edit", "greet the world", "-f", "app.py")
    assert first.returncode == 0, first.stderr
    undo = cli(openai_server, repo, env, "undo")
    assert undo.returncode == 0, undo.stderr
    openai_server.enqueue(Text(OTHER_SR), Text("Greet everyone"))
    second = cli(openai_server, repo, env, "edit", "Greet the  world", "-f", "app.py")
    assert second.returncode == 0, second.stderr

    database = Path(isolated_env["HOME"], ".local", "share", "codeassist", "record.sqlite")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    dpo, sft, raw = tmp_path / "dpo.jsonl", tmp_path / "sft.jsonl", tmp_path / "all.jsonl"
    out = cli(openai_server, repo, env, "export", "--format", "openai-dpo", "-o", str(dpo))
    assert out.returncode == 0, out.stderr
    assert f"{dpo}: 1 examples" in out.stderr
    [pair] = lines(dpo)
    assert dpo_problems(pair) == []
    assert pair["non_preferred_output"] == [{"role": "assistant", "content": GOOD_SR}]  # the undone reply
    assert pair["preferred_output"] == [{"role": "assistant", "content": OTHER_SR}]
    text = dpo.read_text()
    assert FAKE_KEY not in text and "[REDACTED:openai]" in text

    out = cli(openai_server, repo, env, "export", "--format", "openai-sft", "--kept-only", "-o", str(sft))
    assert out.returncode == 0 and f"{sft}: 1 examples" in out.stderr
    [example] = lines(sft)
    assert sft_problems(example) == [] and example["messages"][-1]["content"] == OTHER_SR
    assert FAKE_KEY not in sft.read_text()

    out = cli(openai_server, repo, env, "export", "--format", "jsonl", "-o", str(raw))
    assert [(r["fate"], r["status"]) for r in lines(raw)] == [("undone", "success"), ("kept", "success")]
    assert FAKE_KEY not in database.read_bytes().decode("latin-1")

    stats = cli(openai_server, repo, env, "stats", "--json")
    [row] = json.loads(stats.stdout)["rows"]
    assert (row["model"], row["edit_format"], row["requests"], row["kept"], row["lost"]) == (
        "gpt-4o-mini", "search-replace", 2, 1, 1
    )  # fmt: skip
    assert row["acceptance"] == 0.5 and row["apply_failure"] == 0.0 and row["rounds"] == 1.0

    bare = [sys.executable, "-m", "codeassist", "record", "forget"]
    refused = subprocess.run(bare, capture_output=True, text=True, env=env, cwd=repo, timeout=60)
    assert refused.returncode == 2 and "--all" in refused.stderr  # nothing said, nothing forgotten
    forget = cli(openai_server, repo, env, "record", "forget", "--since", "1d")
    assert forget.returncode == 0 and "forgot 2 request(s)" in forget.stderr
    assert json.loads(cli(openai_server, repo, env, "stats", "--json").stdout)["rows"] == []


def _t(request: str, exchanges: tuple[Exchange, ...], *, fate: str, status: str = "success") -> Trajectory:
    return Trajectory("2026-01-01T00:00:00Z", "/r", "edit", "m", "openai", "search-replace", request, status,
                      len(exchanges), "c", ("a.py",), exchanges=exchanges, fate=fate)  # fmt: skip


PROMPT = ({"role": "system", "content": "You edit code."}, {"role": "user", "content": "do it"})


def test_a_failed_round_pairs_with_the_reply_that_worked() -> None:
    bad = Exchange(PROMPT, "broken edit", failed=("a.py: no match",))
    good = Exchange(
        (*PROMPT, {"role": "assistant", "content": "broken edit"}, {"role": "user", "content": "it failed"}),
        "fixed edit", applied=("a.py",), checks=({"name": "syntax", "ok": True},),
    )  # fmt: skip
    trajectory = _t("do it", (bad, good), fate="kept")
    [pair] = dpo_examples([trajectory])
    assert dpo_problems(pair) == [] and pair["input"]["messages"] == list(PROMPT)
    assert pair["non_preferred_output"][0]["content"] == "broken edit"
    [example] = sft_examples([trajectory], kept_only=True)
    assert sft_problems(example) == []
    assert example["messages"][2] == {"role": "assistant", "content": "broken edit", "weight": 0}
    held = build_export("openai-sft", [trajectory], heldout_requests=["Do  it"])
    assert held.examples == () and held.skipped == {"eval task": 1}


def test_the_format_checks_reject_what_providers_reject() -> None:
    assert sft_problems({"messages": [{"role": "user", "content": "q"}]})  # nothing to learn
    assert sft_problems({"messages": [{"role": "robot", "content": "q"}, {"role": "assistant", "content": "a"}]})
    assert sft_problems({"prompt": "q", "completion": "a"})
    assert dpo_problems({"input": {"messages": [{"role": "user", "content": "q"}]},
                         "preferred_output": [{"role": "assistant", "content": "a"}]})  # fmt: skip
    same = [{"role": "assistant", "content": "a"}]
    assert dpo_problems({"input": {"messages": list(PROMPT)}, "preferred_output": same, "non_preferred_output": same})
    tool_call = {"id": "c1", "type": "function", "function": {"name": "replace_in_file", "arguments": "{}"}}
    ok = {"messages": [*PROMPT, {"role": "assistant", "content": None, "tool_calls": [tool_call]}]}
    assert sft_problems(ok) == []
