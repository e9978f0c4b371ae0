"""Questions asked on the terminal before codeassist acts: a command the model wants to run."""

from __future__ import annotations

from typing import Any


def confirm_command_on_tty(err: Any) -> Any:
    """The question a command asks before it runs, on the terminal (None without one: commands are refused)."""
    import sys

    if not sys.stdin.isatty():
        return None

    def confirm(command: str, why: str) -> bool:
        from rich.markup import escape
        from rich.prompt import Confirm

        note = f" ({escape(why)})" if why else ""
        question = f"The model wants to run [bold]{escape(command)}[/]{note}. Run it?"
        return Confirm.ask(question, console=err, default=False)

    return confirm
