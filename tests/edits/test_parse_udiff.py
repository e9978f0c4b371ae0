"""Unified diffs: git and plain headers, numbers right, wrong or absent, creation, deletion, renames."""

from __future__ import annotations

from codeassist.edits.parse import parse_reply

GIT_DIFF = """diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,4 @@ def f():
 def f():
-    return 1
+    return 2
{SPACE}
 x = 3
@@ -10,2 +10,3 @@
 y = 1
+z = 2
 w = 3
""".replace("{SPACE}", " ")


def test_git_diff_hunks_become_replace_edits() -> None:
    r = parse_reply(GIT_DIFF)
    assert r.issues == () and r.formats == ("udiff",)
    first, second = r.edits
    assert (first.path, first.action, first.line_hint) == ("src/app.py", "replace", 1)
    assert first.old == "def f():\n    return 1\n\nx = 3\n"
    assert first.new == "def f():\n    return 2\n\nx = 3\n"
    assert (second.old, second.new, second.line_hint) == ("y = 1\nw = 3\n", "y = 1\nz = 2\nw = 3\n", 10)
    assert first.raw_patch == second.raw_patch == GIT_DIFF


def test_fenced_diff_with_prose_around() -> None:
    r = parse_reply("Here is the diff:\n\n```diff\n" + GIT_DIFF + "```\n\nThis bumps the value.\n")
    assert len(r.edits) == 2 and r.issues == ()
    assert r.edits[1].new.endswith("w = 3\n")


def test_blank_context_line_without_space() -> None:
    (e,) = parse_reply("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n").edits
    assert (e.old, e.new) == ("a\n\nb\n", "a\n\nc\n")


def test_wrong_and_missing_line_numbers() -> None:
    wrong = parse_reply("--- x.py\n+++ x.py\n@@ -90,7 +91,9 @@\n a\n-b\n+c\n").edits
    assert wrong[0].line_hint == 90 and wrong[0].old == "a\nb\n"
    (none,) = parse_reply("--- x.py\n+++ x.py\n@@ ... @@\n a\n-b\n+c\n").edits
    assert none.line_hint is None and (none.old, none.new) == ("a\nb\n", "a\nc\n")


def test_headerless_hunks_after_a_path_line() -> None:
    (e,) = parse_reply("src/a.py\n```diff\n@@ ... @@\n def f():\n-    pass\n+    return 1\n```\n").edits
    assert e.path == "src/a.py" and e.raw_patch is None


def test_creation_and_deletion() -> None:
    text = "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n"
    text += "--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
    create, delete = parse_reply(text).edits
    assert (create.path, create.action, create.new) == ("new.txt", "create", "one\ntwo\n")
    assert (delete.path, delete.action) == ("old.txt", "delete")


def test_git_new_empty_file() -> None:
    (e,) = parse_reply("diff --git a/e.txt b/e.txt\nnew file mode 100644\nindex 0000000..e69de29\n").edits
    assert (e.path, e.action, e.new) == ("e.txt", "create", "")


def test_rename_comes_after_content_edits_on_old_path() -> None:
    text = (
        "diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\nrename to new.py\n"
        "--- a/old.py\n+++ b/new.py\n@@ -1 +1 @@\n-x\n+y\n"
    )
    edit, rename = parse_reply(text).edits
    assert (edit.path, edit.action) == ("old.py", "replace")
    assert (rename.path, rename.action, rename.new_path) == ("old.py", "rename", "new.py")
    assert rename.raw_patch == text


def test_pure_rename() -> None:
    text = "diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n"
    (rename,) = parse_reply(text).edits
    assert (rename.path, rename.new_path) == ("a", "b")


def test_no_newline_at_end_of_file() -> None:
    text = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    (e,) = parse_reply(text).edits
    assert (e.old, e.new) == ("a\nb", "a\nc")


def test_no_newline_only_on_old_side() -> None:
    text = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-b\n\\ No newline at end of file\n+c\n"
    (e,) = parse_reply(text).edits
    assert (e.old, e.new) == ("b", "c\n")


def test_removed_line_starting_with_dashes_is_not_a_header() -> None:
    (e,) = parse_reply("--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,1 @@\n--- old comment\n select 1;\n").edits
    assert (e.old, e.new) == ("-- old comment\nselect 1;\n", "select 1;\n")


def test_several_files() -> None:
    text = GIT_DIFF + "diff --git a/b.txt b/b.txt\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-p\n+q\n"
    r = parse_reply(text)
    assert [e.path for e in r.edits] == ["src/app.py", "src/app.py", "b.txt"]
    assert r.edits[2].raw_patch.startswith("diff --git a/b.txt")  # type: ignore[union-attr]


def test_truncated_hunk_is_an_issue_and_earlier_files_kept() -> None:
    text = "```diff\n--- a/ok\n+++ b/ok\n@@ -1 +1 @@\n-1\n+2\n--- a/t\n+++ b/t\n@@ -1,5 +1,5 @@\n a\n-b\n"
    r = parse_reply(text)
    assert [e.path for e in r.edits] == ["ok"]
    (issue,) = r.issues
    assert "truncated" in issue.message and issue.line == 9 and issue.path == "t"
    # Unfenced, the same short hunk is taken as wrong header counts.
    assert [e.path for e in parse_reply(text[8:]).edits] == ["ok", "t"]


def test_binary_diff_is_an_issue() -> None:
    r = parse_reply("diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n")
    assert r.edits == () and "binary" in r.issues[0].message


def test_prose_after_diff_is_not_read() -> None:
    (e,) = parse_reply("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n- a bullet point\n").edits
    assert (e.old, e.new) == ("a\nb\n", "a\nc\n")


def test_markdown_rule_is_not_a_diff() -> None:
    r = parse_reply("Intro\n\n---\n\nMore text\n+ a list\n")
    assert r.edits == () and r.issues == ()
