"""Lexical ranking of files by a request's words (the repo map's complement)."""

from __future__ import annotations

from pathlib import Path

from codeassist import lexical
from codeassist.lexical import fuse, rank_by_text, words


def test_words_split_identifiers() -> None:
    assert words("parseConfigFiles") == ["parseconfigfiles", "parse", "config", "files"]
    assert words("the HTTPServer handles_requests") == ["httpserver", "http", "server", "handles", "requests"]
    assert words("a to of x") == []


def test_rank_by_text_scores_paths_and_content(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "install.md").write_text("How to install the tool.\n")
    (tmp_path / "cache.py").write_text("def evict_entries(cache):\n    pass\n")
    (tmp_path / "blob.bin").write_bytes(b"\0cache evict")
    (tmp_path / "other.py").write_text("x = 1\n")
    files = ["blob.bin", "cache.py", "docs/install.md", "missing.py", "other.py"]
    assert [p for p, _ in rank_by_text(tmp_path, files, "evict old cache entries")] == ["cache.py"]
    assert [p for p, _ in rank_by_text(tmp_path, files, "fix the install docs")] == ["docs/install.md"]
    assert rank_by_text(tmp_path, files, "the of to") == []
    assert rank_by_text(tmp_path, [], "cache") == []


def test_huge_trees_are_ranked_on_paths_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.py").write_text("needle\n")
    (tmp_path / "needle.py").write_text("x\n")
    monkeypatch.setattr(lexical, "MAX_CONTENT_FILES", 1)
    assert [p for p, _ in rank_by_text(tmp_path, ["a.py", "needle.py"], "needle")] == ["needle.py"]


def test_fuse_weights_and_ties() -> None:
    assert fuse([["a", "b"], ["b", "a"]]) == ["a", "b"]  # a tie breaks on the path
    assert fuse([["a", "b"], ["b", "c"]], [1.0, 1.0]) == ["b", "a", "c"]
    assert fuse([["a", "b"], ["b", "a"]], [1.0, 0.1]) == ["a", "b"]
