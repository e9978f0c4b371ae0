"""Golden files pinning the full rendered prompt for a fixture repository.

Regenerate after an intended change with:

    UPDATE_GOLDEN=1 python -m pytest tests/test_context_golden.py

and review the diff of tests/golden/context/ before committing it.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from context_fixtures import FakeMapProvider, write_fixture

from codeassist.backends.base import Message
from codeassist.context import BuiltContext, ContextRequest, build_context

GOLDEN = Path(__file__).parent / "golden" / "context"


@pytest.fixture
def shop(git_repo: Path) -> Path:
    write_fixture(git_repo)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "shop")
    return git_repo


def render_for_golden(built: BuiltContext) -> str:
    out = []
    for i, m in enumerate(built.messages, 1):
        out.append(f"===== message {i}: {m.role} =====\n{m.content}")
        if not m.content.endswith("\n"):
            out.append("\n")
    out.append("===== parts =====\n")
    for p in built.parts:
        out.append(f"{p.name}\t{p.tokens}\t{p.detail}\n")
    out.append(f"total {built.total_tokens} / budget {built.budget}\n")
    out.append(f"files {list(built.files)} read-only {list(built.read_only)} dropped {list(built.dropped)}\n")
    return "".join(out)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path.name} is missing; create it with UPDATE_GOLDEN=1")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "golden/" + name, "actual"
            )
        )
        pytest.fail(f"rendered prompt differs from {name} (UPDATE_GOLDEN=1 to accept):\n{diff}", pytrace=False)


CASES: dict[str, dict[str, object]] = {
    "edit_search_replace.txt": {
        "chat_files": ("shop/cart.py",),
        "read_only_files": ("shop/prices.py",),
        "history": (Message("user", "What does Cart.total return?"), Message("assistant", "The sum in cents.")),
    },
    "edit_udiff_named_in_request.txt": {
        "edit_format": "udiff",
        "request": "In shop/prices.py add a banana at 30 cents.",
    },
    "edit_no_files_map_suggestions.txt": {"edit_format": "patch", "map_files": 2},
    "ask_with_file.txt": {"mode": "ask", "chat_files": ("cli/main.py",), "request": "What does main print?"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_prompt(shop: Path, name: str) -> None:
    kw: dict[str, object] = {"request": "Make Cart.total apply a 10% discount over 1000 cents.", **CASES[name]}
    req = ContextRequest(
        root=shop, context_window=16_384, max_output_tokens=4096, map_tokens=512, **kw  # type: ignore[arg-type]
    )
    built = build_context(req, map_provider=FakeMapProvider(), prompt_dirs=None)
    check_golden(name, render_for_golden(built))


def test_each_format_golden_covers_its_template(shop: Path) -> None:
    for fmt in ("search-replace", "udiff", "whole", "patch", "tool"):
        req = ContextRequest(root=shop, request="x", edit_format=fmt, map_tokens=0)
        system = build_context(req).messages[0].content
        assert system.startswith("You are codeassist")
        assert "How to make edits" in system


def test_same_bytes_across_processes(shop: Path) -> None:
    """The CLI in two fresh processes (different hash seeds) and this process agree byte for byte."""
    cmd = [sys.executable, "-m", "codeassist", "context", "make Cart.total faster", "-f", "shop/cart.py", "--json"]
    cmd += ["--edit-format", "udiff"]
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(cmd, cwd=shop, env=env, capture_output=True, check=True)
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    messages = json.loads(outs[0])["messages"]
    req = ContextRequest(
        root=shop, request="make Cart.total faster", chat_files=("shop/cart.py",), edit_format="udiff"
    )
    # The CLI's model defaults and the real map may differ from this request; the static
    # prefix (system prompt and instructions) must not.
    here = build_context(req, map_provider=FakeMapProvider())
    assert [m["content"] for m in messages[:3]] == [m.content for m in here.messages[:3]]


def test_golden_prompt_with_the_real_repo_map(shop: Path) -> None:
    """The whole pipeline, index and repo map included, for the fixture repository."""
    req = ContextRequest(
        root=shop,
        request="Make Cart.total apply a 10% discount over 1000 cents.",
        context_window=16_384,
        max_output_tokens=4096,
        map_tokens=1024,
        map_files=2,
    )
    built = build_context(req)
    assert built.map_text, "the repo map engine returned nothing for the fixture repository"
    check_golden("edit_real_map.txt", render_for_golden(built))
