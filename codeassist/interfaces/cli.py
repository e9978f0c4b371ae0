"""The ``codeassist`` command line.

Global options are accepted before and after the command name: :func:`main`
moves them in front of the command before typer sees the arguments. Every
command lives in a ``cmd_*`` module that registers itself on the app; those
modules import only typer at top level so start-up stays fast. Only
:func:`main` prints errors and chooses the exit code.
"""

from __future__ import annotations

import sys
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

# name -> takes a value
GLOBAL_OPTIONS: dict[str, bool] = {
    "-C": True,
    "--repo": True,
    "--model": True,
    "--base-url": True,
    "--api-key": True,
    "--config": True,
    "--no-color": False,
    "-v": False,
    "--verbose": False,
}


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
    )

    for module in (cmd_chat, cmd_context, cmd_edits, cmd_index, cmd_later, cmd_models, cmd_config):
        module.register(app)


_register()


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options found after the command name to the front.

    Stops at ``--``; a global option's value travels with it. Arguments that
    merely contain an option's text (``"use --model"``) are left alone.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in GLOBAL_OPTIONS:
            front.append(arg)
            if GLOBAL_OPTIONS[name] and "=" not in arg and i + 1 < len(argv):
                front.append(argv[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and translate errors to exit codes."""
    from codeassist.errors import CodeassistError

    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    try:
        code = app(args=args, prog_name="codeassist", standalone_mode=False)
    except CodeassistError as exc:
        from codeassist.interfaces.render import print_error

        print_error(exc.message, exc.hint, color="--no-color" not in args)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors from the parser
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"error: {exc}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)
