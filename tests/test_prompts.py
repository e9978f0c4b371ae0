"""Prompt templates: rendering, overrides, the NEED FILE form."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeassist import prompts
from codeassist.errors import ConfigError, UsageError

REQUIRED = (
    "system.md",
    "ask.md",
    "format_search_replace.md",
    "format_udiff.md",
    "format_whole.md",
    "format_patch.md",
    "format_tool.md",
    "reflect_apply.md",
    "reflect_check.md",
    "commit_message.md",
    "review.md",
    "summarize_history.md",
)


def test_every_template_ships_and_matches_the_source_directory() -> None:
    shipped = prompts.builtin_dir()
    source = Path(__file__).resolve().parent.parent / "prompts"
    for name in REQUIRED:
        assert (shipped / name).is_file(), name
        assert (shipped / name).read_bytes() == (source / name).read_bytes()


def test_missing_variable_names_template_and_variable() -> None:
    with pytest.raises(ConfigError) as info:
        prompts.render("reflect_check.md", check="lint")
    assert "reflect_check.md" in info.value.message
    assert "$output" in info.value.message


def test_unused_values_are_fine_and_name_without_suffix_works() -> None:
    text = prompts.render("reflect_apply", error="no match for SEARCH block 1", unused="x")
    assert "no match for SEARCH block 1" in text
    assert text.endswith(".\n")


def test_stray_dollar_in_override_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "review.md").write_text("costs $ 5 $diff\n")
    with pytest.raises(ConfigError) as info:
        prompts.render("review.md", (tmp_path,), diff="d")
    assert "review.md" in info.value.message


def test_literal_dollar_and_braced_names(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text("$$HOME ${check}s\n")
    assert prompts.render("t.md", (tmp_path,), check="lint") == "$HOME lints\n"


def test_repo_override_wins_over_user_which_wins_over_builtin(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    user = tmp_path / "config" / "codeassist"
    (repo / ".codeassist" / "prompts").mkdir(parents=True)
    (user / "prompts").mkdir(parents=True)
    dirs = prompts.prompt_dirs(repo, user)
    assert dirs[-1] == prompts.builtin_dir()

    (user / "prompts" / "review.md").write_text("USER $diff\n")
    assert prompts.review_prompt("D", dirs) == "USER D\n"
    assert prompts.render("ask.md", dirs) == prompts.render("ask.md")  # not overridden: built-in

    (repo / ".codeassist" / "prompts" / "review.md").write_text("REPO $diff\n")
    assert prompts.review_prompt("D", dirs) == "REPO D\n"


def test_bad_template_names_are_refused() -> None:
    for name in ("../secret", "/etc/passwd", "a/b.md", ""):
        with pytest.raises(ConfigError):
            prompts.template_path(name)
    with pytest.raises(ConfigError):
        prompts.template_path("no_such_template.md")


def test_system_prompt_per_mode_and_format() -> None:
    base, fmt = prompts.system_prompt("edit", "udiff")
    assert prompts.NEED_FILE_MARKER in base
    assert "--- a/greeting.py" in fmt
    _, ask = prompts.system_prompt("ask", "udiff")
    assert "ask mode" in ask
    with pytest.raises(UsageError):
        prompts.system_prompt("edit", "xml")


def test_helper_renderers() -> None:
    assert "lint" in prompts.reflect_check("lint", "boom\n")
    msg = prompts.commit_message_prompt("diff --git a/x b/x\n", request="")
    assert "(none)" in msg and "diff --git a/x b/x" in msg
    assert "I asked" in prompts.summarize_history_prompt("user: hi")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("NEED FILE: src/app.py", ["src/app.py"]),
        ("Sure.\n  NEED FILE: ./a.py\n- NEED FILE: `b/c.py`\n* **NEED FILE: d.txt**\n", ["a.py", "b/c.py", "d.txt"]),
        ("need file: x.py.\nNEED FILE: x.py\n", ["x.py"]),
        ("```\nNEED FILE: inside_fence.py\n```\nNEED FILE: outside.py", ["outside.py"]),
        ("I NEED FILE: not_at_line_start.py", []),
        ("NEED FILE:   \n", []),
        ("", []),
    ],
)
def test_requested_files(reply: str, expected: list[str]) -> None:
    assert prompts.requested_files(reply) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("search-replace", [("greeting.py", "replace")]),
        ("udiff", [("greeting.py", "replace")]),
        ("whole", [("greeting.py", "write")]),
        ("patch", [("greeting.py", "replace"), ("farewell.py", "create")]),
    ],
)
def test_worked_examples_parse_with_our_parsers(fmt: str, expected: list[tuple[str, str]]) -> None:
    from codeassist.edits.parse import parse_reply

    result = parse_reply(prompts.render(prompts.format_template_name(fmt)), fmt)
    assert result.issues == ()
    assert [(e.path, e.action) for e in result.edits] == expected
    first = result.edits[0]
    assert "def greet(name: str) -> None:" in first.new


def test_tool_format_example_is_a_valid_tool_call() -> None:
    import json
    import re

    from codeassist.backends.base import ToolCall
    from codeassist.edits.tool import edits_from_tool_calls

    text = prompts.render("format_tool.md")
    args = next(line for line in text.splitlines() if line.startswith("{"))
    name = re.search(r"a call to `(\w+)`", text)
    assert name is not None
    result = edits_from_tool_calls([ToolCall("call_1", name.group(1), args)])
    assert result.issues == ()
    (edit,) = result.edits
    assert (edit.path, edit.action) == ("greeting.py", "replace")
    assert edit.old == json.loads(args)["old_text"] and "def greet(name: str) -> None:" in edit.new
