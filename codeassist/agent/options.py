"""How an agent request runs: its approval level, the commands allowed by pattern, its bounds.

Read once from the settings (``mode``, ``approval``, ``allow_commands``,
``max_steps``, ``max_request_tokens``, ``max_request_cost``) and the flags;
a bad value from a flag is a usage error (exit 2), from a setting a
configuration error (exit 3).

A repository's own ``.codeassist.toml`` may narrow what runs but never widen
it: its ``allow_commands`` are ignored and its ``full-auto`` counts as
``auto-edit`` (a cloned repository must not be able to run commands on the
user's machine unasked); :attr:`AgentPolicy.notes` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from codeassist.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.config import Settings

Approval = Literal["read-only", "auto-edit", "full-auto"]
APPROVALS: tuple[Approval, ...] = ("read-only", "auto-edit", "full-auto")
MODES = ("classic", "agent")

# (command, why it asks) -> the user's answer; None when nobody can be asked (no terminal).
ConfirmCommand = Callable[[str, str], bool]


@dataclass(frozen=True)
class AgentOptions:
    """What an interface adds to a request in agent mode (None: the setting)."""

    approval: str | None = None
    max_steps: int | None = None
    confirm_command: ConfirmCommand | None = None


@dataclass(frozen=True)
class AgentPolicy:
    """The resolved options of one agent request."""

    approval: Approval
    allow_commands: tuple[str, ...]
    max_steps: int
    max_tokens: int | None  # input + output tokens of the whole request; None: no limit
    max_cost: float | None  # USD, when the model's prices are known; None: no limit
    confirm_command: ConfirmCommand | None = None
    notes: tuple[str, ...] = ()  # settings of the repository's config that were not followed


def check_mode(value: str | None, *, source: str) -> str:
    mode = value or "classic"
    if mode not in MODES:
        error = UsageError if source == "flag" else ConfigError
        raise error(f"unknown mode {mode!r}", hint="use classic or agent")
    return mode


def check_approval(value: str, *, source: str) -> Approval:
    if value not in APPROVALS:
        error = UsageError if source == "flag" else ConfigError
        raise error(f"unknown approval level {value!r}", hint="use one of: " + ", ".join(APPROVALS))
    return cast(Approval, value)


def policy_from(settings: Settings, options: AgentOptions) -> AgentPolicy:
    """The policy of one request; UsageError for a bad flag, ConfigError for a bad setting."""
    notes: list[str] = []
    if options.approval is not None:
        approval = check_approval(options.approval, source="flag")
    else:
        approval = check_approval(settings.approval, source="setting")
        if approval == "full-auto" and settings.source("approval") == "repo":
            approval = "auto-edit"
            notes.append("the repository's .codeassist.toml asks for full-auto; only your own config or --approval can")
    allow = tuple(settings.allow_commands)
    if allow and settings.source("allow_commands") == "repo":
        allow = ()
        notes.append("the repository's .codeassist.toml sets allow_commands; only your own config can allow commands")
    steps = settings.max_steps if options.max_steps is None else options.max_steps
    if steps < 1:
        raise UsageError("the step limit must be at least 1")
    return AgentPolicy(
        approval=approval,
        allow_commands=allow,
        max_steps=steps,
        max_tokens=settings.max_request_tokens or None,
        max_cost=settings.max_request_cost or None,
        confirm_command=options.confirm_command,
        notes=tuple(notes),
    )


def no_tools_message(info: ModelInfo, model: str) -> str | None:
    """Why agent mode cannot run with this model (it is known not to call tools), or None.

    A model nobody described (``tools`` unknown) may try: the server says so
    if it cannot (see :func:`codeassist.backends.openai_errors.tools_refused`).
    """
    if info.tools is not False:
        return None
    return f"{model} does not call tools (so says the {info.tools_source}), and agent mode works through tool calls"


NO_TOOLS_HINT = (
    'use classic mode (edit without --agent, /agent off, mode = "classic"), or a model that calls tools '
    '(`codeassist models` shows which do); if this one does, say so in your config: [models."NAME"] tools = true'
)


def require_tools(info: ModelInfo, model: str) -> None:
    """ConfigError (exit 3) when ``model`` is known not to call tools: the mode and the model do not go together."""
    message = no_tools_message(info, model)
    if message is not None:
        raise ConfigError(message, hint=NO_TOOLS_HINT.replace("NAME", model))
