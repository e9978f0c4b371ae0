"""Whole-file replies: path line + fence with the complete content."""

from __future__ import annotations

import pytest

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


def test_auto_reads_a_whole_file_next_to_search_replace_blocks() -> None:
    text = "a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n\nb.py\n```python\nsnippet()\n```\n"
    r = parse_reply(text)
    assert r.formats == ("search-replace", "whole")
    assert [(e.path, e.action) for e in r.edits] == [("a.py", "replace"), ("b.py", "write")]


def test_auto_next_to_other_edits_a_sentence_naming_a_file_labels_no_whole_file() -> None:
    sr = "a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    text = f"{sr}\nNow `b.py` reads:\n```python\nsnippet()\n```\n"
    r = parse_reply(text)
    assert r.formats == ("search-replace",) and r.issues == ()
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


@pytest.mark.parametrize("name", ["Makefile", "Dockerfile", "LICENSE", "Jenkinsfile", "Vagrantfile", "build/run"])
def test_well_known_extensionless_names_and_paths_with_a_slash_are_paths(name: str) -> None:
    reply = f"main.go\n```go\npackage main\n```\n\n{name}\n```makefile\nall:\n\tgo build\n```\n"
    r = parse_reply(reply)
    assert r.issues == () and [(e.path, e.new) for e in r.edits][1] == (name, "all:\n\tgo build\n")


def test_makefile_names_a_search_replace_block() -> None:
    reply = "Makefile\n```makefile\n<<<<<<< SEARCH\nall:\n=======\nall: test\n>>>>>>> REPLACE\n```\n"
    (e,) = parse_reply(reply).edits
    assert (e.path, e.old, e.new) == ("Makefile", "all:\n", "all: test\n")


def test_block_under_a_bare_unknown_name_is_an_issue_not_dropped() -> None:
    # Dropping the block would apply main.go alone: a partial, hence wrong, application.
    r = parse_reply("main.go\n```go\npackage main\n```\n\nrun\n```\necho hi\n```\n")
    (issue,) = r.issues
    assert issue.path == "run" and issue.line == 7 and "./run" in issue.message


def test_caption_above_a_block_is_still_prose() -> None:
    r = parse_reply("main.go\n```go\npackage main\n```\n\nExample\n```\ngo run .\n```\n")
    assert r.issues == () and [e.path for e in r.edits] == ["main.go"]
