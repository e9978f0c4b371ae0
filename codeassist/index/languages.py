"""Which tree-sitter grammar reads which file.

Each language is served by its official per-language grammar wheel, which
bundles the compiled grammar: nothing is downloaded at run time. Grammar
modules are imported lazily, on first use of a language, because importing
twenty compiled extensions would cost start-up time on every command.

Callers may rely on:

* ``LANGUAGES``: language name -> :class:`LanguageSpec` (extensions, grammar
  module and function, tags query files), in a fixed order;
* ``language_for_path(path)``: the language name for a path, or ``None``;
* ``get_language(name)``: cached per process; ``get_parser(name)``: per thread.

A parser is not thread-safe, so ``get_parser`` keeps one per thread; the
grammars (and the compiled queries in ``tags``) are shared.
"""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tree_sitter is imported only where a grammar is needed
    from tree_sitter import Language, Parser

__all__ = [
    "LANGUAGES",
    "LanguageSpec",
    "UnknownLanguage",
    "get_language",
    "get_parser",
    "language_for_path",
]


class UnknownLanguage(KeyError):
    """No grammar is registered under that name."""


@dataclass(frozen=True)
class LanguageSpec:
    """How to load one grammar and which files it reads."""

    name: str
    extensions: tuple[str, ...]
    module: str  # importable grammar module of the wheel
    function: str  # function of that module returning the TSLanguage pointer
    queries: tuple[str, ...]  # tags query files in queries/ (<stem>-tags.scm), joined in order
    filenames: tuple[str, ...] = ()  # exact base names without a telling extension


def _spec(
    name: str,
    extensions: tuple[str, ...],
    module: str,
    function: str = "language",
    queries: tuple[str, ...] | None = None,
    filenames: tuple[str, ...] = (),
) -> LanguageSpec:
    return LanguageSpec(name, extensions, module, function, queries or (name,), filenames)


LANGUAGES: dict[str, LanguageSpec] = {
    s.name: s
    for s in (
        _spec("python", (".py", ".pyi", ".pyw"), "tree_sitter_python"),
        # The JavaScript grammar parses JSX too; component uses live in their own file.
        _spec("javascript", (".js", ".jsx", ".mjs", ".cjs"), "tree_sitter_javascript", queries=("javascript", "jsx")),
        _spec("typescript", (".ts", ".mts", ".cts"), "tree_sitter_typescript", "language_typescript"),
        # TSX is TypeScript plus JSX: a grammar of its own, the TypeScript and JSX queries.
        _spec("tsx", (".tsx",), "tree_sitter_typescript", "language_tsx", queries=("typescript", "jsx")),
        _spec("go", (".go",), "tree_sitter_go"),
        _spec("rust", (".rs",), "tree_sitter_rust"),
        _spec("java", (".java",), "tree_sitter_java"),
        # A .h file may be C or C++; it is read as C, so C++-only constructs in a
        # header yield fewer tags (and syntax problems the edit loop already had).
        _spec("c", (".c", ".h"), "tree_sitter_c"),
        _spec("cpp", (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp"), "tree_sitter_cpp"),
        _spec("csharp", (".cs", ".csx"), "tree_sitter_c_sharp"),
        _spec(
            "ruby",
            (".rb", ".rake", ".gemspec"),
            "tree_sitter_ruby",
            # config.ru by name: the .ru extension is also used for Russian text files.
            filenames=("Rakefile", "Gemfile", "Guardfile", "Vagrantfile", "config.ru"),
        ),
        _spec("php", (".php", ".phtml"), "tree_sitter_php", "language_php"),
        _spec("kotlin", (".kt", ".kts"), "tree_sitter_kotlin"),
        _spec("swift", (".swift",), "tree_sitter_swift"),
        _spec("scala", (".scala", ".sc", ".sbt"), "tree_sitter_scala"),
        _spec("lua", (".lua",), "tree_sitter_lua"),
        _spec("bash", (".sh", ".bash", ".zsh", ".ksh"), "tree_sitter_bash", filenames=(".bashrc", ".bash_profile")),
        _spec("elixir", (".ex", ".exs"), "tree_sitter_elixir"),
        _spec("dart", (".dart",), "tree_sitter_dart"),
        # Implementations and interfaces have grammars of their own and share most patterns.
        _spec("ocaml", (".ml",), "tree_sitter_ocaml", "language_ocaml", queries=("ocaml_common", "ocaml")),
        _spec(
            "ocaml_interface",
            (".mli",),
            "tree_sitter_ocaml",
            "language_ocaml_interface",
            queries=("ocaml_common", "ocaml_interface"),
        ),
        # Not .lhs: literate Haskell is prose around code the grammar cannot read.
        _spec("haskell", (".hs",), "tree_sitter_haskell"),
        _spec("zig", (".zig",), "tree_sitter_zig"),
    )
}

_BY_EXTENSION: dict[str, str] = {ext: s.name for s in LANGUAGES.values() for ext in s.extensions}
_BY_FILENAME: dict[str, str] = {fn: s.name for s in LANGUAGES.values() for fn in s.filenames}


def language_for_path(path: str) -> str | None:
    """The language name for ``path`` judged by its name alone, or ``None``.

    Extensions match case-insensitively; a few extensionless names (``Rakefile``,
    ``Gemfile``...) match exactly. Contents are never read.
    """
    base = os.path.basename(path.replace("\\", "/"))
    by_name = _BY_FILENAME.get(base)
    if by_name is not None:
        return by_name
    dot = base.rfind(".")
    if dot <= 0:  # no extension, or a dot file such as ".eslintrc"
        return None
    return _BY_EXTENSION.get(base[dot:].lower())


@cache
def get_language(name: str) -> Language:
    """The compiled grammar for ``name`` (imported on first use, then cached)."""
    from tree_sitter import Language

    try:
        spec = LANGUAGES[name]
    except KeyError:
        raise UnknownLanguage(name) from None
    module = importlib.import_module(spec.module)
    return Language(getattr(module, spec.function)())


_local = threading.local()


def get_parser(name: str) -> Parser:
    """A parser for ``name``, one per language per thread (a parser holds parse state)."""
    parsers: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(name)
    if parser is None:
        from tree_sitter import Parser

        parser = parsers[name] = Parser(get_language(name))
    return parser
