"""Commands: chat (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass


def run_repl(opts: object) -> None:
    from codeassist.errors import UsageError

    raise UsageError("the interactive REPL is not available in this version yet; use `codeassist ask` or `codeassist edit`")
