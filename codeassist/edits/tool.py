"""Edits as function calls, for models that prefer tools to markup.

:data:`EDIT_TOOLS` is offered to the backend; :func:`edits_from_tool_calls`
reads the calls the model made. Bad JSON, unknown tools and missing or
mistyped fields become issues, never exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from codeassist.backends.base import ToolCall, ToolSpec
from codeassist.edits.parse import ParseResult
from codeassist.edits.types import Edit, ParseIssue

_PATH = {"type": "string", "description": "File path relative to the repository root."}

EDIT_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "replace_in_file",
        "Replace one exact, unique passage of an existing file. old_text must match the file's current "
        "lines (copy them, with enough surrounding lines to be unique); new_text replaces it.",
        {
            "type": "object",
            "properties": {
                "path": _PATH,
                "old_text": {"type": "string", "description": "The exact lines to replace."},
                "new_text": {"type": "string", "description": "The lines to put in their place."},
            },
            "required": ["path", "old_text", "new_text"],
            "additionalProperties": False,
        },
    ),
    ToolSpec(
        "create_file",
        "Create a new file with the given complete content.",
        {
            "type": "object",
            "properties": {"path": _PATH, "content": {"type": "string", "description": "The whole file content."}},
            "required": ["path", "content"],
            "additionalProperties": False,
        },
    ),
    ToolSpec(
        "delete_file",
        "Delete a file.",
        {
            "type": "object",
            "properties": {"path": _PATH},
            "required": ["path"],
            "additionalProperties": False,
        },
    ),
)

_FIELDS = {
    "replace_in_file": ("path", "old_text", "new_text"),
    "create_file": ("path", "content"),
    "delete_file": ("path",),
}


def _edit(name: str, args: dict[str, Any]) -> Edit:
    if name == "replace_in_file":
        return Edit(args["path"], "replace", old=args["old_text"], new=args["new_text"], format="tool")
    if name == "create_file":
        return Edit(args["path"], "create", new=args["content"], format="tool")
    return Edit(args["path"], "delete", format="tool")


def edits_from_tool_calls(calls: Sequence[ToolCall]) -> ParseResult:
    """The edits the model's tool calls ask for; unreadable calls become issues (``line`` is the call's position)."""
    edits: list[Edit] = []
    issues: list[ParseIssue] = []
    for number, call in enumerate(calls, start=1):
        fields = _FIELDS.get(call.name)
        if fields is None:
            issues.append(ParseIssue(f"tool call {number} ({call.name!r}) is not an edit tool", number))
            continue
        try:
            args = json.loads(call.arguments or "{}")
        except (ValueError, RecursionError) as exc:
            issues.append(ParseIssue(f"tool call {number} ({call.name}) has invalid JSON arguments: {exc}", number))
            continue
        if not isinstance(args, dict):
            issues.append(ParseIssue(f"tool call {number} ({call.name}) arguments must be a JSON object", number))
            continue
        bad = [f for f in fields if not isinstance(args.get(f), str)]
        path = args.get("path") if isinstance(args.get("path"), str) else None
        if bad:
            issues.append(
                ParseIssue(f"tool call {number} ({call.name}) needs string field(s): {', '.join(bad)}", number, path)
            )
            continue
        if not args["path"].strip():
            issues.append(ParseIssue(f"tool call {number} ({call.name}) has an empty path", number))
            continue
        edits.append(_edit(call.name, args))
    formats = ("tool",) if edits else ()
    indexed = tuple(replace(e, index=i) for i, e in enumerate(edits))
    return ParseResult(indexed, tuple(issues), formats)
