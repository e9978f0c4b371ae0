"""Syntax check of one file with tree-sitter, for the edit loop.

``check_syntax(path, source)`` lists the places the grammar could not parse
(ERROR nodes) or had to invent a token to continue (MISSING nodes), in source
order. Files of unknown languages, clean files, and files whose parse runs
past the time limit give ``[]``: the check must never block an edit on its own
failure. Nothing is raised for any bytes.

Grammars do not read every valid file (C and C++ headers full of macros are
the usual case), so after an edit ``new_syntax_problems(path, before, after)``
reports only the problems the edit introduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeassist.index.languages import language_for_path
from codeassist.index.tags import ParseTimeout, parse_source

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["SyntaxProblem", "check_syntax", "new_syntax_problems"]

_SNIPPET = 30  # characters of the offending text quoted in a message


@dataclass(frozen=True)
class SyntaxProblem:
    """One syntax problem; ``line`` and ``column`` are 1-based, the column counts characters."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


def check_syntax(path: str, source: bytes, *, limit: int = 50, timeout_ms: int = 2000) -> list[SyntaxProblem]:
    """The first ``limit`` syntax problems of ``source``, read as the language of ``path``."""
    language = language_for_path(path)
    if language is None:
        return []
    try:
        tree = parse_source(language, source, timeout_ms=timeout_ms)
    except ParseTimeout:
        return []
    root = tree.root_node
    if not root.has_error:
        return []
    problems: list[SyntaxProblem] = []
    stack = [root]
    while stack and len(problems) < limit:
        node = stack.pop()
        if node.is_missing:
            problems.append(_problem(source, node, _missing_message(node)))
        elif node.is_error:
            problems.append(_problem(source, node, _error_message(source, node)))
        elif node.has_error:
            stack.extend(reversed(node.children))  # reversed: pop in source order
    return problems


def _missing_message(node: Node) -> str:
    return f"missing '{node.type}'" if not node.is_named else f"missing {node.type.replace('_', ' ')}"


def _error_message(source: bytes, node: Node) -> str:
    text = source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    first = "".join(ch if ch.isprintable() else "?" for ch in first)
    if not first:
        return "syntax error"
    if len(first) > _SNIPPET:
        first = first[:_SNIPPET] + "..."
    return f"syntax error near '{first}'"


def _problem(source: bytes, node: Node, message: str) -> SyntaxProblem:
    row, _ = node.start_point
    start = node.start_byte
    line_start = source.rfind(b"\n", 0, start) + 1
    column = len(source[line_start:start].decode("utf-8", errors="replace")) + 1
    return SyntaxProblem(row + 1, column, message)


def new_syntax_problems(
    path: str, before: bytes | None, after: bytes, *, limit: int = 50, timeout_ms: int = 2000
) -> list[SyntaxProblem]:
    """Problems of ``after`` that ``before`` (the file ahead of an edit; None if new) did not have.

    Problems are matched by message, not by position, since an edit moves
    lines: each problem of ``before`` excuses one problem of ``after`` with the
    same message.
    """
    problems = check_syntax(path, after, limit=limit, timeout_ms=timeout_ms)
    if not problems or before is None:
        return problems
    excused: dict[str, int] = {}
    for old in check_syntax(path, before, limit=limit, timeout_ms=timeout_ms):
        excused[old.message] = excused.get(old.message, 0) + 1
    fresh: list[SyntaxProblem] = []
    for problem in problems:
        if excused.get(problem.message, 0) > 0:
            excused[problem.message] -= 1
        else:
            fresh.append(problem)
    return fresh
