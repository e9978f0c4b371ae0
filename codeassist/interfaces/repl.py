"""The interactive chat (``codeassist`` / ``codeassist chat``): a prompt, slash commands, requests with memory.

A plain line is a request in the current mode (``edit`` by default). The
chat keeps, across turns, the files in the chat, the read-only files, the
conversation so far (sent as history with each request) and the token usage
and cost, in the chat's one :class:`~codeassist.session.Session` (opened with
``Session.open``, so its calibration of token counts carries over between
requests). The session restores files itself when a request is interrupted
or fails, so Ctrl-C always comes back to a clean prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeassist.backends.base import Message
from codeassist.errors import CodeassistError, GitError

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.interfaces.options import GlobalOptions
    from codeassist.session import RunResult, Session

Mode = Literal["edit", "ask"]
HISTORY_FILE = "chat-history"


def connect(opts: GlobalOptions, confirm: Any = None) -> Session:
    """The chat's session (``Session.open``); raises GitError outside a repository, ConfigError with no model."""
    from codeassist.session import Session

    return Session.open(opts.open_options(), confirm_files=confirm)


class Repl:
    """One interactive chat on one repository."""

    def __init__(self, session: Session, out: Console, err: Console, history_path: Path | None) -> None:
        assert session.workspace is not None  # the chat is opened in a repository
        self.session = session
        self.workspace = session.workspace
        self.root = session.root
        self.base = session.workspace.start  # relative paths the user types are relative to here
        self.out = out
        self.err = err
        self.state = session.chat
        self.history_path = history_path
        session.confirm_files = self._confirm_files

    # -- files -------------------------------------------------------------------
    def repo_files(self) -> list[str]:
        """The files that exist for codeassist (the Workspace's file rule; listed again after a change)."""
        return self.workspace.files()

    def typed_files(self) -> list[str]:
        """The repository's files as the user types them: relative to the directory the chat started in."""
        files = self.repo_files()
        try:
            prefix = self.base.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return files
        if prefix == ".":
            return files
        return [p[len(prefix) + 1 :] for p in files if p.startswith(prefix + "/")]

    def forget_files(self) -> None:
        """The repository's files may have changed (a request or an undo ran)."""
        self.workspace.forget_listing()

    def chat_paths(self) -> list[str]:
        return self.state.files + self.state.read_only

    # -- the loop ----------------------------------------------------------------
    def run(self) -> None:
        from codeassist.interfaces.repl_commands import COMMANDS, PATH_COMMANDS
        from codeassist.interfaces.repl_input import make_prompt

        sources = {name: (self.chat_paths if name == "/drop" else self.typed_files) for name in PATH_COMMANDS}
        prompt, warning = make_prompt(self.history_path, sorted(COMMANDS), sources)
        if warning:
            self.status(warning, style="yellow")
        for note in self.session.notes:
            self.status(f"codeassist: {note}")
        self.banner()
        while True:
            try:
                line = prompt.prompt(f"{self.state.mode}> ")
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                break
            try:
                if not self.handle(line):
                    break
            except KeyboardInterrupt:
                self.status("interrupted", style="yellow")
        self.status(self.usage_line())

    def handle(self, line: str) -> bool:
        """One line the user entered; False to leave."""
        from codeassist.interfaces.repl_commands import dispatch

        text = line.strip()
        if not text:
            return True
        return dispatch(self, text) if text.startswith("/") else self.request(self.state.mode, text)

    def banner(self) -> None:
        self.status(
            f"codeassist chat: model {self.session.model_name}, repository {self.root.name}, mode {self.state.mode}. "
            "/help lists the commands; Ctrl-D leaves."
        )

    # -- output --------------------------------------------------------------------
    def status(self, text: str, *, style: str = "dim") -> None:
        from rich.text import Text

        self.err.print(Text(text, style=style))

    def problem(self, text: str, hint: str | None = None) -> None:
        self.status(text, style="red")
        if hint:
            self.status(f"hint: {hint}")

    def usage_line(self) -> str:
        u = self.state.usage
        cost = "cost unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
        estimated = " (estimated)" if u.estimated else ""
        return (
            f"session: {self.state.requests} request(s); {u.input_tokens:,} tokens in "
            f"({u.cached_input_tokens:,} cached), {u.output_tokens:,} out{estimated}; {cost}"
        )

    # -- requests ------------------------------------------------------------------
    def request(self, mode: Mode, text: str) -> bool:
        """Run one request in ``mode``; always True (the chat goes on whatever happened)."""
        from codeassist.interfaces.live import HumanRenderer

        # A dumb terminal cannot redraw live markdown: stream the raw text there.
        renderer = HumanRenderer(self.out, self.err, live=not self.out.is_dumb_terminal)
        try:
            result = self._run_session(mode, text, renderer)
        except CodeassistError as exc:
            renderer.end_reply()
            self.problem(exc.message, exc.hint)
            return True
        except KeyboardInterrupt:  # outside the session's own guard (starting up)
            renderer.end_reply()
            self.status("interrupted", style="yellow")
            return True
        renderer.end_reply()
        self._after(mode, text, result)
        return True

    def _run_session(self, mode: Mode, text: str, renderer: Any) -> RunResult:
        from codeassist.session import RunOptions

        session = self.session
        session.on_event = renderer
        self.forget_files()  # the work tree may have changed since the last request
        run = RunOptions(
            mode=mode,
            request=text,
            files=tuple(self.state.files),
            read_only=tuple(self.state.read_only),
            history=tuple(self.state.history),
            chat=True,
        )
        return session.ask(run) if mode == "ask" else session.edit(run)

    def edit_format(self) -> str:
        return self.session.edit_format()

    def _after(self, mode: Mode, text: str, result: RunResult) -> None:
        from codeassist.interfaces.live import summary_line

        state = self.state
        self.forget_files()
        if result.diff:
            from rich.syntax import Syntax

            self.out.print(Syntax(result.diff, "diff", theme="ansi_dark", background_color="default"))
        for error in result.errors:
            self.status(error, style="red" if result.exit_code else "yellow")
        if result.status == "success":
            state.history += [Message("user", text), Message("assistant", result.reply)]
            if result.commit:
                state.last_commit = result.commit
            if result.files_changed:
                state.last_changed = result.files_changed
                # A file the model changed stays in the chat: the next request will likely touch it again.
                state.files += [p for p in result.files_changed if p not in state.files]
                state.read_only = [p for p in state.read_only if p not in result.files_changed]
        line = summary_line(result.to_json()) if mode == "edit" else _ask_summary(result)
        self.status(line, style="dim" if result.exit_code == 0 else "yellow")

    def _confirm_files(self, paths: list[str]) -> bool:
        from rich.prompt import Confirm

        try:
            yes = Confirm.ask(f"The model asks for {', '.join(paths)}. Add to the chat?", default=True)
        except EOFError:
            return False
        if yes:  # they stay in the chat for the next requests too
            state = self.state
            state.files += [p for p in paths if p not in state.files]
            state.read_only = [p for p in state.read_only if p not in paths]
        return yes


def _ask_summary(result: RunResult) -> str:
    u = result.usage
    cost = f", ${u.cost_usd:.4f}" if u.cost_usd is not None else ""
    return f"{result.status}: {u.input_tokens:,} in ({u.cached_input_tokens:,} cached), {u.output_tokens:,} out{cost}"


def run_repl(opts: GlobalOptions, *, data_dir: Path | None) -> None:
    """Open the chat in the repository ``opts`` points at; returns when the user leaves.

    ``data_dir`` holds the input history file (none is kept when None).
    Raises GitError outside a git repository and ConfigError when no model
    is configured; both before the first prompt.
    """
    import sys

    from codeassist.errors import UsageError
    from codeassist.interfaces.render import console

    if not sys.stdin.isatty():
        raise UsageError(
            "the interactive chat needs a terminal",
            hint='for scripts use `codeassist edit "REQUEST"` or `codeassist ask "QUESTION"`',
        )
    root = opts.repo_root()
    if root is None:
        raise GitError(
            f"not a git repository: {opts.start_dir()}",
            hint="the chat commits its edits through git; run `git init` first, or use `codeassist ask`",
        )
    session = connect(opts)
    history = data_dir / HISTORY_FILE if data_dir is not None else None
    try:
        Repl(session, console(opts), console(opts, stderr=True), history).run()
    finally:
        session.close()
