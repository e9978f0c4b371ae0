"""Format detection and mixed replies."""

from __future__ import annotations

import pytest

from codeassist.edits.parse import MAX_REPLY_CHARS, parse_reply

MIXED = """First the search/replace:

a.py
```python
<<<<<<< SEARCH
x = 1
=======
x = 2
>>>>>>> REPLACE
```

Then a diff for another file:

```diff
--- a/b.py
+++ b/b.py
@@ -1 +1 @@
-y = 1
+y = 2
```
"""


def test_mixed_search_replace_and_diff() -> None:
    r = parse_reply(MIXED)
    assert r.formats == ("search-replace", "udiff")
    assert [(e.path, e.format, e.index) for e in r.edits] == [("a.py", "search-replace", 0), ("b.py", "udiff", 1)]


def test_diff_inside_search_block_is_not_read_twice() -> None:
    text = "notes.md\n<<<<<<< SEARCH\nold\n=======\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-p\n+q\n>>>>>>> REPLACE\n"
    r = parse_reply(text)
    assert r.formats == ("search-replace",)
    (e,) = r.edits
    assert e.new.startswith("--- a/x\n")


def test_explicit_format_ignores_other_formats() -> None:
    assert [e.path for e in parse_reply(MIXED, fmt="udiff").edits] == ["b.py"]
    assert [e.path for e in parse_reply(MIXED, fmt="search-replace").edits] == ["a.py"]


@pytest.mark.parametrize("text", ["", "\n\n", "hello", "\x00\x00", "```", "<<<<<<< SEARCH", "=======", "@@ -1 +1 @@"])
def test_degenerate_replies(text: str) -> None:
    r = parse_reply(text)
    assert r.edits == ()


def test_too_large_reply_is_refused_with_an_issue() -> None:
    r = parse_reply("x" * (MAX_REPLY_CHARS + 1))
    assert r.edits == () and "too large" in r.issues[0].message


def test_fifty_megabytes_is_refused_quickly() -> None:
    r = parse_reply("a.py\n<<<<<<< SEARCH\n" + "line\n" * 10_000_000)
    assert r.edits == () and "too large" in r.issues[0].message


def test_patch_text_inside_search_block_is_content() -> None:
    text = (
        "docs.md\n<<<<<<< SEARCH\nold\n=======\n*** Begin Patch\n*** Delete File: x\n*** End Patch\n>>>>>>> REPLACE\n"
    )
    r = parse_reply(text)
    assert r.formats == ("search-replace",)
    (e,) = r.edits
    assert e.new == "*** Begin Patch\n*** Delete File: x\n*** End Patch\n"


def test_whole_file_showing_markers_is_content_in_auto_mode() -> None:
    body = "# Format\n\nWrite blocks like:\n\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n"
    body += "\nand diffs:\n\n--- a/x\n+++ b/x\n"
    r = parse_reply(f"docs/format.md\n````markdown\n{body}````\n")
    assert r.formats == ("whole",) and r.issues == ()
    (e,) = r.edits
    assert (e.path, e.action, e.new) == ("docs/format.md", "write", body)


def test_labelled_fence_holding_only_blocks_is_search_replace() -> None:
    block = "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
    text = f"a.py\n```python\n{block}\n{block}```\n"
    r = parse_reply(text)
    assert r.formats == ("search-replace",) and len(r.edits) == 2


def test_bare_extensionless_path_right_above_the_block() -> None:
    r = parse_reply("run\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n")
    assert [e.path for e in r.edits] == ["run"]
    r = parse_reply("run\n\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")
    assert r.edits == () and "no file path" in r.issues[0].message


def test_whole_files_next_to_one_showing_markers_are_all_read() -> None:
    shown = "Example:\n\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n"
    r = parse_reply(f"a.py\n```python\nx = 1\n```\n\nguide.md\n```\n{shown}```\n")
    assert [(e.path, e.action) for e in r.edits] == [("a.py", "write"), ("guide.md", "write")]
    assert r.formats == ("whole",)


def test_malformed_block_is_never_read_as_a_whole_file() -> None:
    # An SEARCH block whose new text shows another block: not a whole file, whatever else happens.
    inner = "```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    text = f"t.py\n````\n<<<<<<< SEARCH\nx = 1\n=======\nx = '''\n{inner}'''\n>>>>>>> REPLACE\n````\n"
    r = parse_reply(text)
    assert all(e.action != "write" for e in r.edits)
