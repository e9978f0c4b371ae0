"""The chat's command table: one row per slash command (name, arguments, completion source, help).

``/help``, Tab completion and the dispatcher all read :data:`COMMANDS`, so a
command is described once. Command modules register their rows with
:func:`command`; :func:`dispatch` runs the row a line names. A command takes
the REPL and the text after its name and returns False to end the chat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from codeassist.errors import CodeassistError

if TYPE_CHECKING:
    from codeassist.interfaces.repl import Repl

Run = Callable[["Repl", str], bool]
# Where Tab finds a command's arguments: the repository's files (as typed), the files in the
# chat, the saved sessions, or nothing.
Source = Literal["files", "chat", "sessions", ""]


@dataclass(frozen=True)
class Command:
    name: str
    run: Run
    args: str  # as shown by /help: "PATH...", "[NAME]", ""
    help: str
    complete: Source = ""


COMMANDS: dict[str, Command] = {}
ALIASES = {"/quit": "/exit", "/q": "/exit", "/?": "/help", "/readonly": "/read-only"}


def command(name: str, args: str, help_text: str, *, complete: Source = "") -> Callable[[Run], Run]:
    """Register the decorated function as command ``name``."""

    def register(fn: Run) -> Run:
        COMMANDS[name] = Command(name, fn, args, help_text, complete)
        return fn

    return register


def lookup(name: str) -> Command | None:
    return COMMANDS.get(ALIASES.get(name.lower(), name.lower()))


def near_names(name: str) -> list[str]:
    """Commands the user may have meant by ``name`` (close spellings; never a mere shared prefix)."""
    import difflib

    return difflib.get_close_matches(name.lower(), sorted(COMMANDS), n=2, cutoff=0.75)


def dispatch(repl: Repl, line: str) -> bool:
    """Run the slash command on ``line``; True to keep chatting. Errors become messages."""
    name, _, rest = line.partition(" ")
    entry = lookup(name)
    if entry is None:
        near = near_names(name)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        repl.problem(f"unknown command {name.lower()}", hint=f"{hint}/help lists the commands")
        return True
    try:
        return entry.run(repl, rest.strip())
    except CodeassistError as exc:
        repl.problem(exc.message, exc.hint)
        return True
