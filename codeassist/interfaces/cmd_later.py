"""Commands of the contract that later work fills in; they say so plainly."""

from __future__ import annotations

from collections.abc import Callable

import typer

from codeassist.errors import UsageError

_PLANNED = {
    "review": "Findings on a diff (--staged or REV_RANGE).",
    "commit": "Write a commit message for the staged change and commit.",
    "hook": "Manage the git hooks: install | uninstall | run.",
}


def _planned(name: str, help_text: str) -> Callable[..., None]:
    def command(args: list[str] = typer.Argument(None, hidden=True)) -> None:
        raise UsageError(f"`codeassist {name}` is not available in this version yet")

    command.__doc__ = f"{help_text} (not available yet)"
    command.__name__ = name
    return command


def register(app: typer.Typer) -> None:
    for name, help_text in _PLANNED.items():
        app.command(
            name,
            help=f"{help_text} (not available yet)",
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        )(_planned(name, help_text))
