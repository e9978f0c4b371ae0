"""Command: context -- print the messages a request would send, without calling the model."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from codeassist.context import BuiltContext
    from codeassist.interfaces.options import GlobalOptions


def read_request(text: str) -> str:
    """The request text; ``-`` reads it from stdin."""
    from codeassist.errors import UsageError

    if text == "-":
        text = sys.stdin.read()
    # Bytes that are not UTF-8 (kept as surrogates by Python) become U+FFFD, as `edit` reads them.
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if not text.strip():
        raise UsageError("the request is empty")
    return text


def _utf8_names(names: list[str]) -> list[str]:
    from codeassist.errors import UsageError

    for name in names:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise UsageError(f"file name is not valid UTF-8: {shown!r}; a model cannot be shown such a file") from None
    return names


def _print_human(opts: GlobalOptions, built: BuiltContext) -> None:
    from rich.table import Table

    from codeassist.interfaces.render import console, safe_terminal_text

    out = sys.stdout
    for i, m in enumerate(built.messages, 1):
        out.write(f"----- message {i}: {m.role} -----\n")
        content = safe_terminal_text(m.content)  # file contents: shown, never obeyed by the terminal
        out.write(content if content.endswith("\n") else content + "\n")
    out.flush()
    table = Table(title=None, box=None, pad_edge=False)
    table.add_column("part")
    table.add_column("tokens", justify="right")
    table.add_column("detail")
    for p in built.parts:
        table.add_row(p.name, str(p.tokens), p.detail)
    table.add_row("total", str(built.total_tokens), f"budget {built.budget}")
    err = console(opts, stderr=True)
    err.print(table)
    for note in built.dropped:
        err.print(f"left out to fit: {note}")
    for path in built.instructions_refused:
        err.print(f"refused instruction file (outside the repository, or a secret store): {path}")


def register(app: typer.Typer) -> None:
    @app.command("context")
    def context(
        ctx: typer.Context,
        request: Annotated[str, typer.Argument(help="The request, or - to read it from stdin.")],
        file: Annotated[
            Optional[list[str]], typer.Option("-f", "--file", help="A file to put in the chat (editable).")
        ] = None,
        read_only: Annotated[
            Optional[list[str]], typer.Option("--read-only", help="A file to show for reference only.")
        ] = None,
        tokens: Annotated[Optional[int], typer.Option("--tokens", min=0, help="Token budget for the repo map.")] = None,
        edit_format: Annotated[
            Optional[str], typer.Option("--edit-format", help="search-replace, udiff, whole, patch or tool.")
        ] = None,
        ask: Annotated[bool, typer.Option("--ask", help="Build the context of `ask` (no edits).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    ) -> None:
        """Print exactly what would be sent to the model for REQUEST, with token counts; no model call."""
        from codeassist.interfaces.render import print_json
        from codeassist.session import Session

        opts: GlobalOptions = ctx.obj
        text = read_request(request)
        session = Session.open(opts.open_options(require_repo=False, need_model=False))
        from codeassist.interfaces.render import console

        opts.notice_trust(session.settings)
        for note in session.notes:
            console(opts, stderr=True).print(f"codeassist: {note}", markup=False)
        try:
            built = session.context(
                text,
                mode="ask" if ask else "edit",
                files=[session.typed(f) for f in _utf8_names(file or [])],
                read_only=[session.typed(f) for f in _utf8_names(read_only or [])],
                edit_format=edit_format,
                map_tokens=tokens,
            )
        finally:
            session.close()
        if as_json:
            obj: dict[str, Any] = built.to_json()
            obj["dropped"] = list(built.dropped)
            print_json(obj)
        else:
            _print_human(opts, built)
