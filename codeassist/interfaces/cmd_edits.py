"""Commands: ``apply`` (a model-style reply from a file or stdin) and ``undo``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from codeassist.edits.formats import APPLY_FORMATS
from codeassist.interfaces.json_result import JsonOnBadUsage, exit_interrupted, exit_with_error

if TYPE_CHECKING:
    from codeassist.edits.engine import EngineResult
    from codeassist.interfaces.options import GlobalOptions

FORMAT_CHOICES = APPLY_FORMATS
# Read at most this much; a bigger file is reported as too large, not loaded whole.
READ_LIMIT = 64 * 1024 * 1024


def read_reply(source: str) -> str:
    """The reply text from a file or ``-`` (stdin); UsageError when missing, unreadable or not text."""
    from codeassist.errors import UsageError

    name = "standard input" if source == "-" else source
    if source == "-" and sys.stdin.isatty():
        raise UsageError("no reply given: pass a reply file, or pipe one in (`codeassist apply - < reply.md`)")
    try:
        if source == "-":
            data = sys.stdin.buffer.read(READ_LIMIT + 1)
        else:
            with Path(source).open("rb") as fh:
                data = fh.read(READ_LIMIT + 1)
    except FileNotFoundError:
        raise UsageError(f"reply file not found: {source}") from None
    except IsADirectoryError:
        raise UsageError(f"reply file is a directory: {source}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > READ_LIMIT:
        raise UsageError(f"{name} is too large to be a reply (over {READ_LIMIT // (1024 * 1024)} MB)")
    if b"\0" in data:
        raise UsageError(f"{name} contains NUL bytes; a reply must be text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def apply(
    ctx: typer.Context,
    reply_file: Annotated[str, typer.Argument(help="File holding the reply, or - for standard input.")] = "-",
    fmt: Annotated[str, typer.Option("--format", help="auto, search-replace, udiff, whole or patch.")] = "auto",
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Apply but do not commit.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff that would apply; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    message: Annotated[Optional[str], typer.Option("-m", "--message", help="Commit message.")] = None,
) -> None:
    """Apply a model-style reply (edits in any supported format) without calling a model."""
    from codeassist.errors import CodeassistError, UsageError
    from codeassist.session import Session
    from codeassist.transaction import apply_reply

    opts: GlobalOptions = ctx.obj
    try:
        if fmt not in FORMAT_CHOICES:
            raise UsageError(f"unknown format {fmt!r}", hint="use one of: " + ", ".join(FORMAT_CHOICES))
        reply = read_reply(reply_file)
        session = Session.open(opts.open_options(need_model=False, ask_server=False))
        try:
            settings = session.settings
            commit = bool(settings.auto_commit) and not no_commit
            assert session.workspace is not None  # require_repo
            result = apply_reply(
                session.workspace, reply, fmt=fmt, dry_run=dry_run, commit=commit, message=message,
                model=settings.model, settings=settings,
            )  # fmt: skip
        finally:
            session.close()
    except CodeassistError as exc:
        if not as_json:
            raise
        # Nothing was written: the engine raises only before it writes (after, a git refusal is commit_error).
        exit_with_error(opts, "apply", exc, dry_run=dry_run)
    except KeyboardInterrupt as exc:
        if not as_json:
            raise
        exit_interrupted("apply", exc, dry_run=dry_run)
    _report(opts, result, as_json=as_json, dry_run=dry_run)
    if result.commit_error:
        raise typer.Exit(5)
    if not result.ok:
        raise typer.Exit(1)


def _report(opts: GlobalOptions, result: EngineResult, *, as_json: bool, dry_run: bool) -> None:
    from codeassist.interfaces.render import console, print_json
    from codeassist.interfaces.render import shown as escape  # markup-escaped and terminal-safe

    err = console(opts, stderr=True)
    if dry_run and result.diff:
        from codeassist.interfaces.render import diff_view

        out = console(opts, stderr=as_json)
        out.print(diff_view(result.diff))
    for a in result.applied:
        err.print(f"[green]applied[/] {escape(a.path)} [dim]({a.action}, {a.strategy})[/]")
    for path in result.already_applied:
        err.print(f"[yellow]already applied[/] {escape(path)}")
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning.message)}")
    feedback = result.feedback()
    if feedback:
        err.print(f"[bold red]not applied:[/] {escape(feedback)}")
    if result.user_commit:
        where = "commit" if result.commit or result.commit_error else "git stash entry"
        err.print(f"saved your uncommitted changes first ({where} {result.user_commit[:10]})")
    if result.commit:
        err.print(f"committed {result.commit[:10]}")
    if result.commit_error:
        err.print(f"[bold red]commit failed[/] (edits applied, not committed): {escape(result.commit_error)}")
    if dry_run and result.ok:
        err.print("[dim]dry run: nothing was written[/]")
    if as_json:
        errors = [f"commit failed (edits applied, not committed): {result.commit_error}"] if result.commit_error else []
        print_json({**result.to_json(), "dry_run": dry_run, "diff": result.diff, "errors": errors})


def undo(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Revert the last commit codeassist made, restoring the files and index as they were."""
    from codeassist.errors import CodeassistError
    from codeassist.interfaces.render import console, print_json
    from codeassist.interfaces.render import shown as escape  # markup-escaped and terminal-safe
    from codeassist.session import Session

    opts: GlobalOptions = ctx.obj
    try:
        session = Session.open(opts.open_options(need_model=False, ask_server=False))
        try:
            result = session.undo()
        finally:
            session.close()
    except CodeassistError as exc:
        if not as_json:
            raise
        exit_with_error(opts, "undo", exc)
    err = console(opts, stderr=True)
    err.print(f"undid {result.reverted[0][:10]} {escape(result.subject)}")
    if len(result.reverted) > 1:
        err.print(f"and the save of your uncommitted changes ({result.reverted[1][:10]}); they are uncommitted again")
    err.print("restored: " + escape(", ".join(result.paths)))
    if as_json:
        out = {"reverted": list(result.reverted), "subject": result.subject, "head": result.head}
        print_json({**out, "paths": list(result.paths), "errors": []})


def register(app: typer.Typer) -> None:
    app.command("apply", cls=JsonOnBadUsage)(apply)
    app.command("undo", cls=JsonOnBadUsage)(undo)
