"""Definitions and references of one source file, read with tree-sitter.

``extract_tags(language, source)`` parses ``source`` with a time limit and
runs the language's tags query (its ``queries/<stem>-tags.scm`` files, joined
in the order ``LANGUAGES`` lists them). Captures follow
the tree-sitter tags convention: ``@name.definition.<category>`` or
``@name.reference.<category>`` on the identifier, inside a pattern whose
enclosing node is captured as ``@definition.<category>`` /
``@reference.<category>``. Other captures (helpers for predicates) are ignored.

Guarantees a caller may rely on:

* each query is compiled once per process and language;
* the result is sorted by (line, column, kind, name, category, ...) and holds
  no two equal tags, whatever the capture order or hash seed;
* when several patterns tag the same identifier with the same kind, the one
  written first in the query file wins (so specific patterns, such as methods,
  are written before general ones, such as functions); an identifier tagged
  as a definition is never also returned as a reference;
* any bytes are accepted (invalid UTF-8 and NUL bytes included); the only
  exception raised for bad input is :class:`ParseTimeout`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from codeassist.index.languages import LANGUAGES, UnknownLanguage, get_language, get_parser

if TYPE_CHECKING:
    from tree_sitter import Node, Point, Query, QueryPredicate, Tree

__all__ = [
    "ParseTimeout",
    "QueryUnavailable",
    "Tag",
    "TagsError",
    "extract_tags",
    "parse_source",
    "query_text",
    "warm_up",
]

Kind = Literal["def", "ref"]

# The parser asks for input in chunks; 64 KiB keeps the number of Python
# calls low without copying large files whole.
_CHUNK = 64 * 1024

# Text predicates are written the standard way in the .scm files, but the
# binding's own evaluation of them reads the source kept in the tree, which a
# parse through a read callback (the only form that takes a time limit) does
# not keep: it crashes. So they are renamed at compile time and evaluated here.
_TEXT_PREDICATE = re.compile(r"\(#((?:not-)?(?:eq|match|any-of))\?")
_OURS = "ca-"

# In-progress matches the cursor may hold at once: bounds memory on hostile
# input. Real code never came near it (256 was never exceeded over 6,700 files).
_MATCH_LIMIT = 1024

# How many matches are turned into tags between two looks at the clock.
_CLOCK_EVERY = 512


class TagsError(Exception):
    """A file could not be read into tags (internal to the index, which counts these)."""


class ParseTimeout(TagsError):
    """Parsing took longer than the allowed time; the parser was reset."""


class QueryUnavailable(TagsError):
    """The language's tags query is missing or does not compile against the installed grammar."""


@dataclass(frozen=True)
class Tag:
    """One definition or reference.

    ``line`` is the 0-based row of the name; ``start_line``/``end_line`` are
    the 0-based first and last rows of the enclosing node (the whole class or
    function for a definition; the call or use for a reference).
    """

    name: str
    kind: Kind
    category: str
    line: int
    end_line: int
    start_line: int


@dataclass(frozen=True)
class _CaptureRole:
    is_name: bool
    kind: Kind
    category: str
    key: str  # the capture name of the enclosing node, "<definition|reference>.<category>"


def _role(capture: str) -> _CaptureRole | None:
    parts = capture.split(".")
    is_name = parts[0] == "name"
    if is_name:
        parts = parts[1:]
    if len(parts) != 2 or parts[0] not in ("definition", "reference") or not parts[1]:
        return None
    kind: Kind = "def" if parts[0] == "definition" else "ref"
    return _CaptureRole(is_name, kind, parts[1], f"{parts[0]}.{parts[1]}")


def query_text(language: str) -> str:
    """The tags query source shipped for ``language`` (its query files joined in order)."""
    try:
        stems = LANGUAGES[language].queries
    except KeyError:
        raise UnknownLanguage(language) from None
    folder = resources.files("codeassist.index") / "queries"
    return "\n".join((folder / f"{stem}-tags.scm").read_text(encoding="utf-8") for stem in stems)


@cache
def _query(language: str) -> tuple[Query, dict[str, _CaptureRole]]:
    """Compile the tags query once per process and language."""
    from tree_sitter import Query, QueryError

    try:
        text = _TEXT_PREDICATE.sub(lambda m: f"(#{_OURS}{m.group(1)}?", query_text(language))
        query = Query(get_language(language), text)
    except (OSError, QueryError) as exc:
        # A grammar upgrade that renamed a node type lands here: that language
        # stops yielding tags, the rest of the index carries on.
        raise QueryUnavailable(f"the {language} tags query cannot be used: {exc}") from exc
    roles: dict[str, _CaptureRole] = {}
    for i in range(query.capture_count):
        name = query.capture_name(i)
        role = _role(name)
        if role is not None:
            roles[name] = role
    return query, roles


def warm_up(languages: Iterable[str]) -> None:
    """Load the grammars and compile the queries of ``languages`` now.

    Meant for a parent process about to fork workers, so each worker does not
    compile them again. Problems are left for :func:`extract_tags` to report.
    """
    for language in languages:
        try:
            _query(language)
            get_parser(language)
        except (TagsError, UnknownLanguage):
            continue


def parse_source(language: str, source: bytes, *, timeout_ms: int = 5000) -> Tree:
    """Parse ``source`` within ``timeout_ms``; raise :class:`ParseTimeout` past it."""
    return _parse(language, source, time.monotonic() + timeout_ms / 1000.0, timeout_ms)


def _parse(language: str, source: bytes, deadline: float, timeout_ms: int) -> Tree:
    parser = get_parser(language)

    # Plain bytes, not a memoryview: the binding reads node text back through
    # this callback and crashes on anything but bytes.
    def read(offset: int, _point: object) -> bytes:
        return source[offset : offset + _CHUNK]

    def past_deadline(_offset: int, _has_error: bool) -> bool:
        return time.monotonic() > deadline

    try:
        return parser.parse(read, progress_callback=past_deadline)
    except ValueError as exc:
        # A cancelled parse leaves its state in the parser and the next
        # parse() would resume it on the wrong input: reset it.
        parser.reset()
        raise ParseTimeout(_too_slow(language, source, timeout_ms)) from exc


def _too_slow(language: str, source: bytes, timeout_ms: int) -> str:
    return f"reading {language} source of {len(source)} bytes took over {timeout_ms} ms"


def extract_tags(language: str, source: bytes, *, timeout_ms: int = 5000) -> list[Tag]:
    """The sorted, de-duplicated tags of ``source`` written in ``language``.

    Raises :class:`ParseTimeout` when parsing exceeds ``timeout_ms`` and
    :class:`~codeassist.index.languages.UnknownLanguage` for an unregistered
    language name (a programming error, not bad input).
    """
    from tree_sitter import QueryCursor

    query, roles = _query(language)
    deadline = time.monotonic() + timeout_ms / 1000.0
    tree = _parse(language, source, deadline, timeout_ms)
    # (start byte, end byte of the name, kind) -> (pattern index, sort key, tag)
    best: dict[tuple[int, int, str], tuple[int, tuple[object, ...], Tag]] = {}
    # The query cursor cannot be interrupted safely in the installed binding
    # (its progress callback and exceptions raised from predicates crash it),
    # so the deadline is enforced around it: predicates give up once it has
    # passed, and the clock is read again before and while building tags.
    matches = QueryCursor(query, match_limit=_MATCH_LIMIT).matches(tree.root_node, _text_predicates(source, deadline))
    if time.monotonic() > deadline:
        raise ParseTimeout(_too_slow(language, source, timeout_ms))
    for count, (pattern, captures) in enumerate(matches):
        if count % _CLOCK_EVERY == _CLOCK_EVERY - 1 and time.monotonic() > deadline:
            raise ParseTimeout(_too_slow(language, source, timeout_ms))
        enclosing: dict[str, tuple[int, Point]] = {}
        names: list[tuple[Node, _CaptureRole]] = []
        for capture, nodes in captures.items():
            role = roles.get(capture)
            if role is None:
                continue
            if role.is_name:
                names.extend((node, role) for node in nodes)
            elif len(nodes) == 1:
                enclosing[role.key] = (nodes[0].start_point[0], nodes[0].end_point)
            elif nodes:
                # Several nodes may form one definition (Dart keeps a method's
                # body beside its signature): span them all.
                enclosing[role.key] = (min(n.start_point[0] for n in nodes), max(n.end_point for n in nodes))
        for node, role in names:
            outer = enclosing.get(role.key) or (node.start_point[0], node.end_point)
            _keep(best, pattern, node, outer, role, source)
    # An identifier that a pattern names as a definition is not also a use of
    # itself (e.g. the alias in `type A = ...` sits in a type position).
    defined = {(start, end) for start, end, kind in best if kind == "def"}
    kept = [entry for (start, end, kind), entry in best.items() if kind == "def" or (start, end) not in defined]
    # Two uses of one name on one line are the same Tag value (it has no
    # column): keep the first, in sorted order.
    return list(dict.fromkeys(tag for _, _, tag in sorted(kept, key=lambda entry: entry[1])))


def _keep(
    best: dict[tuple[int, int, str], tuple[int, tuple[object, ...], Tag]],
    pattern: int,
    node: Node,
    outer: tuple[int, Point],
    role: _CaptureRole,
    source: bytes,
) -> None:
    """Record one tag unless an earlier pattern already tagged the same identifier."""
    start, end = node.start_byte, node.end_byte
    key = (start, end, role.kind)
    held = best.get(key)
    if held is not None and held[0] <= pattern:
        return
    name = source[start:end].decode("utf-8", errors="replace")
    if role.category == "module":
        # #include <x.h>, require 'x', `import os . path` spread over lines
        name = "".join(name.strip("<>\"'`").split())
    if not name.strip():
        return
    row, column = node.start_point
    first, (last, last_column) = outer
    if role.kind == "def":
        if last_column == 0 and last > first:
            last -= 1  # nodes that own their trailing newline (#define) end on the line before
        tag = Tag(name, role.kind, role.category, row, max(last, row), min(first, row))
    else:
        tag = Tag(name, role.kind, role.category, row, row, min(first, row))
    best[key] = (pattern, (row, column, tag.kind, tag.name, tag.category, tag.start_line, tag.end_line), tag)


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _text_predicates(source: bytes, deadline: float) -> QueryPredicate:
    """Evaluate #eq?, #match?, #any-of? (and their not- forms) against ``source``.

    Past ``deadline`` every predicate fails without reading text, so a huge
    file costs little more once its time is up (the caller then raises).
    """

    def text(node: Node) -> str:
        return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def evaluate(
        predicate: str,
        args: list[tuple[str, Literal["capture", "string"]]],
        pattern_index: int,
        captures: dict[str, list[Node]],
    ) -> bool:
        if not predicate.startswith(_OURS):
            return True  # directives and predicates we do not use
        if time.monotonic() > deadline:
            return False
        name = predicate[len(_OURS) : -1]
        negate = name.startswith("not-")
        operator = name.removeprefix("not-")
        (subject, _), *rest = args
        values = [text(node) for node in captures.get(subject, [])]
        if operator == "eq":
            value, kind = rest[0]
            other = [text(n) for n in captures.get(value, [])] if kind == "capture" else [value] * len(values)
            ok = all(a == b for a, b in zip(values, other, strict=False))
        elif operator == "match":
            regex = _regex(rest[0][0])
            ok = all(regex.search(v) is not None for v in values)
        else:  # any-of
            choices = {value for value, _ in rest}
            ok = all(v in choices for v in values)
        return ok != negate

    return evaluate
