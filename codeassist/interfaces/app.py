"""The typer application: the root callback with the global options, and every command registered.

Every command lives in a ``cmd_*`` module that registers itself here; those
modules import only typer at top level so start-up stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from codeassist import __version__
from codeassist.interfaces.options import GlobalOptions

app = typer.Typer(
    name="codeassist",
    help="A terminal AI coding assistant for any OpenAI-compatible model.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"codeassist {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    repo: Annotated[Optional[Path], typer.Option("-C", "--repo", help="Run as if started in PATH.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model name or preset/name.")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint URL.")] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", help="API key (default: OPENAI_API_KEY).")] = None,
    config: Annotated[
        Optional[Path], typer.Option("--config", help="Use this config file instead of the user's.")
    ] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR).")] = False,
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True, help="More detail on stderr.")] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = GlobalOptions(
        repo=repo,
        model=model,
        base_url=base_url,
        api_key=api_key,
        config=config,
        no_color=no_color,
        verbose=verbose,
    )
    if ctx.invoked_subcommand is None:
        from codeassist.interfaces import cmd_chat

        cmd_chat.run_repl(ctx.obj)


def _register() -> None:
    from codeassist.interfaces import (
        cmd_chat,
        cmd_config,
        cmd_context,
        cmd_edits,
        cmd_index,
        cmd_later,
        cmd_models,
        cmd_trust,
    )

    for module in (cmd_chat, cmd_context, cmd_edits, cmd_index, cmd_later, cmd_models, cmd_config, cmd_trust):
        module.register(app)


_register()
