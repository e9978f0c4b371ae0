"""The one JSON object a machine-readable command prints when it stops before doing anything.

Under ``--json`` every exit of ``apply``, ``undo``, ``ask`` and ``edit``
prints exactly one object of the command's own shape, and under
``--stream-json`` (``ask``, ``edit``) the last line is the ``result`` event:
also when the command line itself is wrong, which the parser finds before
the command runs, and when the user interrupts it (``apply``). The message
still goes to stderr and the exit code is the documented one (2 for usage,
130 for an interrupt); the object carries it in ``errors``, with everything
else empty when nothing was done.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from typer.core import TyperCommand

if TYPE_CHECKING:
    from codeassist.errors import CodeassistError
    from codeassist.interfaces.options import GlobalOptions

MACHINE_COMMANDS = ("apply", "undo", "ask", "edit")
STREAMING_COMMANDS = ("ask", "edit")
Mode = Literal["json", "stream-json"]


def machine_mode(command: str | None, args: Sequence[str]) -> Mode | None:
    """How ``command``'s arguments ask for machine output (flags after ``--`` are arguments)."""
    if command not in MACHINE_COMMANDS:
        return None
    head = list(args[: list(args).index("--")] if "--" in args else args)
    if "--json" in head:
        return "json"
    if "--stream-json" in head and command in STREAMING_COMMANDS:
        return "stream-json"
    return None


def nothing_done(command: str | None, dry_run: bool = False) -> dict[str, Any]:
    """The command's JSON object when it stopped before doing anything (``errors`` is added)."""
    if command == "undo":
        return {"reverted": [], "subject": "", "head": None, "paths": []}
    if command in ("ask", "edit"):
        from codeassist.session import RunResult

        data = RunResult("error", "").to_json()
        del data["errors"]
        return data
    from codeassist.edits.engine import EngineResult

    return {**EngineResult().to_json(), "dry_run": dry_run, "diff": ""}


def print_stopped(command: str | None, mode: Mode, errors: list[str], dry_run: bool = False) -> None:
    """Print the command's object for a stop before anything was done: the object, or the ``result`` event."""
    from codeassist.interfaces.render import print_event, print_json

    payload = {**nothing_done(command, dry_run), "errors": errors}
    if mode == "stream-json":
        print_event({"type": "result", **payload})
    else:
        print_json(payload)


class JsonOnBadUsage(TyperCommand):
    """A command whose ``--json`` (or ``--stream-json``) also covers the arguments typer rejects."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        mode = machine_mode(self.name, args)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:  # a usage error: typer's own class, or click's with older typer releases
            message = getattr(exc, "format_message", None)
            if mode is not None and getattr(exc, "exit_code", None) == 2 and callable(message):
                print_stopped(self.name, mode, [message()])
            raise


def exit_with_error(
    opts: GlobalOptions, command: str, exc: CodeassistError, mode: Mode = "json", dry_run: bool = False
) -> NoReturn:
    """The error on stderr, then the command's object with nothing done and ``errors``; exits with its code."""
    import typer

    from codeassist.interfaces.render import print_error
    from codeassist.session import error_text

    print_error(exc.message, exc.hint, color=opts.color())
    print_stopped(command, mode, [error_text(exc)], dry_run)
    raise typer.Exit(exc.exit_code)


def exit_interrupted(command: str, exc: KeyboardInterrupt, mode: Mode = "json", dry_run: bool = False) -> NoReturn:
    """An interrupt (Ctrl-C, SIGINT) under ``--json``: the object with ``errors: ["interrupted"]``, exit 130.

    Before the edits were written the object is empty (the engine writes all
    or nothing and puts back what it wrote when interrupted mid-way); after,
    it is what was done: written, not committed.
    """
    import sys

    import typer

    from codeassist.edits.engine import ApplyInterrupted
    from codeassist.interfaces.render import print_json

    sys.stderr.write("\ninterrupted\n")
    if isinstance(exc, ApplyInterrupted):
        done = exc.result
        print_json({**done.to_json(), "dry_run": dry_run, "diff": done.diff, "errors": ["interrupted"]})
    else:
        print_stopped(command, mode, ["interrupted"], dry_run)
    raise typer.Exit(130)
