"""The values of one request: what to run (:class:`RunOptions`) and what happened (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from codeassist.backends.base import Message, ToolCall, Usage
from codeassist.checks import CheckResult
from codeassist.errors import CodeassistError

Status = Literal["success", "failed", "error"]
Mode = Literal["ask", "edit"]


@dataclass(frozen=True)
class RunOptions:
    """One request. ``files`` and ``read_only`` are repository paths; ``history`` earlier turns, oldest first."""

    mode: Mode
    request: str
    files: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    edit_format: str | None = None  # None: the session's (settings, then the model's catalogue entry)
    max_rounds: int | None = None  # None: the max_rounds setting
    commit: bool = True
    dry_run: bool = False
    auto_add_files: bool = False
    map_tokens: int | None = None
    history: tuple[Message, ...] = ()
    # The request comes from the interactive chat: a prose reply is the answer, shown at once.
    chat: bool = False


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


@dataclass(frozen=True)
class Reply:
    """A model's streamed reply, collected."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


def error_text(exc: CodeassistError) -> str:
    """An error and its hint as one line, for ``errors`` in results."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")
