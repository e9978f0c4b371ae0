"""Patterns the per-language samples do not reach, one small snippet each.

Each case lists tags (kind, category, name, 1-based line) that must be among
the snippet's tags, and tags that must not be.
"""

from __future__ import annotations

import pytest

from codeassist.index.tags import extract_tags

Row = tuple[str, str, str, int]

CASES: list[tuple[str, bytes, list[Row], list[Row]]] = [
    ("python", b"from .pkg import x\n", [("ref", "module", "pkg", 1), ("ref", "import", "x", 1)], []),
    (
        "javascript",
        b"class A { handle = () => 1; }\nexports.f = function () {};\nexport { a } from './m';\n",
        [("def", "method", "handle", 1), ("def", "function", "f", 2), ("ref", "module", "./m", 3)],
        [],
    ),
    (
        "typescript",
        b"interface A extends B<C> {}\nimport x from 'y';\nconst o = { f: () => 1 };\n",
        [("ref", "implementation", "B", 1), ("ref", "import", "x", 2), ("def", "function", "f", 3)],
        [],
    ),
    (
        "tsx",
        b"enum E { A }\nnamespace N {}\nclass C implements I {}\nconst x = new Foo();\n",
        [("def", "enum", "E", 1), ("def", "module", "N", 2)]
        + [("ref", "implementation", "I", 3), ("ref", "class", "Foo", 4)],
        [],
    ),
    (
        "java",
        b"class A extends Base { final static int X = 1; }\ninterface I extends J {}\n",
        [("ref", "class", "Base", 1), ("def", "constant", "X", 1), ("ref", "implementation", "J", 2)],
        [],
    ),
    ("c", b"typedef struct node *node_ptr;\n", [("def", "type", "node_ptr", 1)], []),
    (
        "cpp",
        b"#define N 3\nconst int LIMIT = 4;\nint f(int);\nclass A { template <class T> T get() { return T(); } };\n",
        [("def", "constant", "N", 1), ("def", "constant", "LIMIT", 2), ("def", "function", "f", 3)]
        + [("def", "method", "get", 4)],
        [("def", "function", "get", 4)],
    ),
    (
        "ruby",
        b"def helper\nend\nclass A\n  class << self\n    def m; end\n  end\nend\n",
        [("def", "function", "helper", 1), ("def", "method", "m", 5)],
        [],
    ),
    ("php", b"<?php\nFoo::bar();\n", [("ref", "class", "Foo", 2), ("ref", "call", "bar", 2)], []),
    ("swift", b"enum E { case a\n func f() {} }\n", [("def", "method", "f", 2)], []),
    (
        "scala",
        b"val Answer = 42\nval x = new Foo(1)\n",
        [("def", "constant", "Answer", 1), ("ref", "class", "Foo", 2)],
        [],
    ),
    ("lua", b"local M = { f = function() end }\n", [("def", "function", "f", 1)], []),
    ("bash", b"echo ${HOME_DIR}\n", [("ref", "variable", "HOME_DIR", 1)], [("ref", "call", "echo", 1)]),
    ("elixir", b"x |> foo\n", [("ref", "call", "foo", 1)], []),
    (
        "dart",
        b"extension StringX on String { int twice() => 2; }\nvar x = new Foo();\n",
        [("def", "class", "StringX", 1), ("def", "method", "twice", 1), ("ref", "class", "Foo", 2)],
        [],
    ),
    (
        "ocaml",
        b'class type ct = object end\nexternal f : int -> int = "f"\nlet a = x |> g\nlet b = h @@ x\nlet c = o#m\n',
        [("def", "class", "ct", 1), ("def", "function", "f", 2), ("ref", "call", "g", 3)]
        + [("ref", "call", "h", 4), ("ref", "call", "m", 5)],
        [],
    ),
    (
        "zig",
        b"const H = opaque {};\nconst U = union { a: i32, pub fn f() void {} };\nconst S = struct { const K = 3; };\n",
        [("def", "type", "H", 1), ("def", "method", "f", 2), ("def", "constant", "K", 3)],
        [],
    ),
]


@pytest.mark.parametrize(("language", "source", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_snippet_tags(language: str, source: bytes, present: list[Row], absent: list[Row]) -> None:
    rows = {(t.kind, t.category, t.name, t.line + 1) for t in extract_tags(language, source)}
    assert [row for row in present if row not in rows] == []
    assert [row for row in absent if row in rows] == []
