"""check_syntax: where a file stops parsing, for the edit loop."""

from __future__ import annotations

import pytest

from codeassist.index.syntax import SyntaxProblem, check_syntax, new_syntax_problems

CLEAN_PY = b"""import os


class Repo:
    def root(self) -> str:
        return os.getcwd()
"""

BROKEN_PY = b"""import os


def root():
    return os.getcwd(


def other():
    return 1
"""

BROKEN_JS = b"""export function total(items) {
  let sum = 0;
  for (const item of items) {
    sum += item.price *;
  }
  return sum;
}
"""


def test_clean_python_has_no_problems() -> None:
    assert check_syntax("src/repo.py", CLEAN_PY) == []


def test_clean_javascript_has_no_problems() -> None:
    assert check_syntax("a.js", b"const x = 1;\nexport default function f() { return x; }\n") == []


def test_broken_python_points_at_the_unclosed_call() -> None:
    problems = check_syntax("src/repo.py", BROKEN_PY)
    assert problems
    assert problems[0].line == 5
    assert all(isinstance(p, SyntaxProblem) and p.line >= 1 and p.column >= 1 for p in problems)


def test_broken_javascript_points_at_the_dangling_operator() -> None:
    problems = check_syntax("web/total.js", BROKEN_JS)
    assert [(p.line, p.column) for p in problems] == [(4, 23)]
    assert problems[0].message.startswith("syntax error")
    assert str(problems[0]).startswith("4:23: syntax error near")


def test_missing_token_is_named() -> None:
    problems = check_syntax("main.c", b"int main(void) {\n  int x = 1\n  return x;\n}\n")
    assert [(p.line, p.message) for p in problems] == [(2, "missing ';'")]


def test_column_counts_characters_not_bytes() -> None:
    problems = check_syntax("a.js", "const s = 'héllo'; let = ;\n".encode())
    assert problems and problems[0].line == 1
    assert problems[0].column <= len("const s = 'héllo'; let = ;")


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("notes.txt", b"((("),  # unknown language
        ("Makefile", b"all:\n\tcc x.c\n"),
        ("empty.py", b""),
    ],
)
def test_nothing_to_report(path: str, source: bytes) -> None:
    assert check_syntax(path, source) == []


@pytest.mark.parametrize("source", [b"\xff\xfe\x00\x00def", b"\x00" * 1000, bytes(range(256)) * 10])
def test_garbage_is_reported_not_raised(source: bytes) -> None:
    problems = check_syntax("x.py", source)
    assert problems
    assert all(p.message.isprintable() for p in problems)


def test_problem_count_is_bounded() -> None:
    source = b"".join(b"def f%d(:\n" % i for i in range(500))
    assert 0 < len(check_syntax("x.py", source, limit=10)) <= 10


HEADER_WITH_MACROS = b"""#include <stddef.h>

API_EXPORT int api_open(const char *path) API_NOTHROW;

int api_close(int fd);
"""


def test_problems_already_there_before_an_edit_are_not_new() -> None:
    after = HEADER_WITH_MACROS.replace(b"int api_close(int fd);", b"int api_close(int fd);\nint api_read(int fd);")
    assert check_syntax("api.h", HEADER_WITH_MACROS)  # the grammar trips on the macros
    assert new_syntax_problems("api.h", HEADER_WITH_MACROS, after) == []


def test_a_problem_the_edit_introduced_is_new() -> None:
    after = CLEAN_PY.replace(b"return os.getcwd()", b"return os.getcwd(")
    problems = new_syntax_problems("src/repo.py", CLEAN_PY, after)
    assert [p.line for p in problems] == [6]


def test_every_problem_of_a_new_file_is_new() -> None:
    assert new_syntax_problems("src/repo.py", None, BROKEN_PY) == check_syntax("src/repo.py", BROKEN_PY)
