"""Instruction files: discovery order, nesting, symlinks, encodings, caps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeassist.errors import ConfigError
from codeassist.instructions import fence_for, find_instruction_files, render_instructions


def _write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def test_nested_agents_files_root_first_nearest_last(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", "root rules\n")
    _write(tmp_path, "pkg/AGENTS.md", "pkg rules\n")
    _write(tmp_path, "pkg/sub/AGENTS.md", "sub rules\n")
    _write(tmp_path, "other/AGENTS.md", "other rules\n")  # not on the way to any file in play
    _write(tmp_path, "CONVENTIONS.md", "conventions\n")
    _write(tmp_path, ".codeassist/instructions.md", "ours\n")
    _write(tmp_path, "CLAUDE.md", "claude\n")
    _write(tmp_path, "GEMINI.md", "gemini\n")
    found = find_instruction_files(tmp_path, near=["pkg/sub/mod.py"])
    assert [f.path for f in found.files] == [
        "AGENTS.md",
        "CLAUDE.md",
        "GEMINI.md",
        "pkg/AGENTS.md",
        "pkg/sub/AGENTS.md",
        "CONVENTIONS.md",
        ".codeassist/instructions.md",
    ]
    assert found.files[0].text == "root rules\n"


def test_no_files_in_play_reads_only_the_root(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", "root\n")
    _write(tmp_path, "pkg/AGENTS.md", "pkg\n")
    assert [f.path for f in find_instruction_files(tmp_path).files] == ["AGENTS.md"]


def test_symlink_out_of_the_repo_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("secret\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside, repo / "AGENTS.md")
    _write(repo, "CONVENTIONS.md", "fine\n")
    found = find_instruction_files(repo)
    assert [f.path for f in found.files] == ["CONVENTIONS.md"]
    assert found.refused == ("AGENTS.md",)
    assert "secret" not in render_instructions(found.files)


def test_symlink_inside_the_repo_is_read_once(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", "shared\n")
    os.symlink("AGENTS.md", tmp_path / "CLAUDE.md")
    _write(tmp_path, "GEMINI.md", "shared\n")  # same text, another file
    assert [f.path for f in find_instruction_files(tmp_path).files] == ["AGENTS.md"]


def test_non_utf8_is_decoded_with_replacement(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", b"caf\xe9 \xff rules\n")
    (f,) = find_instruction_files(tmp_path).files
    assert f.text == "caf\ufffd \ufffd rules\n"


def test_size_cap_keeps_whole_lines_and_says_so(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", "".join(f"rule {i}\n" for i in range(2000)))
    (f,) = find_instruction_files(tmp_path, max_bytes=1000).files
    assert f.truncated
    body, note = f.text.split("\n\n[codeassist:")
    assert len(body.encode()) <= 1000 and body.endswith(tuple("0123456789"))
    assert "only its first" in note


def test_configured_files(tmp_path: Path) -> None:
    _write(tmp_path, "docs/style.md", "style\n")
    found = find_instruction_files(tmp_path, configured=["docs/style.md"])
    assert [f.path for f in found.files] == ["docs/style.md"]
    with pytest.raises(ConfigError, match="not found"):
        find_instruction_files(tmp_path, configured=["docs/missing.md"])
    (tmp_path.parent / "elsewhere.md").write_text("x\n")
    with pytest.raises(ConfigError, match="outside"):
        find_instruction_files(tmp_path, configured=["../elsewhere.md"])


def test_render_labels_each_file_and_fences_around_inner_fences(tmp_path: Path) -> None:
    _write(tmp_path, "AGENTS.md", "Run:\n```sh\nmake test\n```\n")
    text = render_instructions(find_instruction_files(tmp_path).files)
    assert text.startswith("The project's instructions from AGENTS.md:\n````markdown\n")
    assert text.endswith("```\n````\n")
    assert fence_for("no fences") == "```"


def test_symlink_loop_is_skipped(tmp_path: Path) -> None:
    os.symlink("CLAUDE.md", tmp_path / "AGENTS.md")
    os.symlink("AGENTS.md", tmp_path / "CLAUDE.md")
    _write(tmp_path, "CONVENTIONS.md", "ok\n")
    assert [f.path for f in find_instruction_files(tmp_path).files] == ["CONVENTIONS.md"]


def test_secret_stores_are_never_instructions(tmp_path: Path) -> None:
    # A repository's config naming .env, or an AGENTS.md that is a link to it, must not send it to a model.
    _write(tmp_path, ".env", "OPENAI_API_KEY=sk-live-secret\n")
    _write(tmp_path, "deploy/creds.txt", "[default]\naws_secret_access_key = abc\n")
    with pytest.raises(ConfigError, match="secret store"):
        find_instruction_files(tmp_path, configured=[".env"])
    with pytest.raises(ConfigError, match="secret store"):
        find_instruction_files(tmp_path, configured=["deploy/creds.txt"])
    os.symlink(".env", tmp_path / "AGENTS.md")
    found = find_instruction_files(tmp_path)
    assert found.files == () and found.refused == ("AGENTS.md",)
