"""Model output and file contents are shown, never executed: no escape or control sequence from a
reply, a file or a path reaches the terminal as such.

Rendered to strings through the real rich consoles, and end to end through the CLI.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from rich.console import Console

from codeassist.interfaces.live import HumanRenderer
from codeassist.interfaces.render import safe_terminal_text

# Retitle the window, clear the screen, C1 CSI, OSC 52 (write the clipboard), a hyperlink, BEL, backspace.
HOSTILE = (
    "\x1b]0;pwned\x07", "\x1b[2J", "\x9b31m", "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07",
    "\x1b]8;;http://evil.invalid\x1b\\", "\x07", "\x08", "\x1bP+q\x1b\\",
)  # fmt: skip
REPLY = "Here you go. " + " then ".join(HOSTILE) + "\n\n```python\nprint('x')  # " + HOSTILE[1] + "\n```\n"


def assert_inert(out: str) -> None:
    for seq in HOSTILE:
        assert seq not in out, repr(seq)
    # What is left of an escape is only rich's own styling (CSI ... m) or cursor control.
    for part in out.split("\x1b")[1:]:
        assert part.startswith("["), repr(part[:20])
    assert "\x9b" not in out and "\x07" not in out and "\x08" not in out


def test_safe_terminal_text_makes_controls_visible() -> None:
    shown = safe_terminal_text("a\x1b[31mb\tc\r\nd\re\x00\x7f\x9b\udcff")
    assert shown == "a\u241b[31mb\tc\nd\u240de\u2400\u2421<U+009B>\ufffd"


def test_plain_stream_writes_no_control_character() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = HumanRenderer(Console(file=out), Console(file=err), live=True)  # not a terminal: raw text
    for i in range(0, len(REPLY), 5):
        renderer({"type": "delta", "text": REPLY[i : i + 5]})
    renderer.end_reply()
    assert "\x1b" not in out.getvalue()
    assert "\u241b]0;pwned" in out.getvalue()  # visible, as text


def test_live_markdown_on_a_terminal_obeys_none_of_the_reply() -> None:
    out, err = io.StringIO(), io.StringIO()
    term = Console(file=out, force_terminal=True, width=80, height=24, color_system="truecolor")
    renderer = HumanRenderer(term, Console(file=err, force_terminal=True), live=True, clock=lambda: 0.0)
    for i in range(0, len(REPLY), 7):
        renderer({"type": "delta", "text": REPLY[i : i + 7]})
    renderer.end_reply()
    assert_inert(out.getvalue())
    assert "pwned" in out.getvalue()


def test_event_lines_escape_markup_and_controls() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = HumanRenderer(Console(file=out), Console(file=err, force_terminal=True, highlight=False), live=False)
    renderer({"type": "edit.failed", "path": "[bold]x\x1b]0;t\x07.py", "reason": "bad [/] \x1b[2J"})
    renderer({"type": "commit", "sha": "a" * 40, "message": "feat: \x1b]0;t\x07 [link=http://e]x[/link]"})
    text = err.getvalue()
    assert_inert(text)
    assert "[bold]x" in text and "[link=http://e]" in text


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "notes.py").write_text("def f():\n    return 1  # \x1b]0;pwned\x07\x1b[2J\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "notes")
    return git_repo


def cli(repo: Path, *args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "--no-color", "-C", str(repo), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, input=input, timeout=120)


def test_cli_ask_and_context_show_escapes_as_text(
    repo: Path, openai_server: OpenAIServer, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text(REPLY, chunk_size=3))
    proc = cli(repo, "--base-url", openai_server.base_url, "--api-key", "k", "--model", "gpt-4o-mini", "ask", "hi",
               env=isolated_env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "pwned" in proc.stdout
    proc = cli(repo, "--model", "gpt-4o-mini", "context", "x", "-f", str(repo / "notes.py"), env=isolated_env)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and "\u241b]0;pwned" in proc.stdout
    reply = "*** Begin Patch\n*** Update File: x\x1b]0;t\x07.py\n@@\n-a\n+b\n*** End Patch\n"
    proc = cli(repo, "apply", "-", env=isolated_env, input=reply)
    assert proc.returncode == 1 and "x\u241b]0;t" in proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
