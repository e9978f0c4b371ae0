"""Terminal output: rich consoles, JSON on stdout, errors on stderr.

When a command prints JSON on stdout, human text goes to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.interfaces.options import GlobalOptions

JSON_SCHEMA_VERSION = 1


def console(opts: GlobalOptions, *, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color=not opts.color(),
        highlight=False,
        soft_wrap=True,
    )


def print_json(obj: dict[str, Any]) -> None:
    """One JSON object on stdout, with the schema version first."""
    out = {"version": JSON_SCHEMA_VERSION, **obj}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_event(obj: dict[str, Any]) -> None:
    """One JSON event per line (for --stream-json)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_error(message: str, hint: str | None = None, *, color: bool = True) -> None:
    from rich.console import Console
    from rich.markup import escape

    err = Console(stderr=True, no_color=not color, highlight=False, soft_wrap=True)
    err.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        err.print(f"[dim]hint:[/] {escape(hint)}")
