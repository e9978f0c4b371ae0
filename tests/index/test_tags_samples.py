"""Exact tags of one realistic sample per language.

Each ``samples/<language>.<ext>`` has a ``samples/<language>.tags`` next to it:
one tag per line, ``<1-based line> <def|ref> <category> <name>``. To rewrite
them after changing a query, run ``UPDATE_GOLDEN=1 python -m pytest
tests/index/test_tags_samples.py`` and review the diff line by line before
committing it: a wrong tag pinned here is worse than none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeassist.index.languages import LANGUAGES, language_for_path
from codeassist.index.tags import extract_tags

SAMPLES = Path(__file__).parent / "samples"


def _sample(language: str) -> Path | None:
    for path in sorted(SAMPLES.glob(f"{language}.*")):
        if path.suffix != ".tags" and language_for_path(path.name) == language:
            return path
    return None


def _render(language: str, source: bytes) -> str:
    rows = [f"{t.line + 1} {t.kind} {t.category} {t.name}" for t in extract_tags(language, source)]
    return "".join(row + "\n" for row in rows)


SAMPLED = [name for name in LANGUAGES if _sample(name) is not None]


@pytest.mark.parametrize("language", SAMPLED)
def test_sample_tags_are_exactly_the_reviewed_ones(language: str) -> None:
    sample = _sample(language)
    assert sample is not None
    golden = sample.with_suffix(".tags")
    actual = _render(language, sample.read_bytes())
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    # Compare as lists of lines so a failure shows a readable diff.
    assert actual.splitlines() == expected.splitlines()


@pytest.mark.parametrize("language", SAMPLED)
def test_sample_has_definitions_and_references(language: str) -> None:
    sample = _sample(language)
    assert sample is not None
    tags = extract_tags(language, sample.read_bytes())
    assert any(t.kind == "def" for t in tags)
    assert any(t.kind == "ref" for t in tags)
    for tag in tags:
        assert tag.start_line <= tag.line <= tag.end_line or tag.kind == "ref"
        assert tag.name.strip() == tag.name and tag.name


def test_every_language_has_a_reviewed_sample() -> None:
    samples = {name: _sample(name) for name in LANGUAGES}
    missing = [name for name, path in samples.items() if path is None or not path.with_suffix(".tags").exists()]
    assert missing == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_query_compiles_against_the_installed_grammar(language: str) -> None:
    # A grammar upgrade that renames a node type our query uses fails here.
    assert isinstance(extract_tags(language, b""), list)
