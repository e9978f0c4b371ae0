"""What kind of file a path is, and whether a request is about that kind.

The read-only files offered unasked (:mod:`codeassist.context`) weigh files
by kind: documentation, changelogs and lock files come with code, not
instead of it, unless the request is about them; a test file may be large
when the request is about tests, since it is then the file the change edits.
Path rules only: nothing is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PROSE_NAMES = re.compile(r"^(readme|changes|changelog|history|news|authors|contributing|license|copying)\b", re.I)
_PROSE_EXT = (".md", ".rst", ".txt", ".adoc", ".lock", ".sum")
_LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb")
_PROSE_WORDS = re.compile(
    r"\b(docs?|documentation|documented|readme|changelog|changes file|release notes|news|typos?|spelling|"
    r"lock ?files?|lockfile|dependenc(y|ies)|upgrade|bump|faq|guide|tutorial)\b",
    re.I,
)
# test_x.py, x_test.py, x_test.go, x.test.ts, x.spec.js, XTest.java, XTests.cs; or under a tests directory.
_TEST_NAME = re.compile(r"^test_.+|.+_test\.[^.]+$|.+\.(test|spec)\.[^.]+$|.+Tests?\.[^.]+$")
_TEST_DIRS = frozenset(("test", "tests", "__tests__", "spec", "specs", "testing"))
# "test: ...", "add tests for ...", "more coverage": a change to the tests themselves.
_TEST_WORDS = re.compile(r"^\s*tests?(\([^)]*\))?!?:|\b(tests?|testing|test cases?|coverage|unit tests?)\b", re.I)


def is_prose(path: str) -> bool:
    """Documentation, a changelog or a lock file: what a code change should not be offered instead of code."""
    from codeassist.index.languages import language_for_path

    if language_for_path(path) is not None:
        return False
    base = path.rsplit("/", 1)[-1]
    top = path.split("/", 1)[0].lower()
    return (
        base.lower().endswith(_PROSE_EXT)
        or base in _LOCK_NAMES
        or bool(_PROSE_NAMES.match(base))
        or (top in ("doc", "docs", "documentation") and "/" in path)
    )


def prose_asked(request: str) -> Callable[[str], bool]:
    """Whether the request is about a given prose file: it asks about documentation, changelogs
    or dependencies, or names the file's stem ("update the README", "CHANGES")."""
    if _PROSE_WORDS.search(request):
        return lambda _path: True
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9_-]+", request)}

    def about(path: str) -> bool:
        stem = path.rsplit("/", 1)[-1].split(".", 1)[0].lower()
        return stem in words

    return about


def is_test(path: str) -> bool:
    """A test file, by its name or its directory (``foo_test.go``, ``tests/test_foo.py``, ``foo.spec.ts``)."""
    parts = path.split("/")
    return bool(_TEST_NAME.match(parts[-1])) or any(p.lower() in _TEST_DIRS for p in parts[:-1])


def asks_about_tests(request: str) -> bool:
    """Whether the request is about tests ("test: cover ...", "add a test for ...")."""
    return _TEST_WORDS.search(request) is not None
