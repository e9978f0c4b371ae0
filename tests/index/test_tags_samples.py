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
QUERIES = Path(__file__).parents[2] / "codeassist" / "index" / "queries"


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


def _sibling_sequences_after_alternations(text: str) -> list[str]:
    """Spots `([(a) (b)] (child ...))`: it means "a or b, then a sibling", not a parent.

    Written by mistake for "a child of a or b", it silently matches nothing.
    A group of an alternation with only captures and predicates after it is fine.
    """
    text = "\n".join(line.split(";", 1)[0] for line in text.splitlines())  # drop comments
    found = []
    start = text.find("([")
    while start >= 0:
        depth, i = 0, start + 1
        while i < len(text):
            depth += {"[": 1, "]": -1}.get(text[i], 0)
            i += 1
            if depth == 0:
                break
        rest = text[i:].lstrip()
        while rest.startswith("@"):
            rest = rest.split(None, 1)[1].lstrip() if " " in rest or "\n" in rest else ""
        if rest.startswith("(") and not rest.startswith("(#"):
            found.append(text[start : start + 60])
        start = text.find("([", start + 2)
    return found


@pytest.mark.parametrize("query", sorted(p.name for p in QUERIES.glob("*.scm")))
def test_queries_hold_no_alternation_followed_by_siblings(query: str) -> None:
    path = QUERIES / query
    assert _sibling_sequences_after_alternations(path.read_text(encoding="utf-8")) == []


def test_the_sibling_sequence_check_catches_the_mistake() -> None:
    assert _sibling_sequences_after_alternations("([(a) (b)]\n  (c) @x)")
    assert not _sibling_sequences_after_alternations('(([(a) (b)]) @x\n  (#eq? @x "y"))')
    assert not _sibling_sequences_after_alternations("(a [(b) (c)] (d))")
