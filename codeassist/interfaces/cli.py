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
    "--context-window": True,
    "--no-color": False,
    "-v": False,
    "--verbose": False,
}

# Global options a command takes as its own after its name (``eval --model A --model B`` measures both).
COMMAND_OWN_OPTIONS: dict[str, frozenset[str]] = {"eval": frozenset({"--model"})}


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
    own: frozenset[str] = frozenset()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if not rest and not arg.startswith("-"):  # the command's name: its own options stay with it
            own = COMMAND_OWN_OPTIONS.get(arg, frozenset())
        if _option_name(arg) in GLOBAL_OPTIONS and _option_name(arg) not in own:
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


def _command_at(raw: list[str]) -> tuple[list[str], int, str | None]:
    """The arguments before ``--``, the index of the command name in them, and the name (or None)."""
    head = raw[: raw.index("--")] if "--" in raw else raw
    i = 0
    while i < len(head) and head[i].startswith("-"):  # the command is the first word after global options
        i += 2 if _takes_next(head[i]) else 1
    return head, i, head[i] if i < len(head) else None


def _json_command(raw: list[str]) -> str | None:
    """The command name when the command line asks it for ``--json``, else None."""
    head, i, command = _command_at(raw)
    return command if command is not None and "--json" in head[i:] else None


def _json_for_early_usage_error(raw: list[str], message: str) -> None:
    """A command under ``--json`` prints its object even for an error found before typer runs."""
    from codeassist.interfaces.json_result import machine_mode, print_stopped

    head, i, command = _command_at(raw)
    mode = machine_mode(command, head[i:])
    if mode is not None:
        print_stopped(command, mode, [message])


def _run_hook(argv: list[str]) -> int:
    from codeassist.errors import CodeassistError
    from codeassist.interfaces.hook_runner import main as hook_main

    try:
        return hook_main(argv)
    except CodeassistError as exc:
        from codeassist.interfaces.render import print_error

        print_error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130


# Options whose value may be left out (``chat --resume`` continues the latest chat): typer has no such
# option, so a bare one is given the empty value here.
OPTIONAL_VALUES = frozenset({"--resume"})


def _optional_values(argv: list[str]) -> list[str]:
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + argv[i:]
        bare = arg in OPTIONAL_VALUES and (i + 1 == len(argv) or argv[i + 1].startswith("-"))
        out.append(arg + "=" if bare else arg)
    return out


def _json_for_error(args: list[str], message: str) -> None:
    """Under ``--json``, an error the command did not report itself still gives exactly one object."""
    from codeassist.interfaces import render

    command = _json_command(args)
    if command is None or render.json_printed:
        return
    obj: dict[str, object] = {"errors": [message]}
    if command in ("apply", "undo"):
        from codeassist.interfaces.json_result import nothing_done

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
    args = _optional_values(args)
    if args == ["--version"]:  # the one answer that needs neither typer nor settings
        from codeassist import __version__

        print(f"codeassist {__version__}")
        sys.exit(0)
    if args[:2] == ["hook", "run"] and not {"-h", "--help"} & set(args):
        sys.exit(_run_hook(args[2:]))  # git runs this on every commit: no typer, no command modules
    import typer

    from codeassist.errors import CodeassistError
    from codeassist.interfaces.app import command

    try:
        code = command()(args=args, prog_name="codeassist", standalone_mode=False)
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
