"""A bare name above a whole-file block (``run``) names a file only when the repository settles it."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from codeassist.edits.parse import parse_reply
from codeassist.edits.paths import PathResolver
from codeassist.transaction import apply_reply
from codeassist.workspace import Workspace
from tests.conftest import git

RUN = "#!/bin/sh\nset -e\nruff check .\npytest -q\n"
RUN_NEW = "#!/bin/sh\nset -e\nruff check .\nmypy codeassist\npytest -q\n"


class Files:
    """An in-memory repository for the parser's FileLookup."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def unique_file(self, name: str) -> str | None:
        if name in self.files:
            return name
        hits = [f for f in self.files if posixpath.basename(f) == name]
        return hits[0] if len(hits) == 1 else None

    def read_text(self, rel: str) -> str | None:
        return self.files.get(rel)


def reply(name: str, body: str, before: str = "") -> str:
    return f"{before}Here is the script.\n\n{name}\n```\n{body}```\n"


def test_bare_name_of_a_unique_existing_file_rewritten_whole() -> None:
    r = parse_reply(reply("run", RUN_NEW), files=Files({".ci/run": RUN, "a.py": "x\n"}))
    assert r.issues == ()
    (e,) = r.edits
    assert (e.path, e.action, e.new) == (".ci/run", "write", RUN_NEW)


def test_bare_name_next_to_other_edits() -> None:
    sr = "a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n\n"
    r = parse_reply(reply("run", RUN_NEW, before=sr), files=Files({".ci/run": RUN, "a.py": "x\n"}))
    assert r.issues == () and [(e.path, e.action) for e in r.edits] == [("a.py", "replace"), (".ci/run", "write")]


def test_exact_top_level_path_wins_over_basename() -> None:
    r = parse_reply(reply("run", RUN_NEW), files=Files({"run": RUN, ".ci/run": RUN}))
    assert [e.path for e in r.edits] == ["run"]


def test_snippet_under_the_name_of_an_existing_file_is_an_issue() -> None:
    r = parse_reply(reply("run", "mypy codeassist\n"), files=Files({".ci/run": RUN}))
    assert r.edits == ()
    (issue,) = r.issues
    assert issue.path == "run" and ".ci/run" in issue.message and "complete" in issue.message


@pytest.mark.parametrize(
    "files",
    [
        {},  # no such file
        {".ci/run": RUN, "tools/run": RUN},  # two of them: which one is a guess
        {".ci/run": ""},  # empty: no evidence the block is that file
    ],
)
def test_bare_name_the_repository_does_not_settle_stays_an_issue(files: dict[str, str]) -> None:
    r = parse_reply(reply("run", RUN_NEW), files=Files(files))
    assert r.edits == () and r.issues[0].path == "run"


def test_language_word_is_never_a_file_even_if_one_exists() -> None:
    r = parse_reply(reply("python", "print(1)\n"), files=Files({"tools/python": "print(1)\n"}))
    assert r.edits == () and r.issues == ()


def test_caption_naming_no_file_is_prose() -> None:
    r = parse_reply(reply("Example", "codeassist apply\n"), files=Files({"a.py": "x\n"}))
    assert r.edits == () and r.issues == ()


def test_without_the_repository_a_bare_name_is_an_issue() -> None:
    r = parse_reply(reply("run", RUN_NEW))
    assert r.edits == () and "not clearly a file path" in r.issues[0].message


# ----- the real resolver in a real repository --------------------------------


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / ".ci").mkdir()
    (git_repo / ".ci" / "run").write_text(RUN)
    (git_repo / "a.py").write_text("x = 1\n")
    (git_repo / "bin.dat").write_bytes(b"\0\1\2")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def test_resolver_finds_unique_files(repo: Path) -> None:
    files = PathResolver(Workspace.open(repo))
    assert files.unique_file("run") == ".ci/run"
    assert files.unique_file("./a.py") == "a.py"
    assert files.unique_file("ci/run") is None and files.unique_file(".ci/run") == ".ci/run"
    for bad in ("", "missing", "../run", "/etc/passwd", "a//b", ".ci"):
        assert files.unique_file(bad) is None, bad
    assert files.read_text(".ci/run") == RUN
    assert files.read_text("bin.dat") is None and files.read_text("missing") is None


def test_resolver_reads_no_file_through_a_link_out_of_the_repository(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(RUN)
    (repo / "leak").symlink_to(tmp_path / "secret.txt")
    (repo / "inside").symlink_to(repo / "a.py")
    files = PathResolver(Workspace.open(repo))
    assert files.read_text("leak") is None
    assert files.read_text("inside") == "x = 1\n"
    result = apply_reply(repo, reply("leak", RUN_NEW), commit=False)
    assert not result.ok and (tmp_path / "secret.txt").read_text() == RUN


def test_apply_rewrites_the_file_a_bare_name_names(repo: Path) -> None:
    result = apply_reply(repo, reply("run", RUN_NEW), commit=False)
    assert result.ok and result.changed == (".ci/run",)
    assert (repo / ".ci" / "run").read_text() == RUN_NEW
    assert not (repo / "run").exists()


def test_apply_refuses_a_snippet_under_a_bare_name(repo: Path) -> None:
    result = apply_reply(repo, reply("run", "echo hi\n"), commit=False)
    assert not result.ok and not result.written
    assert (repo / ".ci" / "run").read_text() == RUN and not (repo / "run").exists()


def test_apply_mixed_search_replace_and_whole_existing_file(repo: Path) -> None:
    text = (
        "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n\n"
        f".ci/run\n```sh\n{RUN_NEW}```\n\nRun it with:\n\n```sh\n.ci/run\n```\n"
    )
    result = apply_reply(repo, text, commit=False)
    assert result.ok, result.feedback()
    assert result.formats == ("search-replace", "whole")
    assert (repo / "a.py").read_text() == "x = 2\n" and (repo / ".ci" / "run").read_text() == RUN_NEW


SR_A = "a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n\n"
MAIN = "import a\n\n\ndef main():\n    a.run()\n    a.report()\n\n\nmain()\n"


def test_excerpt_of_an_existing_file_next_to_other_edits_is_refused() -> None:
    files = Files({"a.py": "x\n", "src/main.py": MAIN})
    text = SR_A + "Use it like this:\n\nmain.py\n```python\nimport a\na.go()\n```\n"
    r = parse_reply(text, files=files)
    assert [e.path for e in r.edits] == ["a.py"]
    (issue,) = r.issues
    assert issue.path == "main.py" and "src/main.py" in issue.message and "excerpt" in issue.message


def test_rewrite_of_an_existing_file_next_to_other_edits_is_read() -> None:
    files = Files({"a.py": "x\n", "src/main.py": MAIN})
    rewritten = MAIN.replace("    a.report()\n", "    a.report()\n    a.close()\n")
    r = parse_reply(SR_A + f"src/main.py\n```python\n{rewritten}```\n", files=files)
    assert r.issues == () and [(e.path, e.new) for e in r.edits][1] == ("src/main.py", rewritten)


def test_new_and_empty_files_next_to_other_edits_are_read() -> None:
    files = Files({"a.py": "x\n", "pkg/__init__.py": ""})
    text = SR_A + "pkg/__init__.py\n```python\nVERSION = 1\n```\n\npkg/new.py\n```python\nNEW = 1\n```\n"
    r = parse_reply(text, files=files)
    assert r.issues == () and [e.path for e in r.edits] == ["a.py", "pkg/__init__.py", "pkg/new.py"]


def test_whole_files_alone_may_rewrite_everything() -> None:
    # Without other edits the reply is in the whole-file format: a full rewrite is its purpose.
    r = parse_reply("src/main.py\n```python\nprint('new')\n```\n", files=Files({"src/main.py": MAIN}))
    assert r.issues == () and [e.new for e in r.edits] == ["print('new')\n"]


def test_apply_tool_calls_with_a_snippet_in_the_text(repo: Path) -> None:
    from codeassist.backends.base import ToolCall

    call = ToolCall("c1", "replace_in_file", '{"path": "a.py", "old_text": "x = 1\\n", "new_text": "x = 2\\n"}')
    text = "Done. The file is now:\n\na.py\n```python\nx = 2\n```\n"
    result = apply_reply(repo, text, tool_calls=[call], commit=False)
    assert not result.ok and not result.written and result.issues[0].path == "a.py"
    assert (repo / "a.py").read_text() == "x = 1\n"
    result = apply_reply(repo, "Done. In `a.py`:\n```python\nx = 2\n```\n", tool_calls=[call], commit=False)
    assert result.ok and result.changed == ("a.py",) and (repo / "a.py").read_text() == "x = 2\n"


class CountingFiles(Files):
    def __init__(self, files: dict[str, str]) -> None:
        super().__init__(files)
        self.asked: list[str] = []

    def unique_file(self, name: str) -> str | None:
        self.asked.append(name)
        return super().unique_file(name)

    def read_text(self, rel: str) -> str | None:
        self.asked.append("read " + rel)
        return super().read_text(rel)


def test_a_hostile_reply_naming_one_file_many_times_reads_it_once() -> None:
    files = CountingFiles({"a.py": "x\n", ".ci/run": RUN})
    text = SR_A + "".join(f"a.py\n```\nsnippet {i}\n```\nrun\n```\necho {i}\n```\n" for i in range(2_000))
    r = parse_reply(text, files=files)
    assert len(r.issues) == 4_000 and [e.path for e in r.edits] == ["a.py"]
    assert sorted(files.asked) == ["a.py", "read .ci/run", "read a.py", "run"]
