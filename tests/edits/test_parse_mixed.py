"""Replies that mix whole-file blocks with other formats (``--format auto``), and prose that must stay prose."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeassist.edits.parse import parse_reply
from codeassist.edits.types import Edit
from tests.edits.test_whole_known_files import Files

SR = "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"
DIFF = "```diff\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-y = 1\n+y = 2\n```\n"
PATCH = "*** Begin Patch\n*** Update File: b.py\n@@\n-y = 1\n+y = 2\n*** End Patch\n"


def summary(text: str) -> list[tuple[str, str, str]]:
    r = parse_reply(text)
    assert r.issues == ()
    return [(e.path, e.action, e.format) for e in r.edits]


def test_search_replace_and_a_whole_new_file() -> None:
    text = f"Change a.py:\n\n{SR}\nAnd add the helper:\n\nsrc/helper.py\n```python\ndef helper():\n    return 1\n```\n"
    r = parse_reply(text)
    assert r.issues == () and r.formats == ("search-replace", "whole")
    a, helper = r.edits
    assert (a.path, a.action, a.index) == ("a.py", "replace", 0)
    assert (helper.path, helper.action, helper.new, helper.index) == (
        "src/helper.py", "write", "def helper():\n    return 1\n", 1
    )


def test_whole_file_first_then_search_replace_keeps_reply_order() -> None:
    text = f"**c.py**\n```python\nz = 3\n```\n\n{SR}"
    assert summary(text) == [("c.py", "write", "whole"), ("a.py", "replace", "search-replace")]


def test_search_replace_and_a_whole_existing_file_with_decorated_path_lines() -> None:
    for label in ("lib/b.py", "`lib/b.py`", "**lib/b.py**", "### lib/b.py", "File: lib/b.py", "lib/b.py:"):
        text = f"{SR}\n{label}\n```python\ny = 2\nz = 3\n```\n"
        assert summary(text) == [("a.py", "replace", "search-replace"), ("lib/b.py", "write", "whole")], label


def test_path_in_the_fence_info_string_next_to_a_diff() -> None:
    text = f"{DIFF}\n```python:pkg/new.py\nVALUE = 1\n```\n"
    assert summary(text) == [("b.py", "replace", "udiff"), ("pkg/new.py", "write", "whole")]


def test_diff_and_a_whole_file() -> None:
    doc = "docs/usage.md\n````markdown\n# Usage\n\n```sh\nrun it\n```\n````\n"
    text = f"Update b.py:\n\n{DIFF}\nCreate docs/usage.md:\n\n{doc}"
    r = parse_reply(text)
    assert r.issues == () and r.formats == ("udiff", "whole")
    _, doc = r.edits
    assert (doc.path, doc.new) == ("docs/usage.md", "# Usage\n\n```sh\nrun it\n```\n")


def test_patch_envelope_and_a_whole_file() -> None:
    text = f"{PATCH}\nnotes.txt\n```\nhello\n```\n"
    assert summary(text) == [("b.py", "replace", "patch"), ("notes.txt", "write", "whole")]


@pytest.mark.parametrize(
    "prose",
    [
        "Run the tests with:\n\n```bash\npython -m pytest -q\n```\n",
        "For example, in `a.py`:\n```python\nx = 2\n```\n",
        "Now `lib/b.py` looks like this:\n\n```python\ndef f():\n    ...\n```\n",
        "```python\nprint('unlabelled')\n```\n",
        "python\n```\nprint('a language name is not a file')\n```\n",
        "Example\n```\ncodeassist apply reply.md\n```\n",
        "Output:\n```\n1 passed\n```\n",
        "The call `f(x)` now returns:\n```\n2\n```\n",
    ],
)
def test_code_examples_in_prose_are_not_edits(prose: str) -> None:
    for text in (f"{SR}\n{prose}", f"{prose}\n{SR}", f"{DIFF}\n{prose}"):
        r = parse_reply(text)
        assert r.issues == (), text
        assert all(e.action != "write" for e in r.edits), text


def test_fences_around_a_search_replace_block_are_not_an_empty_whole_file() -> None:
    shown = "Example:\n\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n"
    text = f"guide.md\n```\n{shown}```\n\n{SR}"
    r = parse_reply(text)
    assert r.issues == ()
    assert [(e.path, e.action) for e in r.edits] == [("guide.md", "write"), ("a.py", "replace")]


def test_fenced_diff_under_a_path_line_is_not_a_whole_file() -> None:
    text = f"{SR}\nb.py\n```diff\n-y = 1\n+y = 2\n```\n"
    r = parse_reply(text)
    assert [e.path for e in r.edits] == ["a.py"]
    (issue,) = r.issues
    assert issue.path == "b.py" and "diff" in issue.message
    # Alone, too: writing the diff into b.py would replace the file with its own diff.
    r = parse_reply("b.py\n```diff\n-y = 1\n+y = 2\n```\n")
    assert r.edits == () and r.issues[0].path == "b.py"


def test_a_patch_file_may_hold_a_diff() -> None:
    text = f"{SR}\nfixes/0001.patch\n```diff\n-y = 1\n+y = 2\n```\n"
    assert summary(text)[1] == ("fixes/0001.patch", "write", "whole")


def test_whole_file_for_a_file_other_edits_change_is_refused() -> None:
    for label in ("a.py", "./a.py", "src/a.py"):
        text = f"{SR.replace('a.py', 'src/a.py')}\nThe result:\n\n{label}\n```python\nx = 2\n```\n"
        r = parse_reply(text)
        assert [e.path for e in r.edits] == ["src/a.py"], label
        (issue,) = r.issues
        assert issue.path == label and "not both" in issue.message


def test_whole_file_for_a_renamed_file_is_refused() -> None:
    text = "*** Begin Patch\n*** Update File: old.py\n*** Move to: new.py\n*** End Patch\n\nnew.py\n```\nx\n```\n"
    r = parse_reply(text)
    assert [i.path for i in r.issues] == ["new.py"]


def test_unclosed_whole_file_after_other_edits_is_an_issue() -> None:
    r = parse_reply(f"{SR}\nnew.py\n```python\nx = 1\n")
    assert [e.path for e in r.edits] == ["a.py"]
    assert "not closed" in r.issues[0].message and r.issues[0].path == "new.py"


def test_unclosed_example_after_other_edits_is_ignored() -> None:
    r = parse_reply(f"{SR}\nRun:\n```bash\npytest\n")
    assert r.issues == () and [e.path for e in r.edits] == ["a.py"]


def test_explicit_formats_do_not_mix() -> None:
    text = f"{SR}\nnew.py\n```python\nx = 1\n```\n"
    assert [e.path for e in parse_reply(text, fmt="search-replace").edits] == ["a.py"]
    # Told the reply is whole files, a labelled block's markers are its content.
    whole = [(e.path, e.action) for e in parse_reply(text, fmt="whole").edits]
    assert whole == [("a.py", "write"), ("new.py", "write")]


@pytest.mark.parametrize(
    "hostile",
    [
        "```\n" * 20_000,
        "a.py\n```python\n" * 10_000,
        ("x.py\n````\n```py\n" * 5_000) + "````\n",
        SR * 2_000 + "new.py\n```\n" + "y\n" * 50_000,
        "new.py\n```\n" + "<<<<<<< SEARCH\n" * 20_000 + "```\n",
        "\n".join(f"f{i}.py\n```\n{i}\n```" for i in range(5_000)) + "\n" + SR,
        "~~~\n```\n" * 10_000,
    ],
)
def test_hostile_mixes_do_not_crash(hostile: str) -> None:
    r = parse_reply(hostile)
    assert isinstance(r.edits, tuple) and isinstance(r.issues, tuple)


FRAGMENTS = [
    SR,
    DIFF,
    PATCH,
    "new.py\n```python\nNEW = 1\n```\n",
    "`lib/b.py`\n```\ny = 2\n```\n",
    "In `a.py`:\n```python\nx = 2\n```\n",
    "run\n```\necho hi\n```\n",
    "```bash\npytest -q\n```\n",
    "b.py\n```diff\n-y\n+z\n```\n",
    "Some prose.\n",
    "```\n",
    "<<<<<<< SEARCH\n",
    "=======\n",
    ">>>>>>> REPLACE\n",
    "*** End Patch\n",
    "@@ -1 +1 @@\n",
    "\n",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_mix_of_fragments_parses_without_inventing_content(parts: list[str], known: bool) -> None:
    text = "".join(parts)
    files = Files({"a.py": "x = 1\n", "lib/b.py": "y = 1\n", ".ci/run": "echo hi\n"}) if known else None
    r = parse_reply(text, files=files)
    assert [e.index for e in r.edits] == list(range(len(r.edits)))
    for e in r.edits:
        if e.action == "write":
            # Content is read from the reply, never made of lines another parser blanked out.
            assert e.new in text
            assert e.format == "whole"


def test_text_next_to_tool_call_edits_is_read_as_a_mixed_reply() -> None:
    called = (Edit("a.py", "replace", old="x = 1\n", new="x = 2\n", format="tool"),)
    text = "I called the tool. `a.py` now reads:\n```python\nx = 2\n```\n\nnew.py\n```python\nNEW = 1\n```\n"
    r = parse_reply(text, alongside=called)
    assert r.issues == () and [(e.path, e.action) for e in r.edits] == [("new.py", "write")]
    r = parse_reply("a.py\n```python\nx = 2\n```\n", alongside=called)
    assert r.edits == () and r.issues[0].path == "a.py" and "not both" in r.issues[0].message


def test_the_path_line_of_a_search_replace_block_labels_no_snippet_after_it() -> None:
    for path in ("a.py", "new.py"):
        old = "x = 1\n" if path == "a.py" else ""
        text = f"{path}\n<<<<<<< SEARCH\n{old}=======\nx = 2\n>>>>>>> REPLACE\n```python\nprint('example')\n```\n"
        r = parse_reply(text)
        assert r.issues == () and [(e.path, e.format) for e in r.edits] == [(path, "search-replace")]
