"""The ``codeassist`` command line entry point.

Global options are accepted before and after the command name: :func:`main`
moves them in front of the command before typer sees the arguments. Only
:func:`main` prints errors and chooses the exit code. Nothing heavy is
imported here, so ``codeassist --version`` answers without loading typer.
"""

from __future__ import annotations

import sys

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


class MissingValue(Exception):
    """A global option that takes a value came last, with none."""


def _option_name(arg: str) -> str:
    return arg.split("=", 1)[0] if arg.startswith("--") else arg


def _takes_next(arg: str) -> bool:
    """Whether ``arg`` is a global option whose value is the next argument (not written as ``--opt=value``)."""
    return GLOBAL_OPTIONS.get(_option_name(arg), False) and "=" not in arg


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
        if _option_name(arg) in GLOBAL_OPTIONS:
            front.append(arg)
            if _takes_next(arg):
                if i + 1 >= len(argv):
                    raise MissingValue(_option_name(arg))
                front.append(argv[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _json_command(raw: list[str]) -> str | None:
    """The command name when the command line asks it for ``--json``, else None."""
    head = raw[: raw.index("--")] if "--" in raw else raw
    i = 0
    while i < len(head) and head[i].startswith("-"):  # the command is the first word after global options
        i += 2 if _takes_next(head[i]) else 1
    command = head[i] if i < len(head) else None
    return command if command is not None and "--json" in head[i:] else None


def _json_for_early_usage_error(raw: list[str], message: str) -> None:
    """``apply --json`` / ``undo --json`` print their object even for an error found before typer runs."""
    command = _json_command(raw)
    if command not in ("apply", "undo"):
        return
    from codeassist.interfaces.cmd_edits import nothing_done
    from codeassist.interfaces.render import print_json

    print_json({**nothing_done(command), "errors": [message]})


def _json_for_error(args: list[str], message: str) -> None:
    """Under ``--json``, an error the command did not report itself still gives exactly one object."""
    from codeassist.interfaces import render

    command = _json_command(args)
    if command is None or render.json_printed:
        return
    obj: dict[str, object] = {"errors": [message]}
    if command in ("apply", "undo"):
        from codeassist.interfaces.cmd_edits import nothing_done

        obj = {**nothing_done(command), **obj}
    elif command in ("ask", "edit"):
        from codeassist.session import RunResult

        obj = RunResult("error", "", errors=(message,)).to_json()
    render.print_json(obj)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and translate errors to exit codes."""
    raw = list(sys.argv[1:] if argv is None else argv)
    try:
        args = hoist_global_options(raw)
    except MissingValue as exc:
        message = f"option {exc.args[0]} needs a value"
        sys.stderr.write(f"error: {message}\n")
        _json_for_early_usage_error(raw, message)
        sys.exit(2)
    if args == ["--version"]:  # the one answer that needs neither typer nor settings
        from codeassist import __version__

        print(f"codeassist {__version__}")
        sys.exit(0)
    import typer

    from codeassist.errors import CodeassistError
    from codeassist.interfaces.app import app

    try:
        code = app(args=args, prog_name="codeassist", standalone_mode=False)
    except CodeassistError as exc:
        from codeassist.interfaces.render import print_error

        print_error(exc.message, exc.hint, color="--no-color" not in args)
        _json_for_error(args, exc.message + (f" ({exc.hint})" if exc.hint else ""))
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
        formatted = getattr(exc, "format_message", None)
        _json_for_error(args, formatted() if callable(formatted) else str(exc))
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)
