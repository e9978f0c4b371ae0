"""The interactive chat (``codeassist`` / ``codeassist chat``): a prompt, slash commands, requests with memory.

A plain line is a request in the current mode (``edit`` by default). The
chat keeps, across turns, the files in the chat, the read-only files, the
conversation so far (sent as history with each request) and the token usage
and cost. Each request runs through a fresh :class:`~codeassist.session.Session`
on the chat's backend; the session restores files itself when a request is
interrupted or fails, so Ctrl-C always comes back to a clean prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeassist.backends.base import Message, Usage
from codeassist.errors import CodeassistError, GitError

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.backends.base import Backend
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.config import Settings
    from codeassist.interfaces.options import GlobalOptions
    from codeassist.session import RunResult

Mode = Literal["edit", "ask"]
HISTORY_FILE = "chat-history"


@dataclass
class ChatState:
    """What the chat remembers between turns."""

    mode: Mode = "edit"
    files: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    history: list[Message] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    requests: int = 0
    last_commit: str | None = None
    last_changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Engine:
    """The model side of the chat; replaced as a whole by ``/model``."""

    opts: GlobalOptions
    settings: Settings
    backend: Backend
    info: ModelInfo

    @property
    def model(self) -> str:
        return self.settings.model or self.info.name


def connect(opts: GlobalOptions, root: Path) -> Engine:
    """Settings, backend and model facts for ``opts``; raises ConfigError when no model can be used."""
    from codeassist.backends.catalogue import lookup_model
    from codeassist.backends.registry import create_backend

    settings = opts.settings(root)
    backend = create_backend(settings, opts.environ)
    return Engine(opts, settings, backend, lookup_model(settings.model or "", settings.models))


class Repl:
    """One interactive chat on one repository."""

    def __init__(self, engine: Engine, root: Path, out: Console, err: Console, history_path: Path | None) -> None:
        self.engine = engine
        self.root = root
        self.base = engine.opts.start_dir()  # relative paths the user types are relative to here
        self.out = out
        self.err = err
        self.state = ChatState()
        self.history_path = history_path
        self._repo_files: list[str] | None = None

    # -- files -------------------------------------------------------------------
    def repo_files(self) -> list[str]:
        """The repository's files (cached until the next request can change them)."""
        if self._repo_files is None:
            from codeassist.context_files import repo_files

            self._repo_files = repo_files(self.root)
        return self._repo_files

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
        self._repo_files = None

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
            f"codeassist chat: model {self.engine.model}, repository {self.root.name}, mode {self.state.mode}. "
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
        from codeassist.config import user_config_path
        from codeassist.session import RunOptions, Session

        engine = self.engine
        session = Session(
            engine.backend,
            root=self.root,
            settings=engine.settings,
            model_info=engine.info,
            on_event=renderer,
            confirm_files=self._confirm_files,
            environ=engine.opts.environ,
            user_config_dir=user_config_path(engine.opts.environ).parent,
        )
        run = RunOptions(
            mode=mode,
            request=text,
            files=tuple(self.state.files),
            read_only=tuple(self.state.read_only),
            edit_format=self.edit_format(),
            max_rounds=engine.settings.max_rounds,
            history=tuple(self.state.history),
        )
        return session.ask(run) if mode == "ask" else session.edit(run)

    def edit_format(self) -> str:
        from codeassist.errors import ConfigError

        fmt = self.engine.settings.edit_format or self.engine.info.edit_format
        if fmt not in ("search-replace", "udiff", "whole", "patch", "tool"):
            raise ConfigError(f"unknown edit format {fmt!r}; use search-replace, udiff, whole, patch or tool")
        return fmt

    def _after(self, mode: Mode, text: str, result: RunResult) -> None:
        from codeassist.interfaces.live import summary_line

        state = self.state
        state.requests += 1
        state.usage = state.usage + result.usage
        self.forget_files()
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
    engine = connect(opts, root)
    history = data_dir / HISTORY_FILE if data_dir is not None else None
    Repl(engine, root, console(opts), console(opts, stderr=True), history).run()


def quoted_args(text: str) -> list[str]:
    """Arguments of a slash command, honouring quotes (paths with spaces); plain split on a quoting error."""
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def fits(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "(none)"
