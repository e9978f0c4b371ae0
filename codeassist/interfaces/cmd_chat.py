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


def machine_request(
    ctx: typer.Context, text: Optional[str], message_file: Optional[Path], *, as_json: bool, stream_json: bool
) -> str:
    """:func:`read_request`; under ``--json``/``--stream-json`` a usage error also prints the result object."""
    from codeassist.errors import UsageError
    from codeassist.interfaces.json_result import exit_with_error

    try:
        if as_json and stream_json:
            raise UsageError("choose one of --json and --stream-json")
        return read_request(text, message_file)
    except UsageError as exc:
        if not (as_json or stream_json):
            raise
        exit_with_error(ctx.obj, ctx.info_name or "edit", exc, "json" if as_json else "stream-json")


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
    from codeassist.errors import CodeassistError
    from codeassist.interfaces.json_result import exit_with_error
    from codeassist.interfaces.live import HumanRenderer, json_line_sink, summary_line
    from codeassist.interfaces.render import console, print_json, safe_terminal_text

    opts = ctx.obj
    machine = as_json or stream_json
    err = console(opts, stderr=True)
    renderer = None if machine else HumanRenderer(console(opts), err, live=True)
    sink = json_line_sink if stream_json else renderer
    session = None
    agent = {k: run_args.pop(k, None) for k in ("agent", "approval", "max_steps")}
    try:
        session, run_opts = _open(opts, mode, request, files, read_only, sink, run_args)
        opts.notice_trust(session.settings)  # what an untrusted repository config set and was ignored
        for note in session.notes:  # the model discovered, a window it could not ask the server for
            err.print(f"codeassist: {note}", markup=False, highlight=False)
        result = session.ask(run_opts) if mode == "ask" else _edit_or_agent(session, run_opts, agent, err)
    except CodeassistError as exc:
        if not machine:
            raise
        exit_with_error(opts, mode, exc, "stream-json" if stream_json else "json")
    finally:
        if session is not None:
            session.close()
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


def _edit_or_agent(session: Any, run_opts: Any, agent: dict[str, Any], err: Any) -> Any:
    """``edit`` in the mode the flag or the ``mode`` setting picks (classic unless told)."""
    from codeassist.agent.options import AgentOptions, check_mode

    mode = check_mode(session.settings.mode, source="setting")
    if not agent["agent"] and mode != "agent":
        return session.edit(run_opts)
    from codeassist.interfaces.confirm import confirm_command_on_tty

    options = AgentOptions(agent["approval"], agent["max_steps"], confirm_command_on_tty(err))
    return session.agent(run_opts, options)




def _open(
    opts: Any,
    mode: str,
    request: str,
    files: list[str],
    read_only: list[str],
    sink: Any,
    run_args: dict[str, Any],
) -> tuple[Any, Any]:
    """The session (through ``Session.open``, the one wiring point) and the request's options."""
    from codeassist.errors import UsageError
    from codeassist.session import RunOptions, Session

    max_rounds = run_args.pop("max_rounds", None)
    if max_rounds is not None and max_rounds < 0:
        raise UsageError("--max-rounds must be 0 or more")
    confirm = _confirm_on_tty if not run_args.get("auto_add_files") and mode == "edit" else None
    session = Session.open(opts.open_options(require_repo=mode == "edit"), on_event=sink, confirm_files=confirm)
    try:
        edit_format = session.edit_format(run_args.pop("edit_format", None))
        run_opts = RunOptions(
            mode=mode,  # type: ignore[arg-type]
            request=request,
            # Paths the user typed are relative to the directory they typed them in, as git reads them.
            files=tuple(session.typed(f) for f in files),
            read_only=tuple(session.typed(f) for f in read_only),
            edit_format=edit_format,
            max_rounds=max_rounds,
            map_tokens=run_args.pop("map_tokens", None),
            **run_args,
        )
    except BaseException:
        session.close()
        raise
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
    request = machine_request(ctx, question, message_file, as_json=as_json, stream_json=stream_json)
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
    agent: Annotated[bool, typer.Option("--agent", help="Agent mode: the model uses tools (mode setting).")] = False,
    approval: Annotated[
        Optional[str], typer.Option("--approval", help="Agent mode: read-only, auto-edit or full-auto.")
    ] = None,
    max_steps: Annotated[Optional[int], typer.Option("--max-steps", help="Agent mode: model calls at most.")] = None,
    as_json: JsonOpt = False,
    stream_json: StreamJsonOpt = False,
) -> None:
    """Make a change end to end: context, reply, apply, check, commit."""
    request = machine_request(ctx, request_text, message_file, as_json=as_json, stream_json=stream_json)
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
        agent=agent,
        approval=approval,
        max_steps=max_steps,
    )


def chat(
    ctx: typer.Context,
    resume: Annotated[
        Optional[str],
        typer.Option("--resume", metavar="[ID]", help="Continue the last saved chat, or the one saved as ID."),
    ] = None,
    list_chats: Annotated[bool, typer.Option("--list", help="List the saved chats of this repository.")] = False,
    architect_model: Annotated[
        Optional[str],
        typer.Option("--architect-model", metavar="MODEL", help="Plan each change with MODEL first (/architect)."),
    ] = None,
) -> None:
    """The interactive REPL: plain lines are requests, /help lists the commands."""
    if list_chats:
        _list_chats(ctx.obj)
        return
    run_repl(ctx.obj, resume=resume, architect_model=architect_model)


def run_repl(opts: object, *, resume: Optional[str] = None, architect_model: Optional[str] = None) -> None:
    from platformdirs import user_data_dir

    from codeassist.interfaces import repl

    data_dir = Path(user_data_dir("codeassist"))
    repl.run_repl(opts, data_dir=data_dir, resume=resume, architect_model=architect_model)  # type: ignore[arg-type]


def _list_chats(opts: Any) -> None:
    """Print the saved chats, newest first; a broken file is named on stderr (exit 0: the others are fine)."""
    from codeassist.chat_store import ChatStore
    from codeassist.errors import GitError
    from codeassist.interfaces.render import console

    root = opts.repo_root()
    if root is None:
        raise GitError(f"not a git repository: {opts.start_dir()}")
    summaries, problems = ChatStore(root).summaries()
    out, err = console(opts), console(opts, stderr=True)
    for problem in problems:
        err.print(f"warning: {problem}", style="yellow", markup=False, highlight=False)
    if not summaries:
        err.print("no saved chats in this repository", markup=False, highlight=False)
        return
    for s in summaries:
        first = f"  {s.first_request}" if s.first_request else ""
        line = f"{s.id}  {s.saved_at}  {s.model or '-'}  {s.files} file(s)  {s.messages} message(s){first}"
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("chat", help="The interactive REPL: plain lines are requests, /help lists the commands.")(chat)
    from codeassist.interfaces.json_result import JsonOnBadUsage

    app.command("ask", cls=JsonOnBadUsage)(ask)
    app.command("edit", cls=JsonOnBadUsage)(edit)
