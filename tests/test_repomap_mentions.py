"""Files a request names: the search over all paths at once agrees with the per-path definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codeassist.repomap.mentions import PathNames, mentioned_files, mentioned_files_slowly
from codeassist.repomap.packed import Table, pack_table

PATHS = (
    "README.md",
    "src/config.py",
    "src/Config/Loader.ts",
    "src/parser/parse_config.py",
    "src/parser/parse_config.test.py",
    "lib/router.js",
    "lib/routes/index.ts",
    "docs/ΣΟΦΙΑ.md",
    "pkg/ΑΣ.ts",
    "a/b.c/d.ts",
    "tests/test_router.py",
    "lib/main.py",
)


def test_by_path_base_name_suffix_and_stem() -> None:
    def named(query: str) -> list[str]:
        return [PATHS[i] for i in mentioned_files(query, PATHS)]

    assert named("fix src/config.py please") == ["src/config.py"]
    assert named("what does index.ts export") == ["lib/routes/index.ts"]
    assert named("the routes/index.ts file and parser/parse_config.py") == [
        "src/parser/parse_config.py",
        "lib/routes/index.ts",
    ]
    assert named("the ROUTER, the loader and parse_config") == [
        "src/Config/Loader.ts",
        "src/parser/parse_config.py",
        "src/parser/parse_config.test.py",
        "lib/router.js",
    ]
    assert named("the main loop") == []  # a stem of fewer than five characters is too common
    assert named("σοφια and ας.ts") == ["docs/ΣΟΦΙΑ.md"]
    assert named("") == [] and named("   ") == []


_PART = st.sampled_from(["a", "src", "Config", "ΑΣ", "x.y", "parse_config", "Router", "σοφια", ".hidden", "b.c"])
_NAME = st.lists(_PART, min_size=1, max_size=3).map("".join)
_PATH = st.lists(_NAME, min_size=1, max_size=4).map("/".join)
_WORD = st.one_of(_NAME, _PATH, _PATH.map(lambda p: "./" + p), st.sampled_from(["ROUTER", "parse_config.", "a\0b"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PATH, max_size=30, unique=True), st.lists(_WORD, max_size=6))
def test_the_fast_search_agrees_with_the_definition(paths: list[str], words: list[str]) -> None:
    query = " ".join(words) + "?"
    paths = sorted(paths)
    expected = mentioned_files_slowly(query, paths)
    assert mentioned_files(query, paths) == expected
    bases, stems = PathNames.tables(paths)  # as stored with the graph and read back
    assert mentioned_files(query, paths, PathNames(Table(pack_table(bases)), Table(pack_table(stems)))) == expected
