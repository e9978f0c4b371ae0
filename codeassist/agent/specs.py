"""The tools an agent request offers the model: names, descriptions and JSON schemas.

Which tools are offered depends on the approval level (``read-only`` gets no
edit and no command tools) and on the settings (``run_tests`` and
``run_lint`` only when ``test_cmd`` and ``lint_cmd`` are configured). The
edit tools are the ones the classic ``tool`` edit format offers
(:data:`codeassist.edits.tool.EDIT_TOOLS`), so an edit means the same in both modes.
"""

from __future__ import annotations

from typing import Any

from codeassist.backends.base import ToolSpec
from codeassist.edits.tool import EDIT_TOOLS

EDIT_TOOL_NAMES = frozenset(t.name for t in EDIT_TOOLS)


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


_PATH = {"type": "string", "description": "File path relative to the repository root."}
_LINE = {"type": "integer", "minimum": 1}

READ_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "read_file",
        "Read a file of the repository, with line numbers. Long files come in parts: pass start_line and "
        "end_line (1-based, inclusive) to read a range.",
        _object(
            {
                "path": _PATH,
                "start_line": {**_LINE, "description": "First line to show (default 1)."},
                "end_line": {**_LINE, "description": "Last line to show (default: as many as fit)."},
            },
            ("path",),
        ),
    ),
    ToolSpec(
        "list_files",
        "List the repository's files, optionally only those matching a glob (`src/**/*.py`, `*.md`, `tests/*`).",
        _object({"glob": {"type": "string", "description": "A glob over repository paths."}}),
    ),
    ToolSpec(
        "search",
        "Search the repository's files for a regular expression (Python syntax). Returns path:line: text "
        "for each matching line, in path order.",
        _object(
            {
                "pattern": {"type": "string", "description": "A regular expression."},
                "glob": {"type": "string", "description": "Only files matching this glob."},
                "max_results": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Default 50."},
            },
            ("pattern",),
        ),
    ),
    ToolSpec(
        "find_symbol",
        "Where a function, class, method or other definition is defined: path:line and its signature, "
        "the most important files first (from the repository's code index).",
        _object({"name": {"type": "string", "description": "The exact identifier, e.g. parse_config."}}, ("name",)),
    ),
    ToolSpec(
        "find_references",
        "Where an identifier is used: path:line: text, the most important files first (from the code index).",
        _object({"name": {"type": "string", "description": "The exact identifier."}}, ("name",)),
    ),
    ToolSpec(
        "repo_map",
        "A ranked outline of the repository (or of the files under path_prefix): the most important files "
        "with their key definitions, ranked for the query.",
        _object(
            {
                "query": {"type": "string", "description": "Words or identifiers to rank for."},
                "path_prefix": {"type": "string", "description": "Only files under this directory."},
                "tokens": {"type": "integer", "minimum": 256, "maximum": 8192, "description": "Default 2048."},
            }
        ),
    ),
)

RUN_TOOL = ToolSpec(
    "run",
    "Run a shell command in the repository root and get its exit code and output (trimmed). Depending on "
    "the user's settings a command may need their approval, run in a sandbox without network, or be refused. "
    "Files the command changes become part of your change, as your edits are.",
    _object({"command": {"type": "string", "description": "The command line, run by /bin/sh."}}, ("command",)),
)
RUN_TESTS_TOOL = ToolSpec("run_tests", "Run the project's configured test command.", _object({}))
RUN_LINT_TOOL = ToolSpec("run_lint", "Run the project's configured lint command.", _object({}))


def tools_for(approval: str, *, test_cmd: str | None, lint_cmd: str | None) -> tuple[ToolSpec, ...]:
    """The tools offered at ``approval``, in a fixed order (the request bytes stay the same)."""
    if approval == "read-only":
        return READ_TOOLS
    tools = [*READ_TOOLS, *EDIT_TOOLS, RUN_TOOL]
    if test_cmd:
        tools.append(RUN_TESTS_TOOL)
    if lint_cmd:
        tools.append(RUN_LINT_TOOL)
    return tuple(tools)


def schema_of(name: str, tools: tuple[ToolSpec, ...]) -> dict[str, Any] | None:
    for tool in tools:
        if tool.name == name:
            return dict(tool.parameters)
    return None
