"""Live markdown in a real terminal: the CLI in a pseudo-terminal, its output played through pyte.

pyte is a terminal emulator: it keeps the screen and the lines scrolled off the top, so the tests
read what a person would see at the end (and in their scrollback), not the escape codes on the way.
"""

from __future__ import annotations

import io
import itertools
import os
import pty
import re
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyte
import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from rich.console import Console
from rich.markdown import Markdown

from codeassist.interfaces.live import HumanRenderer, LiveMarkdown

TIMEOUT = 30  # generous: the machine running the tests may be loaded
ROWS, COLS = 30, 100
APP = 'def greet():\n    return "hello"\n'
SGR = re.compile(rb"\x1b\[([0-9;]*)m")
COLOUR_PARAMS = {"38", "48", *map(str, range(30, 38)), *map(str, range(40, 48)), *map(str, range(90, 98))}
COLOUR_PARAMS |= set(map(str, range(100, 108)))


def reply(items: int) -> str:
    """A model answer with a heading, bold text, a bullet list of ``items`` lines and a code block."""
    steps = "".join(f"- step {i}: keep the tests green\n" for i in range(1, items + 1))
    return (
        "# Plan for the change\n\n"
        "The greeting is **important** to get right.\n\n"
        f"{steps}\n"
        '```python\ndef greet():\n    return "hello, world"\n```\n\n'
        "That is all.\n"
    )


SHORT = reply(3)
TALL = reply(60)  # about 70 rendered lines: more than twice the window's height


def rendered(markdown: str, width: int = COLS) -> list[str]:
    """The lines rich renders ``markdown`` to at ``width`` columns, without trailing blanks."""
    console = Console(file=io.StringIO(), width=width, height=ROWS, force_terminal=True, color_system=None)
    lines = ["".join(seg.text for seg in line).rstrip() for line in console.render_lines(Markdown(markdown))]
    while lines and not lines[-1]:
        lines.pop()
    return lines


class Terminal:
    """A child process in a pseudo-terminal of ROWS x COLS, its output fed to a terminal emulator."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.raw = bytearray()
        self.screen = pyte.HistoryScreen(COLS, ROWS, history=10_000)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(cwd), dimensions=(ROWS, COLS), timeout=TIMEOUT)
        # The emulator answers the program's queries (prompt_toolkit asks where the cursor is).
        self.screen.write_process_input = self.child.send  # type: ignore[method-assign]

    def _pump(self, timeout: float) -> bool:
        """Feed what the child wrote within ``timeout`` seconds; False once it closed the terminal."""
        try:
            data = self.child.read_nonblocking(1 << 16, timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def rows(self) -> list[list[pyte.screens.Char]]:
        """Every row, scrollback first, as the emulator's cells."""
        history = [[line[x] for x in range(COLS)] for line in self.screen.history.top]
        return history + [[self.screen.buffer[y][x] for x in range(COLS)] for y in range(ROWS)]

    def lines(self) -> list[str]:
        """Every row as text, scrollback first, without trailing blank rows."""
        lines = ["".join(cell.data for cell in row).rstrip() for row in self.rows()]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def wait_for(self, text: str, count: int = 1) -> None:
        """Wait until ``text`` shows on ``count`` rows (scrollback included)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if sum(text in line for line in self.lines()) >= count:
                return
            if not self._pump(0.05):
                break
        raise AssertionError(f"{text!r} x{count} never showed; the terminal reads:\n" + "\n".join(self.lines()))

    def ready(self, mode: str, count: int) -> None:
        """Wait for the chat's ``count``-th prompt and for the terminal to be in the prompt's raw mode."""
        self.wait_for(f"{mode}>", count)  # rows are read without trailing spaces
        self.child.waitnoecho(timeout=TIMEOUT)

    def finish(self) -> int:
        """Read until the child exits; its exit status."""
        while self._pump(TIMEOUT):
            pass
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -(self.child.signalstatus or 0))


def reply_lines(term: Terminal, first: str, last: str) -> list[str]:
    """The rows from the one holding ``first`` to the one holding ``last`` (both present once)."""
    lines = term.lines()
    starts = [i for i, line in enumerate(lines) if first in line]
    ends = [i for i, line in enumerate(lines) if last in line]
    assert len(starts) == 1 and len(ends) == 1, "\n".join(lines)
    return lines[starts[0] : ends[0] + 1]


def colours(raw: bytes) -> set[str]:
    """The colour parameters of every SGR sequence in ``raw``."""
    return {p for match in SGR.finditer(raw) for p in match.group(1).decode().split(";")} & COLOUR_PARAMS


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text(APP)
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


@pytest.fixture
def term_env(isolated_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {**isolated_env, "TERM": "xterm-256color", "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("NO_COLOR", None)
    env.pop("COLORTERM", None)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


def cli(openai_server: OpenAIServer, *args: str) -> list[str]:
    server = ["--base-url", openai_server.base_url, "--api-key", "test-key", "--model", "gpt-4o-mini"]
    return [sys.executable, "-m", "codeassist", *args, *server]


@pytest.fixture
def spawned() -> Iterator[list[Terminal]]:
    terms: list[Terminal] = []
    yield terms
    for term in terms:
        if term.child.isalive():
            term.child.terminate(force=True)


def run(argv: list[str], env: dict[str, str], cwd: Path, spawned: list[Terminal]) -> Terminal:
    term = Terminal(argv, env, cwd)
    spawned.append(term)
    return term


# -- one-shot commands in a terminal -----------------------------------------------------------------


def test_ask_renders_markdown_with_styles(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    openai_server.enqueue(Text(SHORT, chunk_size=8))
    term = run(cli(openai_server, "ask", "what is the plan?"), term_env, repo, spawned)
    assert term.finish() == 0
    shown = reply_lines(term, "Plan for the change", "That is all.")
    assert shown == rendered(SHORT)
    assert not any(marker in line for line in shown for marker in ("#", "**", "```", "- step"))
    assert " • step 1: keep the tests green" in shown and '     return "hello, world"' in shown
    # Styled, not just laid out: bold where the markdown says, colours in the code block.
    rows = term.rows()
    row = next(r for r in rows if "important" in "".join(c.data for c in r))
    text = "".join(c.data for c in row)
    assert all(c.bold for c in row[text.index("important") : text.index("important") + 9])
    assert not row[text.index("greeting")].bold
    code = next(r for r in rows if "def greet" in "".join(c.data for c in r))
    assert {c.fg for c in code if c.data.strip()} - {"default"} or {c.bg for c in code} - {"default"}
    assert colours(bytes(term.raw))
    # The cursor is visible again and on a line of its own after the reply.
    assert not term.screen.cursor.hidden and term.screen.cursor.x == 0


def test_a_reply_taller_than_the_window_shows_once_in_full(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    # Streamed over a second or more, so it is redrawn many times while it grows past the window.
    openai_server.enqueue(Text(TALL, chunk_size=16, delay=0.01))
    term = run(cli(openai_server, "ask", "what is the plan?"), term_env, repo, spawned)
    assert term.finish() == 0
    expected = rendered(TALL)
    assert len(expected) > 2 * ROWS
    assert reply_lines(term, "Plan for the change", "That is all.") == expected
    for i in range(1, 61):
        assert sum(line.endswith(f"step {i}: keep the tests green") for line in term.lines()) == 1
    assert term.raw.count(b"\x1b[1A") > 0, "the reply was never redrawn in place"
    assert not term.screen.cursor.hidden and term.screen.cursor.x == 0


def test_long_paragraphs_wrap_instead_of_being_cut_at_the_edge(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    paragraph = " ".join(f"word{i}" for i in range(150))
    answer = f"# Words\n\n{paragraph}\n\nThe end."  # and no newline at the end
    openai_server.enqueue(Text(answer, chunk_size=16, delay=0.005))
    term = run(cli(openai_server, "ask", "say many words"), term_env, repo, spawned)
    assert term.finish() == 0
    shown = reply_lines(term, "Words", "The end.")
    assert shown == rendered(answer)
    assert " ".join(shown).split() == ["Words", *paragraph.split(), "The", "end."]
    assert term.screen.cursor.x == 0  # what comes next starts on a line of its own


def test_edit_streams_the_reply_then_reports(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    prose = reply(40).replace("That is all.\n", "")
    sr = 'app.py\n```python\n<<<<<<< SEARCH\n    return "hello"\n=======\n    return "hi"\n>>>>>>> REPLACE\n```\n'
    answer = prose + sr
    openai_server.enqueue(Text(answer, chunk_size=16, delay=0.005), Text("feat: say hi"))
    term = run(cli(openai_server, "edit", "say hi", "-f", "app.py"), term_env, repo, spawned)
    assert term.finish() == 0
    assert (repo / "app.py").read_text() == 'def greet():\n    return "hi"\n'
    shown = reply_lines(term, "Plan for the change", ">>>>>>> REPLACE")
    assert shown == rendered(answer)[: len(shown)]
    lines = term.lines()
    after = lines[lines.index(shown[-1]) + 1 :]
    assert any(line.startswith("applied") for line in after)
    assert any(line.startswith("committed") for line in after)
    assert any(line.startswith("success: app.py") for line in after)
    assert not term.screen.cursor.hidden


def test_ctrl_c_mid_stream_leaves_a_clean_terminal(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    # About 30 s if streamed to the end; interrupted after the first lines.
    openai_server.enqueue(Text(TALL, chunk_size=4, delay=0.05))
    term = run(cli(openai_server, "ask", "what is the plan?"), term_env, repo, spawned)
    term.wait_for("important")
    term.child.send("zzz")  # typed ahead: not echoed into the reply being drawn
    term.child.sendintr()
    assert term.finish() == 130
    lines = term.lines()
    assert not any("zzz" in line or "^C" in line for line in lines)
    assert sum("Plan for the change" in line for line in lines) == 1
    assert "interrupted" in lines[-1] and "Traceback" not in "\n".join(lines)
    # The partial reply ends before the message, the cursor is shown and at the start of a line.
    assert not term.screen.cursor.hidden and term.screen.cursor.x == 0
    assert openai_server.wait_aborted(timeout=TIMEOUT)


# -- no terminal, no colour -------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [SHORT, "**no** final newline"])
def test_piped_stdout_gets_the_raw_markdown(
    answer: str, openai_server: OpenAIServer, repo: Path, term_env: dict[str, str]
) -> None:
    openai_server.enqueue(Text(answer, chunk_size=8))
    argv = cli(openai_server, "ask", "what is the plan?")
    proc = subprocess.run(argv, cwd=repo, env=term_env, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == (answer if answer.endswith("\n") else answer + "\n")
    assert b"\x1b" not in proc.stdout


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_colour_in_a_terminal_is_still_rendered(
    how: str, openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    openai_server.enqueue(Text(TALL, chunk_size=16, delay=0.005))
    env = {**term_env, "NO_COLOR": "1"} if how == "NO_COLOR" else term_env
    flags = ["--no-color"] if how == "--no-color" else []
    term = run(cli(openai_server, "ask", "what is the plan?", *flags), env, repo, spawned)
    assert term.finish() == 0
    assert reply_lines(term, "Plan for the change", "That is all.") == rendered(TALL)
    assert not colours(bytes(term.raw))
    assert all(cell.fg == "default" and cell.bg == "default" for row in term.rows() for cell in row)


# -- the interactive chat -------------------------------------------------------------------------


def test_chat_renders_replies_live(
    openai_server: OpenAIServer, repo: Path, term_env: dict[str, str], spawned: list[Terminal]
) -> None:
    slow = reply(200)  # about 20 s if streamed to the end; interrupted
    openai_server.enqueue(Text(SHORT, chunk_size=8), Text(slow, chunk_size=4, delay=0.05))
    openai_server.enqueue(Text(TALL, chunk_size=16, delay=0.005))
    term = run(cli(openai_server, "chat"), term_env, repo, spawned)
    term.ready("edit", 1)
    term.child.sendline("/ask")
    term.ready("ask", 1)
    term.child.sendline("what is the plan?")
    term.ready("ask", 2)
    shown = reply_lines(term, "Plan for the change", "That is all.")
    assert shown == rendered(SHORT)
    # Ctrl-C in the middle of a reply: the chat comes back to a clean prompt.
    term.child.sendline("and in detail?")
    term.wait_for("step 5: keep")  # the first reply has three steps
    term.child.sendintr()
    term.wait_for("interrupted")
    term.ready("ask", 3)
    assert openai_server.wait_aborted(timeout=TIMEOUT)
    assert not term.screen.cursor.hidden
    term.child.sendline("once more, in full")
    term.ready("ask", 4)
    lines = term.lines()
    last = max(i for i, line in enumerate(lines) if "Plan for the change" in line)
    end = lines.index("That is all.", last)
    assert lines[last : end + 1] == rendered(TALL)
    term.child.sendcontrol("d")
    assert term.finish() == 0


# -- the renderer without a process: every redraw, deterministically ---------------------------------


def play(markdown: str, *, chunk: int, clock_step: float, height: int = 12, width: int = 60) -> pyte.HistoryScreen:
    """Stream ``markdown`` through HumanRenderer on a terminal console; the emulator's final state."""
    buffer = io.StringIO()
    out = Console(file=buffer, width=width, height=height, force_terminal=True, color_system="256")
    err = Console(file=io.StringIO(), force_terminal=False)
    ticks = itertools.count(step=clock_step)
    renderer = HumanRenderer(out, err, live=True, clock=lambda: float(next(ticks)))
    for start in range(0, len(markdown), chunk):
        renderer({"type": "delta", "text": markdown[start : start + chunk]})
    renderer.end_reply()
    screen = pyte.HistoryScreen(width, height, history=10_000)
    screen.set_mode(pyte.modes.LNM)  # a newline also returns the carriage, as a terminal's driver makes it do
    pyte.ByteStream(screen).feed(buffer.getvalue().encode())
    return screen


def screen_lines(screen: pyte.HistoryScreen) -> list[str]:
    rows = [*screen.history.top, *(screen.buffer[y] for y in range(screen.lines))]
    lines = ["".join(row[x].data for x in range(screen.columns)).rstrip() for row in rows]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("height", [3, 12, 40])
def test_every_redraw_ends_in_one_full_copy(height: int) -> None:
    markdown = reply(25)
    # The clock moves on a second per reading: every delta redraws.
    screen = play(markdown, chunk=9, clock_step=1.0, height=height)
    assert screen_lines(screen) == rendered(markdown, width=60)
    assert not screen.cursor.hidden and screen.cursor.x == 0


def test_redraws_are_spaced_out_and_the_end_is_always_shown() -> None:
    markdown = reply(25)
    # A clock that never moves: only the first delta draws; the end of the reply shows it all.
    screen = play(markdown, chunk=9, clock_step=0.0)
    assert screen_lines(screen) == rendered(markdown, width=60)


def test_raw_text_gets_a_final_newline_when_not_a_terminal() -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, force_terminal=False)
    renderer = HumanRenderer(out, Console(file=io.StringIO()), live=True)
    for piece in ("# Title\n\nno ", "newline"):
        renderer({"type": "delta", "text": piece})
    renderer.end_reply()
    assert buffer.getvalue() == "# Title\n\nno newline\n"


def test_keys_are_not_echoed_while_the_reply_is_drawn() -> None:
    other_end, keys = pty.openpty()  # the program reads keys from the terminal end
    try:
        before = termios.tcgetattr(keys)
        assert before[3] & termios.ECHO
        out = Console(file=io.StringIO(), width=60, height=12, force_terminal=True)
        view = LiveMarkdown(out, keys_fd=keys)
        view.update("# Title")
        during = termios.tcgetattr(keys)
        assert not during[3] & termios.ECHO and during[3] & termios.ISIG  # Ctrl-C still interrupts
        view.close("# Title\n\ndone")
        assert termios.tcgetattr(keys) == before
    finally:
        os.close(keys)
        os.close(other_end)
