"""The apply_patch envelope."""

from __future__ import annotations

from codeassist.edits.parse import parse_reply

ENVELOPE = """I'll patch it.
```
*** Begin Patch
*** Add File: hello.txt
+Hello
+world
*** Update File: src/app.py
*** Move to: src/main.py
@@ def greet():
-    print("Hi")
+    print("Hello")
@@
 x = 1
+y = 2

*** End of File
*** Delete File: old.py
*** Update File: b.py
@@ class B:
+    z = 3
*** End Patch
```
"""


def test_every_operation() -> None:
    r = parse_reply(ENVELOPE)
    assert r.issues == () and r.formats == ("patch",)
    add, hunk1, hunk2, move, delete, insert = r.edits
    assert (add.path, add.action, add.new) == ("hello.txt", "create", "Hello\nworld\n")
    assert (hunk1.path, hunk1.action, hunk1.anchor) == ("src/app.py", "replace", "def greet():")
    assert (hunk1.old, hunk1.new) == ('    print("Hi")\n', '    print("Hello")\n')
    assert (hunk2.old, hunk2.new, hunk2.anchor) == ("x = 1\n", "x = 1\ny = 2\n", None)
    assert (move.path, move.action, move.new_path) == ("src/app.py", "rename", "src/main.py")
    assert (delete.path, delete.action) == ("old.py", "delete")
    # A hunk that only adds lines inserts after its anchor line.
    assert (insert.old, insert.new) == ("class B:\n", "class B:\n    z = 3\n")
    assert [e.index for e in r.edits] == list(range(6))


def test_explicit_format_reads_only_patch() -> None:
    text = ENVELOPE + "\nc.py\n<<<<<<< SEARCH\nq\n=======\nr\n>>>>>>> REPLACE\n"
    assert [e.format for e in parse_reply(text, fmt="patch").edits] == ["patch"] * 6
    assert parse_reply(text).formats == ("patch", "search-replace")


def test_missing_end_patch_drops_last_operation() -> None:
    r = parse_reply("*** Begin Patch\n*** Update File: a.py\n@@\n-a\n+b\n*** Update File: c.py\n@@\n-c\n+")
    assert [e.path for e in r.edits] == ["a.py"]
    (issue,) = r.issues
    assert "End Patch" in issue.message and issue.line == 6 and issue.path == "c.py"


def test_operations_without_envelope() -> None:
    r = parse_reply("*** Update File: a.py\n@@\n-a\n+b\n```\nprose\n")
    assert [(e.path, e.old, e.new) for e in r.edits] == [("a.py", "a\n", "b\n")]
    assert r.issues == ()


def test_update_without_changes_is_an_issue() -> None:
    r = parse_reply("*** Begin Patch\n*** Update File: a.py\n*** End Patch\n")
    assert r.edits == () and "no changes" in r.issues[0].message


def test_unknown_star_line_is_an_issue() -> None:
    r = parse_reply("*** Begin Patch\n*** Update File: a.py\n*** Frobnicate\n-a\n+b\n*** End Patch\n")
    assert [e.old for e in r.edits] == ["a\n"]
    assert "unknown patch line" in r.issues[0].message and r.issues[0].line == 3


def test_context_line_missing_its_space() -> None:
    (e,) = parse_reply("*** Begin Patch\n*** Update File: a.py\n@@\nkeep\n-a\n+b\n*** End Patch\n").edits
    assert (e.old, e.new) == ("keep\na\n", "keep\nb\n")


def test_nested_begin_reports_unclosed() -> None:
    r = parse_reply("*** Begin Patch\n*** Delete File: x\n*** Begin Patch\n*** Delete File: y\n*** End Patch\n")
    assert [e.path for e in r.edits] == ["x", "y"]
    assert "before the next" in r.issues[0].message


# Indented markers: a model that nests the patch in a list item, or slips a space before one marker.
HUNK = ("a.py", "replace", "x = 1\n", "x = 2\n")


def _read(text: str) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    r = parse_reply(text)
    return [(e.path, e.action, e.old, e.new) for e in r.edits], [i.message for i in r.issues]


def test_end_marker_indented_by_a_space() -> None:
    assert _read("*** Begin Patch\n*** Update File: a.py\n@@\n-x = 1\n+x = 2\n *** End Patch\n") == ([HUNK], [])


def test_update_header_indented() -> None:
    assert _read("*** Begin Patch\n  *** Update File: a.py\n@@\n-x = 1\n+x = 2\n*** End Patch\n") == ([HUNK], [])


def test_begin_marker_indented() -> None:
    assert _read("  *** Begin Patch\n*** Update File: a.py\n@@\n-x = 1\n+x = 2\n*** End Patch\n") == ([HUNK], [])


def test_whole_envelope_indented_is_read_as_if_it_were_not() -> None:
    # In a Markdown list item every line carries the item's indentation, the hunk lines too.
    text = (
        "1. Apply this:\n\n"
        "   *** Begin Patch\n"
        "   *** Update File: a.py\n"
        "   @@ def f():\n"
        "    def f():\n"
        "   -    x = 1\n"
        "   +    x = 2\n"
        "   *** Add File: b.py\n"
        "   +y = 1\n"
        "   *** Delete File: c.py\n"
        "   *** End Patch\n"
    )
    edits, issues = _read(text)
    assert issues == []
    assert edits == [
        ("a.py", "replace", "def f():\n    x = 1\n", "def f():\n    x = 2\n"),
        ("b.py", "create", "", "y = 1\n"),
        ("c.py", "delete", "", ""),
    ]


def test_indented_operations_without_envelope() -> None:
    assert _read("  *** Update File: a.py\n  @@\n  -x = 1\n  +x = 2\n") == ([HUNK], [])


def test_indented_move_and_end_of_file_markers() -> None:
    r = parse_reply(
        "*** Begin Patch\n*** Update File: a.py\n  *** Move to: b.py\n@@\n-x = 1\n+x = 2\n  *** End of File\n"
        "*** End Patch\n"
    )
    assert r.issues == ()
    assert [(e.action, e.new_path) for e in r.edits] == [("replace", None), ("rename", "b.py")]
