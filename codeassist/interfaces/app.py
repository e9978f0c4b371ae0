"""The typer application: the root callback with the global options, and every command registered.

Every command lives in a ``cmd_*`` module that registers itself here; those
modules import only typer at top level so start-up stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from codeassist import __version__
from codeassist.interfaces.options import GlobalOptions

app = typer.Typer(
    name="codeassist",
    help="A terminal AI coding assistant for any OpenAI-compatible model.",
    no_args_is_help=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh and fish
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
    context_window: Annotated[
        Optional[int],
        typer.Option("--context-window", min=1, help="The model's context window in tokens (default: the server's)."),
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
        context_window=context_window,
        no_color=no_color,
        verbose=verbose,
    )
    if ctx.invoked_subcommand is None:
        from codeassist.interfaces import cmd_chat

        cmd_chat.run_repl(ctx.obj)


# What a value looks like in --help, by the parameter's type (typer would print ``<list[str]>``).
PLACEHOLDERS = {"str": "TEXT", "int": "N", "float": "NUMBER", "Path": "PATH"}


def name_placeholders(command: Any) -> None:
    """Give every option of ``command`` (and its subcommands) a placeholder like FILE, TEXT or N.

    Options about files read FILE; an argument already shows its own name (REQUEST), so its
    type is not repeated after it.
    """
    for param in command.params:
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None
        elif param.metavar is None and not param.is_flag and not param.count:
            names = " ".join(param.opts)
            kind = param.bare_type().removeprefix("list[").removesuffix("]")
            if "file" in names or "--read-only" in names or "--config" in names:
                param.metavar = "FILE"
            elif kind in PLACEHOLDERS:
                param.metavar = PLACEHOLDERS[kind]
    for sub in getattr(command, "commands", {}).values():
        name_placeholders(sub)


def command() -> Any:
    """The click command typer builds from :data:`app`, with readable placeholders in its help."""
    built = typer.main.get_command(app)
    name_placeholders(built)
    return built


def _register() -> None:
    from codeassist.interfaces import (
        cmd_chat,
        cmd_commit,
        cmd_config,
        cmd_context,
        cmd_edits,
        cmd_eval,
        cmd_hook,
        cmd_index,
        cmd_learn,
        cmd_models,
        cmd_review,
        cmd_trust,
    )

    modules = (
        cmd_chat, cmd_context, cmd_edits, cmd_index, cmd_review, cmd_commit, cmd_hook, cmd_models, cmd_config,
        cmd_eval, cmd_learn, cmd_trust,
    )  # fmt: skip
    for module in modules:
        module.register(app)


_register()
