"""SEARCH/REPLACE blocks: the normal form, every tolerated variant, every failure."""

from __future__ import annotations

import pytest

from codeassist.edits.parse import parse_reply
from codeassist.errors import UsageError

BASIC = """Change it:

src/app.py
```python
<<<<<<< SEARCH
def f():
    return 1
=======
def f():
    return 2
>>>>>>> REPLACE
```
"""


def test_basic_block() -> None:
    r = parse_reply(BASIC)
    assert r.issues == ()
    assert r.formats == ("search-replace",)
    (e,) = r.edits
    assert (e.path, e.action, e.format) == ("src/app.py", "replace", "search-replace")
    assert e.old == "def f():\n    return 1\n"
    assert e.new == "def f():\n    return 2\n"


@pytest.mark.parametrize(
    "path_line",
    [
        "src/app.py",
        "`src/app.py`",
        "**src/app.py**",
        "# src/app.py",
        "src/app.py:",
        "### `src/app.py`",
        "File: src/app.py",
    ],
)
def test_path_line_forms(path_line: str) -> None:
    r = parse_reply(BASIC.replace("src/app.py", path_line, 1))
    assert [e.path for e in r.edits] == ["src/app.py"]


@pytest.mark.parametrize(
    "fence_open,fence_close",
    [("```python", "```"), ("```", "```"), ("````", "````"), ("", ""), ("```python", "")],
)
def test_fence_variants(fence_open: str, fence_close: str) -> None:
    text = BASIC.replace("```python", fence_open).replace("\n```\n", f"\n{fence_close}\n")
    r = parse_reply(text)
    assert r.issues == ()
    assert [e.path for e in r.edits] == ["src/app.py"]


def test_path_in_fence_info() -> None:
    text = "```python:src/app.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    assert [e.path for e in parse_reply(text).edits] == ["src/app.py"]


@pytest.mark.parametrize(
    "head,div,tail",
    [
        ("<<<<<<< SEARCH extra words", "=======", ">>>>>>> REPLACE"),
        ("<<<<<<<SEARCH", "=======", ">>>>>>> UPDATED"),
        ("<<<<<< SEARCH", "======", ">>>>>>"),
        ("  <<<<<<< SEARCH", "=======  ", ">>>>>>> REPLACE  "),
    ],
)
def test_marker_variants(head: str, div: str, tail: str) -> None:
    text = f"a.py\n{head}\nold\n{div}\nnew\n{tail}\n"
    r = parse_reply(text)
    assert r.issues == ()
    assert [(e.old, e.new) for e in r.edits] == [("old\n", "new\n")]


def test_several_files_and_blocks_per_file() -> None:
    text = (
        "a.py\n```\n<<<<<<< SEARCH\n1\n=======\n2\n>>>>>>> REPLACE\n```\n\nAnd then:\n\n"
        "```\n<<<<<<< SEARCH\n3\n=======\n4\n>>>>>>> REPLACE\n```\n"
        "b.py\n```\n<<<<<<< SEARCH\n5\n=======\n6\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\n7\n=======\n8\n>>>>>>> REPLACE\n```\n"
    )
    r = parse_reply(text)
    assert [(e.path, e.old, e.index) for e in r.edits] == [
        ("a.py", "1\n", 0),
        ("a.py", "3\n", 1),
        ("b.py", "5\n", 2),
        ("b.py", "7\n", 3),
    ]


def test_empty_search_is_create() -> None:
    r = parse_reply("new.py\n<<<<<<< SEARCH\n=======\nprint(1)\n>>>>>>> REPLACE\n")
    (e,) = r.edits
    assert (e.action, e.old, e.new) == ("create", "", "print(1)\n")


def test_empty_replace_deletes_lines() -> None:
    (e,) = parse_reply("a.py\n<<<<<<< SEARCH\nx\n=======\n>>>>>>> REPLACE\n").edits
    assert (e.action, e.old, e.new) == ("replace", "x\n", "")


def test_crlf_reply() -> None:
    (e,) = parse_reply(BASIC.replace("\n", "\r\n")).edits
    assert e.old == "def f():\n    return 1\n"


def test_truncated_block_keeps_earlier_edits() -> None:
    text = BASIC + "\nb.py\n```\n<<<<<<< SEARCH\nold\n=======\nnew\n"
    r = parse_reply(text)
    assert [e.path for e in r.edits] == ["src/app.py"]
    (issue,) = r.issues
    assert "not closed" in issue.message and "truncated" in issue.message
    assert issue.line == 16 and issue.path == "b.py"


def test_unclosed_block_followed_by_another() -> None:
    text = "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n<<<<<<< SEARCH\np\n=======\nq\n>>>>>>> REPLACE\n"
    r = parse_reply(text)
    assert [(e.old, e.new) for e in r.edits] == [("p\n", "q\n")]
    assert r.issues[0].line == 2 and "before the next SEARCH" in r.issues[0].message


def test_missing_divider() -> None:
    r = parse_reply("a.py\n<<<<<<< SEARCH\nx\ny\n>>>>>>> REPLACE\n")
    assert r.edits == ()
    assert "no =======" in r.issues[0].message


def test_missing_path() -> None:
    r = parse_reply("<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")
    assert r.edits == ()
    assert "no file path" in r.issues[0].message and r.issues[0].line == 1


def test_prose_is_not_a_path() -> None:
    r = parse_reply("Here is the fix for the bug.\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")
    assert r.edits == () and "no file path" in r.issues[0].message


def test_sentence_with_one_path_token() -> None:
    r = parse_reply("Update `pkg/mod.py` like this:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")
    assert [e.path for e in r.edits] == ["pkg/mod.py"]


def test_no_edits_in_plain_text() -> None:
    r = parse_reply("Just an answer, no edits.\n")
    assert r == type(r)((), (), ())


def test_unknown_format_is_usage_error() -> None:
    with pytest.raises(UsageError):
        parse_reply("x", fmt="xml")


@pytest.mark.parametrize(
    "line,path",
    [("__init__.py", "__init__.py"), ("src/_compat.py", "src/_compat.py"), ("`_impl.py`", "_impl.py"),
     ("__docs/a.md__", "docs/a.md"), ("**_x.py**:", "_x.py")],
)  # fmt: skip
def test_underscores_in_paths_survive(line: str, path: str) -> None:
    (e,) = parse_reply(f"{line}\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n").edits
    assert e.path == path


def test_block_showing_a_block_inside_a_fence() -> None:
    inner = "```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    text = f"t.py\n````\n<<<<<<< SEARCH\nx = 1\n=======\nx = '''\n{inner}'''\n>>>>>>> REPLACE\n````\n"
    r = parse_reply(text)
    assert r.issues == ()
    (e,) = r.edits
    assert (e.old, e.new) == ("x = 1\n", f"x = '''\n{inner}'''\n")


def test_unbalanced_fence_in_search_text_keeps_the_markers() -> None:
    text = "doc.md\n<<<<<<< SEARCH\n```python\nprint(1)\n=======\n```python\nprint(2)\n>>>>>>> REPLACE\n"
    (e,) = parse_reply(text).edits
    assert (e.old, e.new) == ("```python\nprint(1)\n", "```python\nprint(2)\n")
