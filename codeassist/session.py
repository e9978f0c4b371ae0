"""One conversation with a model about one repository: a request in, a checked change (or an answer) out.

The loop of ``edit``: build the context, stream the reply, apply its edits
(all or nothing), check the result, reflect failures back to the model for a
bounded number of rounds, then commit with a message the model writes. The
session never prints: it reports :class:`Event` values to a callback and
returns a :class:`RunResult`; the interfaces render both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeassist.backends.base import Backend, Message, RequestOptions, ToolCall, Usage
from codeassist.checks import CheckResult
from codeassist.errors import CodeassistError, Interrupted, TaskFailed

if TYPE_CHECKING:
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.config import Settings
    from codeassist.context import BuiltContext

Status = Literal["success", "failed", "error"]
EventSink = Callable[[dict[str, Any]], None]
MAX_FILE_REQUEST_ROUNDS = 3


@dataclass(frozen=True)
class RunOptions:
    mode: Literal["ask", "edit"]
    request: str
    files: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    edit_format: str = "search-replace"
    max_rounds: int = 3
    commit: bool = True
    dry_run: bool = False
    auto_add_files: bool = False
    map_tokens: int | None = None
    # Earlier turns of a conversation (the REPL's): sent before the request, oldest first.
    history: tuple[Message, ...] = ()


@dataclass(frozen=True)
class RunResult:
    status: Status
    reply: str
    files_changed: tuple[str, ...] = ()
    commit: str | None = None
    rounds: int = 0
    checks: tuple[CheckResult, ...] = ()
    usage: Usage = field(default_factory=Usage)
    errors: tuple[str, ...] = ()
    diff: str = ""
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reply": self.reply,
            "files_changed": list(self.files_changed),
            "commit": self.commit,
            "rounds": self.rounds,
            "checks": [c.to_json() for c in self.checks],
            "usage": self.usage.to_json(),
            "errors": list(self.errors),
            "diff": self.diff,  # what --dry-run would apply; empty otherwise
        }


def error_text(exc: CodeassistError) -> str:
    """An error and its hint as one line, for ``errors`` in results."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


@dataclass
class _Reply:
    text: str
    tool_calls: list[ToolCall]
    usage: Usage
    finish_reason: str | None


class Session:
    """Runs requests against one repository with one backend."""

    def __init__(
        self,
        backend: Backend,
        *,
        root: Path,
        settings: Settings,
        model_info: ModelInfo,
        on_event: EventSink | None = None,
        confirm_files: Callable[[list[str]], bool] | None = None,
        environ: Mapping[str, str] | None = None,
        user_config_dir: Path | None = None,
    ) -> None:
        self.backend = backend
        self.root = root
        self.settings = settings
        self.info = model_info
        self._emit_cb = on_event or (lambda event: None)
        self._confirm_files = confirm_files
        self._environ = environ
        from codeassist.prompts import prompt_dirs

        self.prompt_dirs = prompt_dirs(root, user_config_dir)
        self.usage = Usage()
        from codeassist.tokens import Calibration

        # Learns from the usage the server reports how our offline estimates compare, for later budgets.
        self.calibration = Calibration(settings.model)

    # -- events -----------------------------------------------------------
    def _emit(self, kind: str, **data: Any) -> None:
        self._emit_cb({"type": kind, **data})

    # -- the model ----------------------------------------------------------
    def _stream(self, messages: Sequence[Message], *, tools: Sequence[Any] = (), quiet: bool = False) -> _Reply:
        options = RequestOptions(
            model=self.info.name if self.settings.model is None else self.settings.model,
            temperature=self.settings.temperature,
            max_output_tokens=None,
            tools=tuple(tools),
        )
        parts: list[str] = []
        calls: list[ToolCall] = []
        usage = Usage()
        finish: str | None = None
        from codeassist.tokens import estimate_tokens

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
        if usage.input_tokens and not usage.estimated:
            self.calibration.observe(estimate, usage.input_tokens)
        self._emit("usage", **usage.to_json(), total=self.usage.to_json())
        return _Reply("".join(parts), calls, usage, finish)

    def _context(self, opts: RunOptions, files: Sequence[str], history: Sequence[Message]) -> BuiltContext:
        from codeassist.context import build_context, request_from_settings

        req = request_from_settings(
            self.settings,
            self.info,
            self.root,
            opts.request,
            mode=opts.mode,
            edit_format=opts.edit_format,
            chat_files=files,
            read_only_files=opts.read_only,
            history=history,
            map_tokens=opts.map_tokens,
            context_window=self._calibrated_window(),
        )
        built = build_context(req, prompt_dirs=self.prompt_dirs)
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
        return reserve + int(room / self.calibration.factor)

    # -- ask -----------------------------------------------------------------
    def ask(self, opts: RunOptions) -> RunResult:
        self._emit("start", mode="ask", request=opts.request, model=self.info.name)
        try:
            built = self._context(opts, opts.files, opts.history)
            reply = self._stream(built.messages)
        except KeyboardInterrupt:
            return self._error(Interrupted(), "", 130)
        except CodeassistError as exc:
            return self._error(exc, "", exc.exit_code)
        if not reply.text.strip():
            return self._finish(
                RunResult(
                    "failed",
                    reply.text,
                    rounds=1,
                    usage=self.usage,
                    errors=("the model returned an empty answer",),
                    exit_code=1,
                )
            )
        return self._finish(RunResult("success", reply.text, rounds=1, usage=self.usage))

    # -- edit ----------------------------------------------------------------
    def edit(self, opts: RunOptions) -> RunResult:
        from codeassist.edit_loop import EditLoop

        self._emit("start", mode="edit", request=opts.request, model=self.info.name, edit_format=opts.edit_format)
        loop = EditLoop(self, opts)
        try:
            result = loop.run()
        except Interrupted as exc:
            loop.restore()
            return self._error(exc, loop.last_reply, exc.exit_code, rounds=loop.rounds)
        except KeyboardInterrupt:
            loop.restore()
            return self._error(Interrupted(), loop.last_reply, 130, rounds=loop.rounds)
        except CodeassistError as exc:
            loop.restore()
            return self._error(exc, loop.last_reply, exc.exit_code, rounds=loop.rounds)
        return self._finish(result)

    def _error(self, exc: CodeassistError, reply: str, code: int, *, rounds: int = 1) -> RunResult:
        status: Status = "failed" if isinstance(exc, TaskFailed) else "error"
        return self._finish(
            RunResult(status, reply, rounds=rounds, usage=self.usage, errors=(error_text(exc),), exit_code=code)
        )

    def _finish(self, result: RunResult) -> RunResult:
        result = replace(result, usage=self.usage)
        self._emit("result", **result.to_json())
        return result
