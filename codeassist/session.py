"""One conversation with a model about one repository, wired in one place: :meth:`Session.open`.

``Session.open`` resolves, once, everything a request needs: the Workspace
(the repository, its file and path rules), the layered settings, the
backend, the model's facts, the edit format and the prompt folders. Every
interface (the one-shot commands, ``context``, the chat) opens its session
there and wires nothing itself, so ``codeassist context`` prints byte for
byte what ``edit`` sends. The session owns the conversation (files in the
chat, history, usage, the token calibration learned from the server) and
offers :meth:`ask`, :meth:`edit`, :meth:`context` and :meth:`undo`. It never
prints: it reports event dicts to a callback and returns values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.backends.base import Backend, Message, RequestOptions, Usage
from codeassist.errors import CodeassistError, ContextTooLongError, Interrupted, TaskFailed, UsageError
from codeassist.run import Mode, Reply, RunOptions, RunResult, Status, error_text
from codeassist.signals import Terminated

if TYPE_CHECKING:
    from codeassist.agent.options import AgentOptions
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.backends.model_facts import ModelFacts
    from codeassist.checks import CheckResult
    from codeassist.commits import UndoResult
    from codeassist.config import Settings
    from codeassist.context import BuiltContext
    from codeassist.pending import PendingCommit
    from codeassist.shell import ShellResult
    from codeassist.transaction import Review
    from codeassist.workspace import Workspace

__all__ = ["OpenOptions", "RunOptions", "RunResult", "Session", "error_text"]

EventSink = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class OpenOptions:
    """What an interface read from its command line: where to start, and the flags that override settings."""

    start: Path
    environ: Mapping[str, str]
    config_file: Path | None = None
    flags: Mapping[str, Any] = field(default_factory=dict)  # setting name -> value (None: not given)
    require_repo: bool = True  # edit and the chat commit through git; ask and context work anywhere
    need_model: bool = True  # False: the model's facts are read, the model is never called (context)
    # False: no network at all for the model's facts (apply, undo, map: they need no model)
    ask_server: bool = True


def resolve_model(
    settings: Settings, environ: Mapping[str, str], *, discover: bool = True, strict: bool = True
) -> ModelFacts:
    """The model to use and its facts (discovery, early checks, the window from the server), before any work.

    ``strict`` False (commands that only show things) falls back to what is
    known offline when the server cannot be asked, with a note.
    """
    from codeassist.backends.facts_cache import cache_dir
    from codeassist.backends.model_facts import resolve

    try:
        return resolve(settings, environ, cache_dir(environ), discover=discover)
    except CodeassistError as exc:
        if strict:
            raise
        facts = resolve(settings, environ, cache_dir(environ), fetch=False, discover=False, check=False)
        if settings.model:  # with no model at all, the defaults apply without a word
            facts = replace(facts, notes=(*facts.notes, exc.message))
        return facts


@dataclass
class Conversation:
    """What a chat remembers between requests."""

    mode: Mode = "edit"
    files: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    history: list[Message] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    requests: int = 0
    last_commit: str | None = None
    last_changed: tuple[str, ...] = ()

    def has_content(self) -> bool:
        """Whether there is anything worth saving (files, history or a request)."""
        return bool(self.files or self.read_only or self.history or self.requests)


class Session:
    """Runs requests against one repository with one backend; see the module docstring."""

    def __init__(
        self,
        backend: Backend | None,
        *,
        root: Path,
        settings: Settings,
        model_info: ModelInfo,
        on_event: EventSink | None = None,
        confirm_files: Callable[[list[str]], bool] | None = None,
        environ: Mapping[str, str] | None = None,
        user_config_dir: Path | None = None,
        workspace: Workspace | None = None,
        data_dir: Path | None = None,
        own_record: bool = True,
    ) -> None:
        from codeassist.prompts import prompt_dirs
        from codeassist.tokens import Calibration
        from codeassist.workspace import Workspace

        self.backend = backend
        self.workspace = workspace if workspace is not None else Workspace.find(root)
        self.root = self.workspace.root if self.workspace is not None else root.resolve()
        self.settings = settings
        self.info = model_info
        self.data_dir = data_dir  # where the opt-in record lives (None: the user's data directory)
        # False: the caller's sink is used as given (eval's requests are not the user's; tests inject a recorder).
        self.own_record = own_record
        self.on_event = on_event
        self.confirm_files = confirm_files
        self.environ = environ
        self.user_config_dir = user_config_dir
        self.prompt_dirs = prompt_dirs(self.root, user_config_dir)
        self.chat = Conversation()
        self.review: Review | None = None  # the chat's review mode: sees each change before it lands
        self.usage = Usage()  # the current request's, so far
        self.notes: tuple[str, ...] = ()  # what Session.open found worth telling (the model discovered...)
        # Set once the server refused a prompt as too long: the smaller window of this request's one retry.
        self._window_cap: int | None = None
        # Learns from the usage the server reports how our offline estimates compare, for later budgets.
        self.calibration = Calibration(settings.model)

    # -- the one wiring point -------------------------------------------------------
    @classmethod
    def open(
        cls,
        options: OpenOptions,
        *,
        on_event: EventSink | None = None,
        confirm_files: Callable[[list[str]], bool] | None = None,
    ) -> Session:
        """Resolve the repository, settings, backend, model facts, edit format and prompt folders, once.

        Raises GitError outside a repository (when ``require_repo``),
        ConfigError for bad settings or no usable model (when ``need_model``),
        UsageError for a bad flag value.
        """
        from codeassist.backends.catalogue import lookup_model
        from codeassist.config import load_settings, user_config_path
        from codeassist.workspace import Workspace

        start = options.start
        if not start.is_dir():
            raise UsageError(f"not a directory: {start}")
        if options.require_repo:
            ws: Workspace | None = Workspace.open(start, environ=options.environ)
        else:
            ws = Workspace.find(start, environ=options.environ)
        root = ws.root if ws is not None else start.resolve()
        settings = load_settings(
            repo_root=root if ws is not None else None,
            environ=options.environ,
            config_file=options.config_file,
            flags=dict(options.flags),
        )
        notes: tuple[str, ...] = ()
        if options.ask_server or options.need_model:
            facts = resolve_model(settings, options.environ, strict=options.need_model)
            settings, info, notes = facts.settings, facts.info, facts.notes
        else:
            info = lookup_model(settings.model or "", settings.models)
        backend = None
        if options.need_model:
            from codeassist.backends.registry import create_backend

            backend = create_backend(settings, options.environ)
        session = cls(
            backend,
            root=root,
            settings=settings,
            model_info=info,
            on_event=on_event,
            confirm_files=confirm_files,
            environ=options.environ,
            user_config_dir=user_config_path(options.environ).parent,
            workspace=ws,
        )
        session.notes = notes
        session.edit_format()  # a bad configured format is reported now, not mid-request
        if ws is not None:
            ws.lock.wait_s = settings.lock_timeout
        return session

    def close(self) -> None:
        if self.workspace is not None:
            self.workspace.close()

    def switch_model(self, name: str) -> None:
        """Use model ``name`` from now on (the chat's ``/model``); the conversation stays."""
        from codeassist.backends.registry import create_backend
        from codeassist.tokens import Calibration

        # Checked (key, prefix, server) and built before anything changes: a refusal leaves the chat as it was.
        facts = resolve_model(self.settings.with_overrides(model=name), self.environ or {}, discover=False)
        backend = create_backend(facts.settings, self.environ)
        self.settings, self.backend, self.info = facts.settings, backend, facts.info
        self.notes = facts.notes
        self.calibration = Calibration(name)

    @contextlib.contextmanager
    def using_model(self, name: str) -> Iterator[None]:
        """Use model ``name`` for what runs inside (the architect's plan), then the session's own again."""
        saved = (self.settings, self.backend, self.info, self.calibration)
        self.switch_model(name)
        try:
            yield
        finally:
            self.settings, self.backend, self.info, self.calibration = saved

    # -- events --------------------------------------------------------------------------
    @property
    def on_event(self) -> EventSink:
        return self._sink

    @on_event.setter
    def on_event(self, sink: EventSink | None) -> None:
        """Report to ``sink`` (the interface's renderer), through the opt-in record (``record = true``)."""
        from codeassist.learn.record import default_data_dir, wrap_sink

        if not self.own_record:
            self._sink = sink or (lambda event: None)
            return
        data_dir = self.data_dir if self.data_dir is not None else default_data_dir()
        self._sink = wrap_sink(self.settings, data_dir, sink, root=self.root)

    # -- resolved facts -------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.settings.model or self.info.name

    def edit_format(self, flag: str | None = None) -> str:
        """The edit format: the flag, else the setting, else the model's catalogue entry."""
        from codeassist.edits.formats import check_edit_format

        if flag is not None:
            return check_edit_format(flag, source="flag")
        if self.settings.edit_format:
            return check_edit_format(self.settings.edit_format, source="setting")
        return check_edit_format(self.info.edit_format, source="setting")

    def typed(self, path: str | Path) -> str:
        """A path the user typed, relative to where they typed it, as a repository path."""
        from codeassist.workspace import typed_path

        if self.workspace is not None:
            return self.workspace.typed(path)
        return typed_path(self.root, path, cwd=self.root)

    # -- events and the model -----------------------------------------------------------
    def _emit(self, kind: str, **data: Any) -> None:
        self.on_event({"type": kind, **data})

    def _stream(self, messages: Sequence[Message], *, tools: Sequence[Any] = (), quiet: bool = False) -> Reply:
        from codeassist.tokens import estimate_tokens

        if self.backend is None:
            raise TaskFailed("this session was opened without a model")
        options = RequestOptions(
            model=self.info.name if self.settings.model is None else self.settings.model,
            temperature=self.settings.temperature,
            max_output_tokens=self._max_output_setting(),
            tools=tuple(tools),
        )
        parts: list[str] = []
        calls = []
        usage = Usage()
        finish: str | None = None
        estimate = sum(estimate_tokens(m.content, self.settings.model) for m in messages)
        for event in self.backend.stream(list(messages), options):
            if event.kind == "delta":
                parts.append(event.text)
                if not quiet:
                    self._emit("delta", text=event.text)
            elif event.kind == "tool_call" and event.tool_call is not None:
                calls.append(event.tool_call)
            elif event.kind == "usage" and event.usage is not None:
                usage = usage + event.usage
            elif event.kind == "done":
                finish = event.finish_reason
        self.usage = self.usage + usage
        self._emit("exchange", messages=[m.to_openai() for m in messages], reply="".join(parts), quiet=quiet,
                   tool_calls=[{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls])  # fmt: skip
        if usage.input_tokens and not usage.estimated:
            self.calibration.observe(estimate, usage.input_tokens)
        self._emit("usage", **usage.to_json(), total=self.usage.to_json())
        return Reply("".join(parts), tuple(calls), usage, finish)

    def _max_output_setting(self) -> int | None:
        """The reply limit sent with a request: only one the user set (the server's default otherwise)."""
        chosen = self.settings.max_output_tokens
        given = self.settings.source("max_output_tokens") in ("flag", "env", "user", "repo")
        return int(chosen) if chosen is not None and given else None

    # -- context ------------------------------------------------------------------------
    def context(
        self,
        request: str,
        *,
        mode: Mode = "edit",
        files: Sequence[str] = (),
        read_only: Sequence[str] = (),
        history: Sequence[Message] = (),
        edit_format: str | None = None,
        map_tokens: int | None = None,
        window: int | None = None,
    ) -> BuiltContext:
        """The messages a request would send (``codeassist context``, ``/context`` and every round alike).

        ``window`` (tokens, the reply's reserve included) narrows the model's: an agent's first context
        leaves room for the conversation that follows it.
        """
        from codeassist.context import build_context, request_from_settings

        ws = self.workspace
        req = request_from_settings(
            self.settings,
            self.info,
            self.root,
            request,
            mode=mode,
            edit_format=self.edit_format(edit_format),
            chat_files=files,
            read_only_files=read_only,
            history=history,
            map_tokens=map_tokens,
            context_window=window or self._calibrated_window(),
        )
        if ws is not None:
            req = replace(req, repo_files=tuple(ws.files()), hidden=ws.hidden_reason)
        return build_context(req, prompt_dirs=self.prompt_dirs)

    def _round_context(
        self,
        opts: RunOptions,
        files: Sequence[str],
        read_only: Sequence[str],
        history: Sequence[Message],
        window: int | None = None,
    ) -> BuiltContext:
        built = self.context(
            opts.request,
            mode=opts.mode,
            files=files,
            read_only=read_only,
            history=history,
            edit_format=opts.edit_format,
            map_tokens=opts.map_tokens,
            window=window,
        )
        self._emit(
            "context",
            parts=[{"name": p.name, "tokens": p.tokens, "detail": p.detail} for p in built.parts],
            files=list(built.files),
            read_only=list(built.read_only),
            total_tokens=built.total_tokens,
            budget=built.budget,
        )
        return built

    def _calibrated_window(self) -> int:
        """The window in estimated tokens: the real one scaled by how our estimates compare with the server's."""
        reserve = self.info.max_output_tokens
        room = max(0, self.info.context_window - reserve)
        window = reserve + int(room / self.calibration.factor)
        return window if self._window_cap is None else min(window, self._window_cap)

    def shrink_after(self, exc: ContextTooLongError, built: BuiltContext) -> bool:
        """After the server refused ``built`` as too long: True with a smaller window for one retry, else False."""
        from codeassist.context_shrink import smaller_window

        if self._window_cap is not None:
            return False
        self._window_cap = smaller_window(exc.limit, built.total_tokens, self.info.max_output_tokens)
        self._emit("context.shrunk", window=self._window_cap, refused_tokens=built.total_tokens)
        return True

    # -- ask -------------------------------------------------------------------------------
    def ask(self, opts: RunOptions) -> RunResult:
        self.usage, self._window_cap = Usage(), None
        self._emit("start", mode="ask", request=opts.request, model=self.info.name)
        try:
            built = self._round_context(opts, opts.files, opts.read_only, opts.history)
            try:
                reply = self._stream(built.messages)
            except ContextTooLongError as exc:
                if not self.shrink_after(exc, built):
                    raise
                reply = self._stream(self._round_context(opts, opts.files, opts.read_only, opts.history).messages)
        except KeyboardInterrupt:
            return self._error(Interrupted(), "", 130)
        except Terminated as exc:
            return self._error(Interrupted(f"terminated by {exc.name}"), "", exc.exit_code)
        except CodeassistError as exc:
            return self._error(exc, "", exc.exit_code)
        if not reply.text.strip():
            errors = ("the model returned an empty answer",)
            return self._finish(RunResult("failed", reply.text, rounds=1, errors=errors, exit_code=1))
        return self._finish(RunResult("success", reply.text, rounds=1))

    # -- edit ------------------------------------------------------------------------------
    def edit(self, opts: RunOptions) -> RunResult:
        """One request end to end, in one Workspace transaction: a checked, committed change or nothing."""
        from codeassist.edit_loop import EditLoop
        from codeassist.transaction import Transaction, policy_from

        ws = self.workspace
        if ws is None:
            return self._finish(self._result_of(UsageError("codeassist edit needs a git repository"), "", 0))
        self.usage, self._window_cap = Usage(), None
        fmt = self.edit_format(opts.edit_format)
        self._emit("start", mode="edit", request=opts.request, model=self.info.name, edit_format=fmt)
        committing = opts.commit and bool(self.settings.auto_commit) and not opts.dry_run
        policy = replace(policy_from(self.settings, commit=committing), model=self.info.name)
        loop: EditLoop | None = None
        tx = Transaction(ws, policy)
        try:
            with tx:
                loop = EditLoop(self._loop_parts(opts, fmt), tx, opts)
                result = loop.run()
        except (KeyboardInterrupt, Terminated, CodeassistError) as exc:
            reply, rounds = (loop.last_reply, loop.rounds) if loop is not None else ("", 0)
            return self._finish(self._interrupted(exc, tx, reply, rounds))
        return self._finish(result)

    def agent(self, opts: RunOptions, agent: AgentOptions | None = None) -> RunResult:
        """One request in agent mode (:mod:`codeassist.agent`), in one Workspace transaction like :meth:`edit`.

        Raises UsageError (no repository, ``dry_run``, a bad approval level or step limit) and ConfigError
        (a bad ``approval`` setting, a model known not to call tools) before anything runs; everything
        later ends in the returned result.
        """
        from codeassist.agent.loop import AgentLoop
        from codeassist.agent.options import AgentOptions, policy_from, require_tools
        from codeassist.transaction import Transaction
        from codeassist.transaction import policy_from as commit_policy

        ws = self.workspace
        if ws is None:
            raise UsageError("agent mode needs a git repository")
        if opts.dry_run:
            # Each edit lands as the model makes it (later tools read it): there is no diff to show instead.
            raise UsageError("--dry-run is not available in agent mode", hint="use --no-commit, then git diff")
        require_tools(self.info, self.model_name)
        self.usage = Usage()
        policy = policy_from(self.settings, agent or AgentOptions())
        start = {"request": opts.request, "model": self.info.name, "edit_format": "tool", "approval": policy.approval}
        self._emit("start", mode="agent", **start)
        for note in policy.notes:
            self._emit("notice", message=note)
        committing = opts.commit and bool(self.settings.auto_commit)
        tx = Transaction(ws, replace(commit_policy(self.settings, commit=committing), model=self.info.name))
        loop: AgentLoop | None = None
        try:
            with tx:
                parts = self._agent_parts(opts, tx, read_only=policy.approval == "read-only")
                loop = AgentLoop(parts, self._tool_env(ws, tx, policy), opts)
                result = loop.run()
        except (KeyboardInterrupt, Terminated, CodeassistError) as exc:
            reply, steps = (loop.last_reply, loop.steps) if loop is not None else ("", 0)
            return self._finish(self._interrupted(exc, tx, reply, steps))
        return self._finish(result)

    def _agent_parts(self, opts: RunOptions, tx: Any, *, read_only: bool) -> Any:
        from codeassist.agent.loop import AgentParts
        from codeassist.edit_loop import commit_message
        from codeassist.tokens import estimate_tokens

        mode: Mode = "ask" if opts.mode == "ask" or read_only else "edit"  # read-only: files shown as for ask
        model = self.settings.model
        reserve = self.info.max_output_tokens
        # The first context takes at most half the room: the tool calls and results that follow need the rest.
        first_window = reserve + max(0, self._calibrated_window() - reserve) // 2
        return AgentParts(
            model=self._stream,
            context=lambda o: self._round_context(
                replace(o, mode=mode, edit_format="tool"), o.files, o.read_only, o.history, first_window
            ),
            checks=self._checks,
            commit_message=lambda paths: commit_message(self._stream, tx, opts.request, self.prompt_dirs, paths),
            usage=lambda: self.usage,
            count=lambda text: estimate_tokens(text, model),
            budget=max(0, self._calibrated_window() - self.info.max_output_tokens),
            prompt_dirs=self.prompt_dirs,
        )

    def _tool_env(self, ws: Workspace, tx: Any, policy: Any) -> Any:
        from codeassist.agent.approval import bubblewrap
        from codeassist.agent.search import ripgrep
        from codeassist.agent.specs import tools_for
        from codeassist.agent.toolbox import ToolEnv

        s = self.settings
        sandbox = bubblewrap(self.environ) if policy.approval == "full-auto" else None
        if policy.approval == "full-auto" and sandbox is None:
            self._emit("notice", message="full-auto: no sandbox here (bubblewrap not found); each command asks")
        return ToolEnv(
            ws=ws, tx=tx, policy=policy, tools=tools_for(policy.approval, test_cmd=s.test_cmd, lint_cmd=s.lint_cmd),
            emit=self._emit, environ=self.environ, test_cmd=s.test_cmd, lint_cmd=s.lint_cmd, bwrap=sandbox,
            rg=ripgrep(self.environ), model=s.model,
        )  # fmt: skip

    def _loop_parts(self, opts: RunOptions, fmt: str) -> Any:
        from codeassist.edit_loop import LoopParts

        ws = self.workspace
        assert ws is not None
        max_rounds = self.settings.max_rounds if opts.max_rounds is None else opts.max_rounds
        return LoopParts(
            model=self._stream,
            context=self._round_context,
            shrink=self.shrink_after,
            checks=self._checks,
            emit=self._emit,
            visible=self._visible,
            allow=lambda paths: self._allow(opts, paths),
            files=ws.paths(),
            prompt_dirs=self.prompt_dirs,
            edit_format=fmt,
            max_rounds=max_rounds,
            review=self.review,
        )

    def _checks(self, paths: Sequence[str], before: Mapping[str, bytes | None]) -> list[CheckResult]:
        from codeassist.checks import run_checks

        return run_checks(
            self.root,
            paths,
            lint_cmd=self.settings.lint_cmd,
            test_cmd=self.settings.test_cmd,
            environ=self.environ,
            before=before,
        )

    def _visible(self, asked: Sequence[str]) -> list[str]:
        """Of the paths a model asked for, the existing files the file rule lets it see."""
        ws = self.workspace
        if ws is None:
            return []
        known = set(ws.files())
        return [p for p in dict.fromkeys(asked) if p in known and ws.hidden_reason(p) is None]

    def _allow(self, opts: RunOptions, paths: list[str]) -> bool:
        if opts.auto_add_files or self.settings.auto_add_files:
            return True
        return self.confirm_files is not None and self.confirm_files(paths)

    def _interrupted(self, exc: BaseException, tx: Any, reply: str, rounds: int) -> RunResult:
        """The result of a request that stopped on an error or a signal, after the transaction restored."""
        if isinstance(exc, Terminated):
            error: CodeassistError = Interrupted(f"terminated by {exc.name}")
            code = exc.exit_code
        elif isinstance(exc, KeyboardInterrupt):
            error, code = Interrupted(), 130
        else:
            assert isinstance(exc, CodeassistError)
            error, code = exc, exc.exit_code
        result = self._result_of(error, reply, code, rounds=rounds)
        restored = tx.restored
        extra = (["put back as they were before the request: " + ", ".join(restored)] if restored else [])
        return replace(result, errors=result.errors + tuple(extra) + tuple(tx.notes))

    def _result_of(self, exc: CodeassistError, reply: str, code: int, *, rounds: int = 1) -> RunResult:
        status: Status = "failed" if isinstance(exc, TaskFailed) else "error"
        return RunResult(status, reply, rounds=rounds, errors=(error_text(exc),), exit_code=code)

    def _error(self, exc: CodeassistError, reply: str, code: int, *, rounds: int = 1) -> RunResult:
        return self._finish(self._result_of(exc, reply, code, rounds=rounds))

    def _finish(self, result: RunResult) -> RunResult:
        result = replace(result, usage=self.usage)
        self.chat.usage = self.chat.usage + self.usage
        self.chat.requests += 1
        self._emit("result", **result.to_json())
        return result

    # -- undo --------------------------------------------------------------------------------
    def undo(self) -> UndoResult:
        """Revert the last commit codeassist made, under the repository lock."""
        from codeassist.commits import undo_last
        from codeassist.errors import GitError

        ws = self.workspace
        if ws is None:
            raise GitError(f"not a git repository: {self.root}")
        ws.lock.acquire()
        try:
            return undo_last(ws.root)
        finally:
            ws.lock.release()
            ws.forget_listing()

    # -- the chat's own commands: the user's commit, a shell command --------------------------
    def commit_pending(self, message: str | None = None) -> PendingCommit:
        """Commit the user's pending changes (``/commit``), with ``message`` or one the model writes."""
        from codeassist.commit_message import write_commit_message
        from codeassist.errors import GitError
        from codeassist.pending import commit_pending

        ws = self.workspace
        if ws is None:
            raise GitError(f"not a git repository: {self.root}")
        self.usage = Usage()
        try:
            return commit_pending(
                ws, message, lambda diff: write_commit_message(self._stream, diff, prompt_dirs=self.prompt_dirs)
            )
        finally:
            self.chat.usage = self.chat.usage + self.usage  # the message's tokens count for the chat

    def run_shell(self, command: str, echo: Callable[[str], None] | None = None) -> ShellResult:
        """Run ``command`` through the shell in the repository (``/run``, ``!``, ``/test``, ``/lint``)."""
        from codeassist.shell import run_shell

        return run_shell(command, self.root, environ=self.environ, echo=echo)
