"""Rendering of session events: live markdown for people, JSON lines for programs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live


class HumanRenderer:
    """Streams the reply to ``out`` (live markdown on a terminal, raw text otherwise); status lines to ``err``."""

    def __init__(self, out: Console, err: Console, *, live: bool) -> None:
        self.out = out
        self.err = err
        self.use_live = live and out.is_terminal
        self._text = ""
        self._live: Live | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "delta":
            self._delta(event["text"])
            return
        self.end_reply()
        if kind == "context":
            self.err.print(
                f"[dim]context: {event['total_tokens']:,} tokens; files: "
                f"{', '.join(event['files']) or '(none)'}; read-only: "
                f"{', '.join(event['read_only']) or '(none)'}[/]"
            )
        elif kind == "edit.applied":
            self.err.print(f"[green]applied[/] {event['action']} {event['path']} [dim]({event['strategy']})[/]")
        elif kind == "edit.failed":
            where = event.get("path") or "reply"
            self.err.print(f"[yellow]not applied[/] {where}: {event['reason']}")
        elif kind == "check":
            mark = "[green]passed[/]" if event["ok"] else "[red]failed[/]"
            self.err.print(f"check {event['name']}: {mark}")
        elif kind == "commit":
            subject = event["message"].splitlines()[0]
            self.err.print(f"[bold]committed[/] {event['sha'][:10]} {subject}", markup=True, highlight=False)

    def _delta(self, text: str) -> None:
        self._text += text
        if not self.use_live:
            self.out.file.write(text)
            self.out.file.flush()
            return
        from rich.markdown import Markdown

        if self._live is None:
            from rich.live import Live

            self._live = Live(console=self.out, refresh_per_second=8, vertical_overflow="visible")
            self._live.start()
        self._live.update(Markdown(self._text))

    def end_reply(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        elif self._text and not self.use_live and not self._text.endswith("\n"):
            self.out.file.write("\n")
            self.out.file.flush()
        self._text = ""


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

