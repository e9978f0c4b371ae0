"""Commands: ``index`` (build or refresh the index) and ``map`` (print the ranked repo map)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.index.indexer import IndexStats
    from codeassist.interfaces.options import GlobalOptions


def _root(opts: GlobalOptions) -> Path:
    """The git work tree root, or the start directory outside git (a plain walk)."""
    return opts.repo_root() or opts.start_dir()


def _stats_table(err: Console, stats: IndexStats) -> None:
    from rich.table import Table

    table = Table("", "", box=None, pad_edge=False, show_header=False)
    table.add_row("files indexed", f"{stats.files:,}")
    for lang, n in stats.languages.items():
        table.add_row(f"  {lang}", f"{n:,}")
    table.add_row("definitions", f"{stats.defs:,}")
    table.add_row("references", f"{stats.refs:,}")
    table.add_row("files skipped", f"{sum(stats.skipped.values()):,}")
    for reason, n in stats.skipped.items():
        table.add_row(f"  {reason}", f"{n:,}")
    if stats.not_utf8:
        table.add_row("not UTF-8 (parsed)", f"{stats.not_utf8:,}")
    table.add_row("parsed now / reused", f"{stats.parsed:,} / {stats.reused:,}")
    table.add_row("cache", f"{stats.cache_path or '(in memory)'}, {stats.cache_bytes / 1e6:.1f} MB")
    table.add_row("time", ", ".join(f"{k} {v:.2f}s" for k, v in stats.timings.items()))
    err.print(table)


def index(
    ctx: typer.Context,
    stats: Annotated[
        bool, typer.Option("--stats", help="Print files per language, tags, skips, cache size, timings.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: one per core).")
    ] = None,
) -> None:
    """Build or refresh the index of the repository (only changed files are parsed)."""
    from codeassist.index.indexer import refresh_index
    from codeassist.interfaces.progress import LazyProgress
    from codeassist.interfaces.render import console, print_json

    opts: GlobalOptions = ctx.obj
    root = _root(opts)
    err = console(opts, stderr=True)
    bar = LazyProgress(err)
    try:
        result = refresh_index(root, progress=bar, jobs=jobs)
    finally:
        bar.close()
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    if as_json:
        print_json(result.to_dict())
    if stats:
        _stats_table(err if as_json else console(opts), result)
    elif not as_json:
        err.print(
            f"indexed {result.files:,} files ({result.parsed:,} parsed, {result.reused:,} reused) "
            f"in {result.timings['total']:.2f}s",
            markup=False,
        )


def repo_map(
    ctx: typer.Context,
    tokens: Annotated[Optional[int], typer.Option("--tokens", min=0, help="Token budget (default: map_tokens)")] = None,
    query: Annotated[str, typer.Option("--query", "-q", help="The request the map is for.")] = "",
    files: Annotated[Optional[list[str]], typer.Option("-f", "--file", help="A file in the chat (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Print the ranked repo map for a request (refreshing the index first)."""
    from codeassist.interfaces.render import console, print_json
    from codeassist.repomap import build_repo_map
    from codeassist.session import Session

    opts: GlobalOptions = ctx.obj
    session = Session.open(opts.open_options(require_repo=False, need_model=False, ask_server=False))
    try:
        settings = session.settings
        budget = settings.map_tokens if tokens is None else tokens
        chat = [session.typed(f) for f in files or []]
        result = build_repo_map(session.root, chat_files=chat, query=query, tokens=budget, model=settings.model)
    finally:
        session.close()
    err = console(opts, stderr=True)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    if as_json:
        print_json(
            {
                "tokens": result.tokens,
                "files": [{"path": f.path, "rank": f.rank, "symbols": list(f.symbols)} for f in result.files],
                "text": result.text,
            }
        )
        return
    from codeassist.interfaces.render import safe_terminal_text

    typer.echo(safe_terminal_text(result.text), nl=False)


def register(app: typer.Typer) -> None:
    app.command("index")(index)
    app.command("map")(repo_map)
