"""Edits as tool calls."""

from __future__ import annotations

import json

from codeassist.backends.base import ToolCall
from codeassist.edits.tool import EDIT_TOOLS, edits_from_tool_calls


def call(name: str, args: object) -> ToolCall:
    return ToolCall("id", name, args if isinstance(args, str) else json.dumps(args))


def test_schema_names_and_required_fields() -> None:
    specs = {spec.name: spec.parameters for spec in EDIT_TOOLS}
    assert specs["replace_in_file"]["required"] == ["path", "old_text", "new_text"]
    assert specs["create_file"]["required"] == ["path", "content"]
    assert specs["delete_file"]["required"] == ["path"]
    json.dumps(specs)  # serialisable as sent to the backend


def test_calls_become_edits() -> None:
    r = edits_from_tool_calls(
        [
            call("replace_in_file", {"path": "a.py", "old_text": "x = 1\n", "new_text": "x = 2\n"}),
            call("create_file", {"path": "n.py", "content": "new\n"}),
            call("delete_file", {"path": "d.py"}),
        ]
    )
    assert r.issues == () and r.formats == ("tool",)
    assert [(e.path, e.action, e.old, e.new, e.index, e.format) for e in r.edits] == [
        ("a.py", "replace", "x = 1\n", "x = 2\n", 0, "tool"),
        ("n.py", "create", "", "new\n", 1, "tool"),
        ("d.py", "delete", "", "", 2, "tool"),
    ]


def test_bad_calls_become_issues() -> None:
    r = edits_from_tool_calls(
        [
            call("create_file", "{bad json"),
            call("delete_file", "[1, 2]"),
            call("run_shell", {"cmd": "rm -rf /"}),
            call("create_file", {"path": "p"}),
            call("replace_in_file", {"path": "a", "old_text": 1, "new_text": "x"}),
            call("delete_file", {"path": "  "}),
            call("delete_file", "[" * 100_000),
        ]
    )
    assert r.edits == () and r.formats == ()
    messages = [i.message for i in r.issues]
    assert "invalid JSON" in messages[0]
    assert "must be a JSON object" in messages[1]
    assert "not an edit tool" in messages[2]
    assert "content" in messages[3] and r.issues[3].path == "p"
    assert "old_text" in messages[4]
    assert "empty path" in messages[5]
    assert "invalid JSON" in messages[6]
    assert [i.line for i in r.issues] == [1, 2, 3, 4, 5, 6, 7]
