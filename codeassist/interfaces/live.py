"""Rendering of session events: live markdown for people, JSON lines for programs."""

from __future__ import annotations

import atexit
import contextlib
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from codeassist.interfaces.progress import Waiting

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.segment import Segment


class HumanRenderer:
    """Streams the reply to ``out`` (live markdown on a terminal, raw text otherwise); status lines to ``err``."""

    def __init__(self, out: Console, err: Console, *, live: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.err = err
        self.use_live = live and out.is_terminal
        self._clock = clock
        self._text = ""
        self._view: LiveMarkdown | None = None
        self._model = "the model"
        # From sending a request until its first token: a spinner with the elapsed time (a terminal only).
        self.waiting = Waiting(err, clock=clock) if live else None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "delta":
            self._stop_waiting()
            self._delta(event["text"])
            return
        self.end_reply()
        if kind == "start":
            self._model = str(event.get("model") or self._model)
        elif kind == "context":
            self.err.print(
                f"[dim]context: {event['total_tokens']:,} tokens; files: "
                f"{_shown(', '.join(event['files']) or '(none)')}; read-only: "
                f"{_shown(', '.join(event['read_only']) or '(none)')}[/]"
            )
            if self.waiting is not None:  # the request goes out right after its context is built
                self.waiting.start(f"waiting for {self._model}")
        elif kind == "edit.applied":
            what = f"{_shown(event['action'])} {_shown(event['path'])}"
            self.err.print(f"[green]applied[/] {what} [dim]({_shown(event['strategy'])})[/]")
        elif kind == "edit.failed":
            where = event.get("path") or "reply"
            self.err.print(f"[yellow]not applied[/] {_shown(where)}: {_shown(event['reason'])}")
        elif kind == "edit.warning":
            self.err.print(f"[yellow]warning:[/] {_shown(event['message'])}", highlight=False)
        elif kind == "check":
            mark = "[green]passed[/]" if event["ok"] else "[red]failed[/]"
            self.err.print(f"check {_shown(event['name'])}: {mark}")
        elif kind == "tool.call":
            line = tool_call_line(event["name"], event["arguments"])
            self.err.print(f"[cyan]tool[/] {line}", markup=True, highlight=False)
        elif kind == "tool.result":
            mark = "[green]ok[/]" if event["ok"] else "[yellow]error[/]"
            self.err.print(f"  {mark} [dim]{_shown(event['summary'])}[/]", markup=True, highlight=False)
        elif kind == "history.compacted":
            self.err.print(f"[dim]shortened {event['results']} old tool result(s) to fit the window[/]")
        elif kind == "notice":
            self.err.print("note: " + event["message"], style="yellow", markup=False, highlight=False)
        elif kind == "commit":
            subject = (event["message"].splitlines() or [""])[0]
            self.err.print(f"[bold]committed[/] {event['sha'][:10]} {_shown(subject)}", markup=True, highlight=False)

    def _delta(self, text: str) -> None:
        from codeassist.interfaces.render import safe_terminal_text

        # Shown, never obeyed: an escape sequence in a reply must not drive the terminal.
        text = safe_terminal_text(text)
        self._text += text
        if not self.use_live:
            self.out.file.write(text)
            self.out.file.flush()
            return
        if self._view is None:
            self._view = LiveMarkdown(self.out, clock=self._clock)
        self._view.update(self._text)

    def _stop_waiting(self) -> None:
        if self.waiting is not None:
            self.waiting.stop()

    def end_reply(self) -> None:
        self._stop_waiting()
        if self._view is not None:
            view, self._view = self._view, None
            view.close(self._text)
        elif self._text and not self.use_live and not self._text.endswith("\n"):
            self.out.file.write("\n")
            self.out.file.flush()
        self._text = ""


class LiveMarkdown:
    """Markdown redrawn in place as it grows, ending as exactly one copy of the whole render.

    rich's Live redraws by moving the cursor up over its last render, which it cannot do past the
    top of the terminal: a render taller than the window gets repeated (or, cropped, lost). Here
    the lines that leave the bottom screenful are written once, for good, above the live region,
    so the part that is redrawn always fits. Markdown is rendered with wrapping on (the console
    may soft-wrap, which would crop long paragraphs at the terminal's width).
    """

    MIN_INTERVAL = 0.1  # seconds between redraws: a reply arrives a few characters at a time

    def __init__(
        self, console: Console, *, clock: Callable[[], float] = time.monotonic, keys_fd: int | None = None
    ) -> None:
        """``keys_fd`` is the terminal the user types on (standard input by default)."""
        from rich.live import Live

        self.console = console
        self._clock = clock
        self._written = 0  # lines of the render already written above the live region
        self._next_draw = 0.0
        self._live = Live(console=console, auto_refresh=False, vertical_overflow="visible")
        # A key echoed while the reply streams (typed ahead, or the ^C that stops it) moves the
        # cursor under rich's feet, and the next redraw leaves a stale copy of a line behind.
        self._restore_echo = _silence_echo(keys_fd)
        atexit.register(self._finish)  # a crash still gets its cursor and echo back
        self._live.start()

    def update(self, text: str) -> None:
        """Show ``text``, unless the last redraw was too recent (``close`` shows the final text)."""
        start = self._clock()
        if start < self._next_draw:
            return
        self._draw(text)
        # Rendering is quadratic over a long reply: let slow renders space themselves out.
        self._next_draw = start + max(self.MIN_INTERVAL, 4 * (self._clock() - start))

    def close(self, text: str) -> None:
        """Show the final ``text``; leave the cursor visible on the line below it and the terminal as it was."""
        try:
            self._draw(text)
        finally:
            self._finish()
            atexit.unregister(self._finish)

    def _finish(self) -> None:
        try:
            self._live.stop()
        finally:
            self._restore_echo()

    def _draw(self, text: str) -> None:
        from rich.markdown import Markdown

        lines = self.console.render_lines(Markdown(text), self.console.options, pad=False)
        window = max(1, self.console.size.height - 1)
        settled = max(self._written, len(lines) - window)
        self._live.update(_Lines(lines[settled:]))
        if settled > self._written:
            # Printing while live writes above the live region and then redraws it.
            self.console.print(_Lines(lines[self._written : settled]))
            self._written = settled
        else:
            self._live.refresh()


def _silence_echo(fd: int | None) -> Callable[[], None]:
    """Turn off the echo of keys on terminal ``fd`` (standard input if None); returns the undo."""
    try:
        import termios
    except ImportError:  # not a POSIX system
        return lambda: None
    try:
        fd = sys.stdin.fileno() if fd is None else fd
        saved = termios.tcgetattr(fd)
    except (AttributeError, OSError, ValueError, termios.error):  # no standard input, or not a terminal
        return lambda: None
    quiet = list(saved)
    quiet[3] &= ~(termios.ECHO | getattr(termios, "ECHOCTL", 0))  # keys still arrive; Ctrl-C still interrupts
    termios.tcsetattr(fd, termios.TCSANOW, quiet)

    def restore() -> None:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    return restore


class _Lines:
    """Already rendered lines, as a renderable."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for line in self.lines:
            yield from line
            yield Segment.line()


def tool_call_line(name: str, arguments: str, width: int = 120) -> str:
    """``name(arg=value, ...)`` on one line, escaped for rich markup, cut at ``width`` characters."""
    import json

    try:
        args = json.loads(arguments or "{}")
        shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in args.items()) if isinstance(args, dict) else arguments
    except ValueError:
        shown = arguments
    text = f"{name}({shown.replace(chr(10), ' ')})"
    return escape(text if len(text) <= width else text[: width - 3] + "...")


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _shown(value: object) -> str:
    from codeassist.interfaces.render import shown

    return shown(value)


def json_line_sink(event: dict[str, Any]) -> None:
    from codeassist.interfaces.render import print_event

    print_event(event)


def summary_line(result: dict[str, Any]) -> str:
    usage = result["usage"]
    cost = usage.get("cost_usd")
    cost_text = f", ${cost:.4f}" if cost is not None else ""
    tokens = f"{usage['input_tokens']:,} in ({usage['cached_input_tokens']:,} cached), {usage['output_tokens']:,} out"
    changed = ", ".join(result["files_changed"]) or "no files changed"
    commit = f", commit {result['commit'][:10]}" if result.get("commit") else ""
    return f"{result['status']}: {changed}{commit}; {result['rounds']} round(s); {tokens}{cost_text}"
