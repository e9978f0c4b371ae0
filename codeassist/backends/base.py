"""The one small interface every model backend implements.

A backend turns a list of chat messages into a stream of :class:`StreamEvent`
values. The session receives a backend through its constructor; built-in and
third-party backends are found through the same entry-point group
(``codeassist.backends``, see :mod:`codeassist.backends.registry`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class Message:
    """One chat message. ``content`` is plain text.

    An assistant message that called tools carries them in ``tool_calls``; the
    answer to a call is a ``tool`` message with the call's ``tool_call_id``.
    """

    role: Role
    content: str
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()

    def to_openai(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.name:
            out["name"] = self.name
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        if self.tool_calls:
            out["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        return out


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call; ``parameters`` is a JSON schema."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """A complete function call made by the model; ``arguments`` is raw JSON text."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Usage:
    """Token usage of one request (or a sum of several).

    ``estimated`` is True when the server reported no usage and the numbers
    are offline estimates (then they must not calibrate the estimator).
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    estimated: bool = False

    def __add__(self, other: Usage) -> Usage:
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
            cost,
            self.estimated or other.estimated,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "estimated": self.estimated,
        }


@dataclass(frozen=True)
class StreamEvent:
    """One event of a streamed reply.

    ``delta``: a piece of reply text; ``tool_call``: a completed function call;
    ``usage``: the request's usage (sent once, at the end); ``done``: the
    stream finished normally, ``finish_reason`` says why ("stop", "length",
    "tool_calls", ...).
    """

    kind: Literal["delta", "tool_call", "usage", "done"]
    text: str = ""
    tool_call: ToolCall | None = None
    usage: Usage | None = None
    finish_reason: str | None = None


@dataclass(frozen=True)
class RequestOptions:
    """Per-request options; ``None`` leaves the server's default."""

    model: str
    temperature: float | None = None
    max_output_tokens: int | None = None
    tools: Sequence[ToolSpec] = field(default_factory=tuple)
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    """Streams a reply from a model.

    Implementations raise only :class:`codeassist.errors.BackendError`
    subclasses (after their own retries) and
    :class:`codeassist.errors.Interrupted`. A caller may stop iterating at any
    time; the implementation then releases its connection.
    """

    name: str

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]: ...

    def list_models(self) -> list[str]:
        """Model ids the endpoint serves (may raise BackendError)."""
        ...
