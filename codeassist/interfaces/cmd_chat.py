"""Commands: ``ask`` (an answer grounded in the repository) and ``edit`` (one request end to end)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

FileOpt = Annotated[Optional[list[str]], typer.Option("-f", "--file", help="A file to put in the chat (repeatable).")]
ReadOnlyOpt = Annotated[
    Optional[list[str]], typer.Option("--read-only", help="A file to show as reference only (repeatable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object at the end.")]
StreamJsonOpt = Annotated[bool, typer.Option("--stream-json", help="Print one JSON event per line.")]
MessageFileOpt = Annotated[Optional[Path], typer.Option("--message-file", help="Read the request from a file.")]


def read_request(text: Optional[str], message_file: Optional[Path]) -> str:
    """The request from the argument, ``-`` (stdin) or --message-file."""
    import sys

    from codeassist.errors import UsageError

    if message_file is not None and text is not None:
        raise UsageError("give the request as an argument or with --message-file, not both")
    if message_file is not None:
        try:
            data = message_file.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {message_file}: {exc.strerror}") from exc
    elif text == "-":
        data = sys.stdin.buffer.read()
    elif text is None:
        raise UsageError('missing the request: codeassist edit "what to change" (or - to read stdin)')
    else:
        data = text.encode("utf-8", "surrogateescape")
    if b"\x00" in data:
        raise UsageError("the request contains NUL bytes; it must be text")
    request = data.decode("utf-8", "replace").strip()
    if not request:
        raise UsageError("the request is empty")
    return request


def _run(
    ctx: typer.Context,
    mode: str,
    request: str,
    files: list[str],
    read_only: list[str],
    *,
    as_json: bool,
    stream_json: bool,
    **run_args: Any,
) -> None:
    from codeassist.errors import CodeassistError, GitError, UsageError
    from codeassist.interfaces.live import HumanRenderer, json_line_sink, summary_line
    from codeassist.interfaces.render import console, print_error, print_json, safe_terminal_text

    opts = ctx.obj
    if as_json and stream_json:
        raise UsageError("choose one of --json and --stream-json")
    machine = as_json or stream_json
    err = console(opts, stderr=True)
    renderer = None if machine else HumanRenderer(console(opts), err, live=True)
    sink = json_line_sink if stream_json else renderer
    try:
        root = opts.repo_root()
        if root is None:
            if mode == "edit":
                raise GitError(
                    f"not a git repository: {opts.start_dir()}",
                    hint="codeassist edit commits through git; run `git init` first",
                )
            root = opts.start_dir()
        settings = opts.settings(root)
        session, run_opts = _make_session(opts, root, settings, mode, request, files, read_only, sink, run_args)
        result = session.ask(run_opts) if mode == "ask" else session.edit(run_opts)
    except CodeassistError as exc:
        if not machine:
            raise
        from codeassist.session import RunResult, error_text

        payload = RunResult("error", "", errors=(error_text(exc),)).to_json()
        print_error(exc.message, exc.hint, color=opts.color())
        if stream_json:
            json_line_sink({"type": "result", **payload})
        else:
            print_json(payload)
        raise typer.Exit(exc.exit_code) from None
    data = result.to_json()
    if renderer is not None:
        renderer.end_reply()
    if as_json:
        print_json(data)
    if result.diff and not machine:
        from codeassist.interfaces.render import diff_view

        console(opts).print(diff_view(result.diff))
    for error in result.errors:
        err.print(safe_terminal_text(error), style="red" if result.exit_code else None, markup=False, highlight=False)
    if mode == "edit" or opts.verbose:
        err.print(summary_line(data), markup=False, highlight=False)
    raise typer.Exit(result.exit_code)


def _make_session(
    opts: Any,
    root: Path,
    settings: Any,
    mode: str,
    request: str,
    files: list[str],
    read_only: list[str],
    sink: Any,
    run_args: dict[str, Any],
) -> tuple[Any, Any]:
    from codeassist.backends.catalogue import lookup_model
    from codeassist.backends.registry import create_backend
    from codeassist.config import user_config_path
    from codeassist.errors import UsageError
    from codeassist.session import RunOptions, Session

    backend = create_backend(settings, opts.environ)
    info = lookup_model(settings.model, settings.models)
    edit_format = run_args.pop("edit_format", None) or settings.edit_format or info.edit_format
    if edit_format not in ("search-replace", "udiff", "whole", "patch", "tool"):
        raise UsageError(f"unknown edit format {edit_format!r}; use search-replace, udiff, whole, patch or tool")
    max_rounds = run_args.pop("max_rounds", None)
    if max_rounds is not None and max_rounds < 0:
        raise UsageError("--max-rounds must be 0 or more")
    confirm = None
    if not run_args.get("auto_add_files") and mode == "edit":
        confirm = _confirm_on_tty
    session = Session(
        backend,
        root=root,
        settings=settings,
        model_info=info,
        on_event=sink,
        confirm_files=confirm,
        environ=opts.environ,
        user_config_dir=user_config_path(opts.environ).parent,
    )
    run_opts = RunOptions(
        mode=mode,  # type: ignore[arg-type]
        request=request,
        files=tuple(files),
        read_only=tuple(read_only),  # type: ignore[arg-type]
        edit_format=edit_format,
        max_rounds=settings.max_rounds if max_rounds is None else max_rounds,
        map_tokens=run_args.pop("map_tokens", None),
        **run_args,
    )
    return session, run_opts


def _confirm_on_tty(paths: list[str]) -> bool:
    import sys

    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(f"The model asks for {', '.join(paths)}. Add to the chat?", default=True)


def ask(
    ctx: typer.Context,
    question: Annotated[Optional[str], typer.Argument(help="The question, or - to read stdin.")] = None,
    file: FileOpt = None,
    read_only: ReadOnlyOpt = None,
    message_file: MessageFileOpt = None,
    map_tokens: Annotated[Optional[int], typer.Option("--map-tokens", help="Repo map budget.")] = None,
    as_json: JsonOpt = False,
    stream_json: StreamJsonOpt = False,
) -> None:
    """Answer a question about the repository; no edits."""
    request = read_request(question, message_file)
    _run(
        ctx,
        "ask",
        request,
        file or [],
        read_only or [],
        as_json=as_json,
        stream_json=stream_json,
        map_tokens=map_tokens,
    )


def edit(
    ctx: typer.Context,
    request_text: Annotated[
        Optional[str], typer.Argument(metavar="REQUEST", help="What to change, or - for stdin.")
    ] = None,
    file: FileOpt = None,
    read_only: ReadOnlyOpt = None,
    message_file: MessageFileOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Add files the model asks for without asking.")] = False,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Stage the change, do not commit.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff; write nothing.")] = False,
    edit_format: Annotated[
        Optional[str], typer.Option("--edit-format", help="search-replace, udiff, whole, patch or tool.")
    ] = None,
    max_rounds: Annotated[
        Optional[int], typer.Option("--max-rounds", help="Reflection rounds after a failure.")
    ] = None,
    map_tokens: Annotated[Optional[int], typer.Option("--map-tokens", help="Repo map budget.")] = None,
    as_json: JsonOpt = False,
    stream_json: StreamJsonOpt = False,
) -> None:
    """Make a change end to end: context, reply, apply, check, commit."""
    request = read_request(request_text, message_file)
    _run(
        ctx,
        "edit",
        request,
        file or [],
        read_only or [],
        as_json=as_json,
        stream_json=stream_json,
        commit=not no_commit,
        dry_run=dry_run,
        auto_add_files=yes,
        edit_format=edit_format,
        max_rounds=max_rounds,
        map_tokens=map_tokens,
    )


def chat(ctx: typer.Context) -> None:
    """The interactive REPL: plain lines are requests, /help lists the commands."""
    run_repl(ctx.obj)


def run_repl(opts: object) -> None:
    from platformdirs import user_data_dir

    from codeassist.interfaces import repl

    repl.run_repl(opts, data_dir=Path(user_data_dir("codeassist")))  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.command("chat", help="The interactive REPL: plain lines are requests, /help lists the commands.")(chat)
    app.command("ask")(ask)
    app.command("edit")(edit)
