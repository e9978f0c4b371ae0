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

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeassist.backends.base import Message
from codeassist.errors import CodeassistError, GitError

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.interfaces.options import GlobalOptions
    from codeassist.session import Conversation, RunResult, Session

Mode = Literal["edit", "ask"]
HISTORY_DIR = "chat-history"  # one input history file per repository under the user's data directory
COMMAND_MODULES = ("repl_commands", "repl_run", "repl_chats", "repl_review", "repl_architect", "repl_agent")


def load_commands() -> dict[str, str]:
    """Register every command module's rows; the table as name -> completion source."""
    import importlib

    from codeassist.interfaces.repl_table import COMMANDS

    for name in COMMAND_MODULES:
        importlib.import_module(f"codeassist.interfaces.{name}")
    return {name: row.complete for name, row in COMMANDS.items()}


def history_file(data_dir: Path, root: Path) -> Path:
    """The input history of the repository at ``root``: named after its path, so each repository has its own."""
    import hashlib

    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return data_dir / HISTORY_DIR / f"{root.name}-{digest}"


def connect(opts: GlobalOptions, confirm: Any = None, **flags: Any) -> Session:
    """The chat's session (``Session.open``); raises GitError outside a repository, ConfigError with no model."""
    from codeassist.session import Session

    return Session.open(opts.open_options(**flags), confirm_files=confirm)


class Repl:
    """One interactive chat on one repository."""

    def __init__(
        self,
        session: Session,
        out: Console,
        err: Console,
        history_path: Path | None,
        *,
        chat_id: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``chat_id`` names the file the chat is saved to as it goes (None: a new one from ``clock``)."""
        from codeassist.chat_store import ChatStore

        assert session.workspace is not None  # the chat is opened in a repository
        self.session = session
        self.workspace = session.workspace
        self.root = session.root
        self.base = session.workspace.start  # relative paths the user types are relative to here
        self.out = out
        self.err = err
        self.history_path = history_path
        self.store = ChatStore(self.root)
        self.clock = clock
        self.save_warned = False
        self._symbols: list[str] | None = None
        # The time, and the process: two chats started in the same second in one repository stay apart.
        self.chat_id = chat_id or time.strftime("%Y%m%d-%H%M%S", time.localtime(clock())) + f"-{os.getpid()}"
        self.prompt: Any = None
        self.last_tokens = 0  # input + output tokens of the last request, for the toolbar
        self.commands = load_commands()
        self._index_checked = False
        # /architect: edit requests are planned first, by this model (None: the chat's own).
        self.architect_model: str | None = session.settings.architect_model
        self.architect = bool(self.architect_model)
        # /agent: edit requests in agent mode (on from the start with mode = "agent").
        self.agent = session.settings.mode == "agent"
        self._once: Any = None  # a request's own way to run (/agent REQUEST)
        if session.settings.review_mode:
            from codeassist.interfaces.repl_review import set_review

            set_review(self, True)
        session.confirm_files = self._confirm_files

    @property
    def state(self) -> Conversation:
        return self.session.chat

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
        self._symbols = None

    def symbols(self) -> list[str]:
        """``name\tpath`` for each name the index knows, path as typed (read once until the files change)."""
        if self._symbols is None:
            from codeassist.index.symbols import definitions

            typed = set(self.typed_files())
            prefix = "" if self.base == self.root.resolve() else self.workspace.typed(".") + "/"
            try:
                found = definitions(self.root)
            except CodeassistError:
                found = {}
            self._symbols = [
                f"{name}\t{path[len(prefix):]}"
                for name, paths in found.items()
                for path in paths
                if path.startswith(prefix) and path[len(prefix) :] in typed
            ]
        return self._symbols

    def chat_paths(self) -> list[str]:
        return self.state.files + self.state.read_only

    # -- the loop ----------------------------------------------------------------
    def run(self) -> None:
        from codeassist.interfaces.repl_input import make_prompt

        sources = {
            "files": self.typed_files,
            "chat": self.chat_paths,
            "sessions": self.store.ids,
            "symbols": self.symbols,
        }
        vi = self.session.settings.editing_mode == "vi"
        toolbar = self.toolbar if not self.out.is_dumb_terminal else None
        prompt, warning = make_prompt(self.history_path, self.commands, sources, vi=vi, toolbar=toolbar)
        self.prompt = prompt
        if warning:
            self.status(warning, style="yellow")
        notice = self.session.settings.trust_notice()
        if notice:
            self.status(notice, style="yellow")
        for note in self.session.notes:
            self.status(f"codeassist: {note}")
        if self.session.settings.editing_mode not in ("vi", "emacs"):
            self.status(f"editing_mode {self.session.settings.editing_mode!r} is not vi or emacs; using emacs")
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
            finally:
                self.autosave()
        self.status(self.usage_line())
        if self.state.has_content():
            self.status(f"resume with: codeassist chat --resume {self.chat_id}")

    def handle(self, line: str) -> bool:
        """One line the user entered; False to leave."""
        from codeassist.interfaces.repl_table import dispatch

        text = line.strip()
        if not text:
            return True
        if text.startswith("!"):
            from codeassist.interfaces.repl_run import run

            return run(self, text[1:].strip())
        return dispatch(self, text) if text.startswith("/") else self.request(self.state.mode, text)

    def confirm(self, question: str, *, default: bool) -> bool:
        """A yes/no question on the terminal (end of input means no)."""
        from rich.prompt import Confirm

        try:
            return bool(Confirm.ask(question, default=default, console=self.err))
        except EOFError:
            return False

    def toggle_vi(self) -> bool:
        """Switch vi keys on or off; True when vi is on now."""
        from prompt_toolkit.enums import EditingMode

        from codeassist.interfaces.repl_input import set_vi

        vi = self.prompt is None or self.prompt.app.editing_mode != EditingMode.VI
        if self.prompt is not None:
            set_vi(self.prompt, vi)
        return vi

    def toolbar(self) -> str:
        u = self.state.usage
        cost = "cost unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
        files = len(self.state.files) + len(self.state.read_only)
        last = f"last request {self.last_tokens:,} tokens"
        return f" {self.session.model_name} | {files} file(s) in the chat | {last} | {cost}"

    # -- saved chats (see repl_chats) ---------------------------------------------------
    def autosave(self) -> None:
        from codeassist.interfaces.repl_chats import autosave

        autosave(self)

    def banner(self) -> None:
        self.status(
            f"codeassist chat: model {self.session.model_name}, repository {self.root.name}, mode {self.state.mode}. "
            "/help lists the commands; Ctrl-D leaves."
        )

    # -- output --------------------------------------------------------------------
    def status(self, text: str, *, style: str = "dim") -> None:
        from rich.text import Text

        from codeassist.interfaces.render import safe_terminal_text

        self.err.print(Text(safe_terminal_text(text), style=style))

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
    def request_with(self, runner: Any, text: str) -> bool:
        """Run one edit request through ``runner(repl, run_options)`` (``/agent REQUEST``)."""
        self._once = runner
        try:
            return self.request("edit", text)
        finally:
            self._once = None

    def request(self, mode: Mode, text: str) -> bool:
        """Run one request in ``mode``; always True (the chat goes on whatever happened)."""
        from codeassist.interfaces.live import HumanRenderer
        from codeassist.interfaces.progress import warm_index
        from codeassist.interfaces.repl_commands import add_mentioned

        add_mentioned(self, text)
        if not self._index_checked and self.session.settings.map_tokens:
            self._index_checked = True
            warm_index(self.root, self.err)
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
        once, self._once = self._once, None
        if mode == "edit" and (once is not None or self.agent):
            from codeassist.interfaces.repl_agent import agent_request

            return (once or agent_request)(self, run)
        if mode == "edit" and self.architect:
            from codeassist.interfaces.repl_architect import architect_request

            return architect_request(self, run)
        return session.ask(run) if mode == "ask" else session.edit(run)

    def edit_format(self) -> str:
        return self.session.edit_format()

    def _after(self, mode: Mode, text: str, result: RunResult) -> None:
        from codeassist.interfaces.live import summary_line

        state = self.state
        self.forget_files()
        self.last_tokens = result.usage.input_tokens + result.usage.output_tokens
        if result.diff:
            from codeassist.interfaces.render import diff_view

            self.out.print(diff_view(result.diff))
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
        self._tell_dropped()

    def _tell_dropped(self) -> None:
        """Hunks the user dropped in review go to the model with the next request."""
        take = getattr(self.session.review, "take_dropped", None)
        note = take() if take is not None else None
        if note is not None:
            self.state.history += [Message("user", note), Message("assistant", "Understood; I left them out.")]
            self.status("the hunks you dropped will be told to the model with your next request")

    def _confirm_files(self, paths: list[str]) -> bool:
        yes = self.confirm(f"The model asks for {', '.join(paths)}. Add to the chat?", default=True)
        if yes:  # they stay in the chat for the next requests too
            state = self.state
            state.files += [p for p in paths if p not in state.files]
            state.read_only = [p for p in state.read_only if p not in paths]
        return yes


def _ask_summary(result: RunResult) -> str:
    u = result.usage
    cost = f", ${u.cost_usd:.4f}" if u.cost_usd is not None else ""
    return f"{result.status}: {u.input_tokens:,} in ({u.cached_input_tokens:,} cached), {u.output_tokens:,} out{cost}"


def run_repl(
    opts: GlobalOptions, *, data_dir: Path | None, resume: str | None = None, architect_model: str | None = None
) -> None:
    """Open the chat in the repository ``opts`` points at; returns when the user leaves.

    ``data_dir`` holds the input history files (none is kept when None).
    ``resume`` continues a saved chat ("" for the latest); ``architect_model``
    plans each edit request first (``/architect``). Raises GitError
    outside a git repository and ConfigError when no model is configured;
    both before the first prompt. A saved chat that cannot be resumed is
    reported and a new chat starts.
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
    session = connect(opts, architect_model=architect_model)
    history = history_file(data_dir, session.root) if data_dir is not None else None
    try:
        repl = Repl(session, console(opts), console(opts, stderr=True), history)
        if resume is not None:
            from codeassist.interfaces.repl_chats import resume_at_start

            resume_at_start(repl, resume)
        repl.run()
    finally:
        session.close()
