"""Which grammar reads which file, and that every grammar loads offline."""

from __future__ import annotations

import subprocess
import sys

import pytest

from codeassist.index.languages import LANGUAGES, UnknownLanguage, get_language, get_parser, language_for_path


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "python"),
        ("types.pyi", "python"),
        ("web/index.js", "javascript"),
        ("Component.jsx", "javascript"),
        ("server.mjs", "javascript"),
        ("config.cjs", "javascript"),
        ("lib/api.ts", "typescript"),
        ("ui/App.tsx", "tsx"),
        ("main.go", "go"),
        ("lib.rs", "rust"),
        ("Main.java", "java"),
        ("kernel/sched.c", "c"),
        ("include/list.h", "c"),
        ("engine.cpp", "cpp"),
        ("engine.hpp", "cpp"),
        ("engine.cc", "cpp"),
        ("engine.cxx", "cpp"),
        ("Program.cs", "csharp"),
        ("app/models/user.rb", "ruby"),
        ("config.ru", "ruby"),
        ("Rakefile", "ruby"),
        ("index.php", "php"),
        ("Main.kt", "kotlin"),
        ("build.gradle.kts", "kotlin"),
        ("View.swift", "swift"),
        ("Main.scala", "scala"),
        ("init.lua", "lua"),
        ("deploy.sh", "bash"),
        ("setup.bash", "bash"),
        ("lib/app.ex", "elixir"),
        ("test/app_test.exs", "elixir"),
        ("main.dart", "dart"),
        ("parser.ml", "ocaml"),
        ("parser.mli", "ocaml_interface"),
        ("Main.hs", "haskell"),
        ("build.zig", "zig"),
        ("SRC/MAIN.PY", "python"),
        ("C:\\repo\\win.py", "python"),
    ],
)
def test_language_for_path_by_extension(path: str, language: str) -> None:
    assert language_for_path(path) == language


@pytest.mark.parametrize(
    "path", ["README.md", "Makefile", "data.json", ".gitignore", ".py", "noext", "archive.tar.gz", "", "tutor.ru"]
)
def test_language_for_path_unknown(path: str) -> None:
    assert language_for_path(path) is None


def test_every_extension_belongs_to_one_language() -> None:
    seen: dict[str, str] = {}
    for spec in LANGUAGES.values():
        for ext in spec.extensions:
            assert ext == ext.lower() and ext.startswith(".")
            assert ext not in seen, f"{ext} claimed by {seen.get(ext)} and {spec.name}"
            seen[ext] = spec.name


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_grammar_loads_and_parses(language: str) -> None:
    parser = get_parser(language)
    assert parser is get_parser(language)  # cached per process
    assert get_language(language) is get_language(language)
    tree = parser.parse(b"\n")
    assert tree.root_node is not None


def test_unknown_language_name() -> None:
    with pytest.raises(UnknownLanguage):
        get_language("cobol")


def test_importing_languages_loads_no_grammar() -> None:
    # Start-up time: grammars are imported on first use only.
    code = (
        "import sys, codeassist.index.languages, codeassist.index.tags, codeassist.index.syntax\n"
        "print(sorted(m for m in sys.modules if m.startswith('tree_sitter')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
