"""Whole-file replies: path line + fence with the complete content."""

from __future__ import annotations

from codeassist.edits.parse import parse_reply

REPLY = """Here is the new README:

README.md
```markdown
# Title

```python
print(1)
```

<<<<<<< SEARCH
x
=======
y
>>>>>>> REPLACE
```

And `src/a.py`:
````python
a = 1
````

Some unrelated code:
```
ignored()
```
"""


def test_whole_files_and_nested_fences_and_markers_as_content() -> None:
    r = parse_reply(REPLY, fmt="whole")
    assert r.issues == () and r.formats == ("whole",)
    readme, code = r.edits
    assert (readme.path, readme.action, readme.format) == ("README.md", "write", "whole")
    assert readme.new.startswith("# Title\n\n```python\nprint(1)\n```\n")
    assert "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n" in readme.new
    assert (code.path, code.new) == ("src/a.py", "a = 1\n")


def test_auto_reads_whole_file_when_nothing_else() -> None:
    r = parse_reply("app.py\n```python\nprint('hi')\n```\n")
    assert r.formats == ("whole",)
    assert [(e.path, e.action, e.new) for e in r.edits] == [("app.py", "write", "print('hi')\n")]


def test_auto_prefers_other_formats_over_whole_snippets() -> None:
    text = "a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n\nb.py\n```python\nsnippet()\n```\n"
    r = parse_reply(text)
    assert r.formats == ("search-replace",)
    assert [e.path for e in r.edits] == ["a.py"]


def test_path_in_fence_info() -> None:
    (e,) = parse_reply("```python src/x.py\nx = 1\n```\n", fmt="whole").edits
    assert e.path == "src/x.py"


def test_unclosed_block_is_an_issue() -> None:
    r = parse_reply("a.py\n```\nx = 1\n\nb.py\n```\ny = 2\n", fmt="whole")
    assert [e.path for e in r.edits] == ["a.py"]
    r = parse_reply("a.py\n```\nx = 1\n", fmt="whole")
    assert r.edits == () and "not closed" in r.issues[0].message and r.issues[0].line == 2


def test_tilde_fence() -> None:
    (e,) = parse_reply("c.txt\n~~~\nhello\n~~~\n", fmt="whole").edits
    assert e.new == "hello\n"


def test_fences_as_long_as_the_outer_one_nest_when_tagged() -> None:
    content = "# Doc\n\n````{tip}\n```python\nx = 1\n```\n````\n\nend\n"
    (e,) = parse_reply(f"docs/a.md\n````\n{content}````\n", fmt="whole").edits
    assert e.new == content


def test_dotfile_path() -> None:
    (e,) = parse_reply(".npmrc\n```\npackage-lock=false\n```\n").edits
    assert (e.path, e.new) == (".npmrc", "package-lock=false\n")
