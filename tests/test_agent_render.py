"""Tool calls and their results as people see them on the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from codeassist.interfaces.live import HumanRenderer, tool_call_line


def test_tool_events_render_as_one_line_each() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = HumanRenderer(Console(file=out, width=100), Console(file=err, width=100), live=False)
    renderer({"type": "tool.call", "id": "c1", "name": "read_file", "arguments": '{"path": "[a].py"}', "step": 1})
    renderer({"type": "tool.result", "id": "c1", "name": "read_file", "ok": True, "summary": "[a].py: 1-2", "chars": 9})
    renderer({"type": "tool.result", "id": "c2", "name": "run", "ok": False, "summary": "refused: no", "chars": 9})
    renderer({"type": "history.compacted", "results": 2})
    assert err.getvalue().splitlines() == [
        'tool read_file(path="[a].py")',
        "  ok [a].py: 1-2",
        "  error refused: no",
        "shortened 2 old tool result(s) to fit the window",
    ]


def test_tool_call_line_is_cut_and_survives_bad_json() -> None:
    assert tool_call_line("run", "{not json") == "run({not json)"
    long = tool_call_line("search", '{"pattern": "' + "x" * 300 + '"}', width=40)
    assert len(long) == 40 and long.endswith("...")
    assert tool_call_line("run", '{"command": "a\\nb"}') == 'run(command="a\\nb")'
