"""extract_tags: determinism, time limit, and bytes that are not good source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codeassist.index.languages import LANGUAGES, UnknownLanguage, language_for_path
from codeassist.index.tags import ParseTimeout, Tag, TagsError, extract_tags

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix != ".tags" and language_for_path(p.name))

PY = b"""import os

LIMIT = 3

class Box:
    def open(self):
        return os.getcwd()

def make():
    return Box().open()
"""


def _dump() -> str:
    """Every sample's tags as JSON, the same form in this process and a child."""
    out = {}
    for path in SAMPLE_FILES:
        language = language_for_path(path.name)
        assert language is not None
        out[path.name] = [list(vars(t).values()) for t in extract_tags(language, path.read_bytes())]
    return json.dumps(out, sort_keys=True)


def test_tag_is_a_frozen_value() -> None:
    tag = Tag("f", "def", "function", 1, 3, 1)
    with pytest.raises(AttributeError):
        tag.name = "g"  # type: ignore[misc]
    assert tag == Tag("f", "def", "function", 1, 3, 1)


def test_tags_of_a_small_python_file() -> None:
    got = {(t.kind, t.category, t.name, t.line, t.start_line, t.end_line) for t in extract_tags("python", PY)}
    assert got == {
        ("ref", "module", "os", 0, 0, 0),
        ("def", "constant", "LIMIT", 2, 2, 2),
        ("def", "class", "Box", 4, 4, 6),
        ("def", "method", "open", 5, 5, 6),
        ("ref", "call", "getcwd", 6, 6, 6),
        ("def", "function", "make", 8, 8, 9),
        ("ref", "call", "Box", 9, 9, 9),
        ("ref", "call", "open", 9, 9, 9),
    }


def test_sorted_and_without_duplicates() -> None:
    for path in SAMPLE_FILES:
        language = language_for_path(path.name)
        assert language is not None
        tags = extract_tags(language, path.read_bytes())
        assert len(set(tags)) == len(tags)
        rows = [(t.line, t.kind, t.name) for t in tags]
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_same_input_twice_gives_the_same_tags() -> None:
    assert _dump() == _dump()


def test_a_fresh_process_with_another_hash_seed_gives_the_same_tags() -> None:
    here = _dump()
    code = "import sys; sys.path.insert(0, sys.argv[1]); import test_tags; print(test_tags._dump())"
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [sys.executable, "-c", code, str(Path(__file__).parent)]
        child = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
        assert child.stdout.strip() == here


def test_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(UnknownLanguage):
        extract_tags("cobol", b"IDENTIFICATION DIVISION.")


BAD_INPUTS = {
    "empty": b"",
    "whitespace": b"  \n\n\t\n",
    "not-utf8": b"def f\xff\xfe(x):\n    return '\xc3\x28'\n\x80\x81 = 1\n",
    "nul-bytes": b"class A:\x00\n    def m(self):\x00 pass\n" + b"\x00" * 100,
    "truncated": PY[: len(PY) // 2],
    "binary": bytes(range(256)) * 64,
    "utf16": "def f():\n    return 1\n".encode("utf-16"),
    "deep-nesting": b"(" * 5000 + b"1" + b")" * 5000,
}


QUERIES = Path(__file__).parents[2] / "codeassist" / "index" / "queries"
QUERIED = [name for name in LANGUAGES if all((QUERIES / f"{q}-tags.scm").exists() for q in LANGUAGES[name].queries)]


@pytest.mark.parametrize("language", QUERIED)
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_never_raises(language: str, case: str) -> None:
    tags = extract_tags(language, BAD_INPUTS[case])
    assert isinstance(tags, list)
    assert all(isinstance(t, Tag) for t in tags)


def test_non_utf8_names_are_replaced_not_fatal() -> None:
    tags = extract_tags("python", b"def caf\xe9():\n    pass\n")
    assert all(isinstance(t.name, str) for t in tags)


@pytest.mark.parametrize("language", QUERIED)
def test_a_five_megabyte_single_line(language: str) -> None:
    # One line, one enormous token (as in data blobs), then one of many small
    # statements (as in minified code) under a short limit: a list or the
    # documented timeout, nothing else.
    for source, timeout_ms in ((b"a" * (5 * 1024 * 1024), 5000), (b"x=f(1);" * (5 * 1024 * 1024 // 7), 200)):
        try:
            tags = extract_tags(language, source, timeout_ms=timeout_ms)
        except ParseTimeout:
            continue
        assert isinstance(tags, list)


def test_a_tiny_timeout_on_a_big_input_raises_parse_timeout() -> None:
    big = PY * 20000  # about 2.4 MB: far more than a millisecond of parsing
    with pytest.raises(ParseTimeout) as caught:
        extract_tags("python", big, timeout_ms=1)
    assert isinstance(caught.value, TagsError)
    # The cancelled parse must not leak into the next one.
    assert {t.name for t in extract_tags("python", PY) if t.kind == "def"} == {"LIMIT", "Box", "open", "make"}


def _rows(language: str, source: bytes) -> list[tuple[str, str, str, int]]:
    return [(t.kind, t.category, t.name, t.line) for t in extract_tags(language, source)]


def test_a_definition_name_is_not_also_a_reference() -> None:
    # The alias sits in a type position; it must come out once, as a definition.
    assert _rows("python", b"type Alias = int\n") == [("def", "type", "Alias", 0), ("ref", "type", "int", 0)]


def test_the_earlier_pattern_wins_for_one_identifier() -> None:
    source = b"class A:\n    @property\n    def size(self):\n        return 1\n\ndef size():\n    pass\n"
    tags = extract_tags("python", source)
    size = [(t.category, t.line, t.start_line, t.end_line) for t in tags if t.name == "size" and t.kind == "def"]
    # The method spans its decorator; the module-level function stays a function.
    assert size == [("method", 2, 1, 3), ("function", 5, 5, 6)]


def test_module_references_lose_their_quotes_and_brackets() -> None:
    rows = _rows("c", b'#include <stdio.h>\n#include "local.h"\n')
    assert rows == [("ref", "module", "stdio.h", 0), ("ref", "module", "local.h", 1)]


def test_definition_spanning_a_trailing_newline_ends_on_its_own_line() -> None:
    (tag,) = extract_tags("c", b"#define LIMIT 10\nint x;\n")[:1]
    assert (tag.name, tag.start_line, tag.end_line) == ("LIMIT", 0, 0)


def test_warm_up_compiles_ahead_and_ignores_unknown_names() -> None:
    from codeassist.index.tags import warm_up

    warm_up(["python", "cobol"])
    assert extract_tags("python", b"def f():\n    pass\n")[0].name == "f"


def test_threads_get_their_own_parsers_and_the_same_tags() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from codeassist.index.languages import get_parser

    sources = [path.read_bytes() for path in SAMPLE_FILES]
    languages = [language_for_path(path.name) or "" for path in SAMPLE_FILES]
    expected = [extract_tags(lang, src) for lang, src in zip(languages, sources, strict=True)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            got = list(pool.map(extract_tags, languages, sources))
            assert got == expected
        other = pool.submit(get_parser, "python").result()
    assert other is not get_parser("python")


def test_module_names_spread_over_lines_are_joined() -> None:
    rows = _rows("python", b"from a . b import (\n    c,\n)\nimport os . path\n")
    assert ("ref", "module", "a.b", 0) in rows and ("ref", "module", "os.path", 3) in rows
