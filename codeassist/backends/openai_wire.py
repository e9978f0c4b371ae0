"""The OpenAI wire formats: our values -> request parameters, SDK objects -> StreamEvents.

Two APIs are spoken: Chat Completions (``/chat/completions``) and Responses
(``/responses``), each streamed or whole. Parsing reads SDK objects through
:func:`_get` so that a lenient server that leaves fields out (many
OpenAI-compatible servers do) still works; what cannot be understood raises
:class:`StreamUnfinished` or ``ValueError`` for the backend to translate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from codeassist.backends.base import Message, RequestOptions, StreamEvent, ToolCall, ToolSpec, Usage


class StreamUnfinished(Exception):
    """The stream ended cleanly but without its terminating event."""


class StreamFailed(Exception):
    """The server reported an error inside the stream."""

    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Progress:
    """What one request has delivered so far (decides whether a retry is safe)."""

    chars: int = 0
    events: int = 0
    usage: Usage | None = None
    finish_reason: str | None = None


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    value = getattr(obj, name, default)
    return default if value is None else value


# -- requests -----------------------------------------------------------------------


def chat_params(messages: Sequence[Message], options: RequestOptions, *, reasoning: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"model": options.model, "messages": [m.to_openai() for m in messages]}
    if options.temperature is not None and not reasoning:
        params["temperature"] = options.temperature
    if options.max_output_tokens is not None:
        params["max_completion_tokens" if reasoning else "max_tokens"] = options.max_output_tokens
    if options.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": dict(t.parameters)},
            }
            for t in options.tools
        ]
    params.update(options.extra)
    return params


def responses_params(messages: Sequence[Message], options: RequestOptions, *, reasoning: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"model": options.model, "input": responses_input(messages), "store": False}
    if options.temperature is not None and not reasoning:
        params["temperature"] = options.temperature
    if options.max_output_tokens is not None:
        params["max_output_tokens"] = options.max_output_tokens
    if options.tools:
        params["tools"] = [_responses_tool(t) for t in options.tools]
    params.update(options.extra)
    return params


def _responses_tool(tool: ToolSpec) -> dict[str, Any]:
    return {"type": "function", "name": tool.name, "description": tool.description, "parameters": dict(tool.parameters)}


def responses_input(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages as Responses input items; tool calls and results become their own items."""
    items: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            items.append({"type": "function_call_output", "call_id": m.tool_call_id or "", "output": m.content})
            continue
        if m.content or not m.tool_calls:
            items.append({"role": m.role, "content": m.content})
        for c in m.tool_calls:
            items.append({"type": "function_call", "call_id": c.id, "name": c.name, "arguments": c.arguments})
    return items


# -- usage ----------------------------------------------------------------------------


def chat_usage(raw: Any) -> Usage:
    details = _get(raw, "prompt_tokens_details")
    return Usage(
        input_tokens=int(_get(raw, "prompt_tokens", 0)),
        cached_input_tokens=int(_get(details, "cached_tokens", 0)) if details is not None else 0,
        output_tokens=int(_get(raw, "completion_tokens", 0)),
    )


def responses_usage(raw: Any) -> Usage:
    details = _get(raw, "input_tokens_details")
    return Usage(
        input_tokens=int(_get(raw, "input_tokens", 0)),
        cached_input_tokens=int(_get(details, "cached_tokens", 0)) if details is not None else 0,
        output_tokens=int(_get(raw, "output_tokens", 0)),
    )


# -- Chat Completions -----------------------------------------------------------------


def chat_stream_events(chunks: Iterable[Any], progress: Progress) -> Iterator[StreamEvent]:
    """Deltas as they come; tool calls assembled from fragments; then usage and done.

    Usage and done are not yielded here: the caller adds them, since usage
    may arrive in a chunk after the finish reason.
    """
    calls: dict[int, list[str]] = {}  # index -> [id, name, arguments]
    finish: str | None = None
    for chunk in chunks:
        usage = _get(chunk, "usage")
        if usage is not None:
            progress.usage = chat_usage(usage)
        for choice in _get(chunk, "choices", []) or []:
            if _get(choice, "index", 0) != 0:
                continue
            delta = _get(choice, "delta")
            text = _get(delta, "content") if delta is not None else None
            if text:
                progress.chars += len(text)
                progress.events += 1
                yield StreamEvent("delta", text=text)
            for frag in (_get(delta, "tool_calls") or []) if delta is not None else []:
                _add_fragment(calls, frag, progress)
            finish = _get(choice, "finish_reason") or finish
    if finish is None:
        # Some local servers end a good stream without a finish reason; a cut
        # connection raises in the SDK instead, so only an empty reply is suspect.
        if not progress.events:
            raise StreamUnfinished()
        finish = "stop"
    for index in sorted(calls):
        call_id, name, arguments = calls[index]
        yield StreamEvent("tool_call", tool_call=ToolCall(call_id or f"call_{index}", name, arguments))
    progress.finish_reason = finish


def _add_fragment(calls: dict[int, list[str]], frag: Any, progress: Progress) -> None:
    index = int(_get(frag, "index", 0))
    slot = calls.setdefault(index, ["", "", ""])
    if _get(frag, "id"):
        slot[0] = _get(frag, "id")
    function = _get(frag, "function")
    if function is not None:
        slot[1] += _get(function, "name", "") if not slot[1] else ""
        args = _get(function, "arguments", "")
        slot[2] += args
        progress.chars += len(args)
        progress.events += 1


def chat_whole_events(completion: Any) -> Iterator[StreamEvent]:
    choices = _get(completion, "choices", []) or []
    if not choices:
        raise ValueError("the reply has no choices")
    message = _get(choices[0], "message")
    text = _get(message, "content") if message is not None else None
    if text:
        yield StreamEvent("delta", text=text)
    for i, call in enumerate((_get(message, "tool_calls") or []) if message is not None else []):
        function = _get(call, "function")
        yield StreamEvent(
            "tool_call",
            tool_call=ToolCall(
                _get(call, "id", f"call_{i}"), _get(function, "name", ""), _get(function, "arguments", "")
            ),
        )
    usage = _get(completion, "usage")
    if usage is not None:
        yield StreamEvent("usage", usage=chat_usage(usage))
    yield StreamEvent("done", finish_reason=_get(choices[0], "finish_reason", "stop"))


# -- Responses ------------------------------------------------------------------------


def responses_stream_events(events: Iterable[Any], progress: Progress) -> Iterator[StreamEvent]:
    """Text deltas, function calls (complete at ``output_item.done``); sets usage and finish."""
    saw_call = False
    for event in events:
        kind = _get(event, "type", "")
        if kind in ("response.output_text.delta", "response.refusal.delta"):
            text = _get(event, "delta", "")
            if text:
                progress.chars += len(text)
                progress.events += 1
                yield StreamEvent("delta", text=text)
        elif kind == "response.function_call_arguments.delta":
            progress.chars += len(_get(event, "delta", ""))
            progress.events += 1
        elif kind == "response.output_item.done":
            item = _get(event, "item")
            if _get(item, "type") == "function_call":
                saw_call = True
                call = ToolCall(
                    _get(item, "call_id") or _get(item, "id", ""), _get(item, "name", ""), _get(item, "arguments", "")
                )
                yield StreamEvent("tool_call", tool_call=call)
        elif kind in ("response.completed", "response.incomplete"):
            response = _get(event, "response")
            usage = _get(response, "usage")
            if usage is not None:
                progress.usage = responses_usage(usage)
            finish = "tool_calls" if saw_call else "stop"
            if kind == "response.incomplete":
                finish = "length" if _incomplete_reason(response) == "max_output_tokens" else "incomplete"
            progress.finish_reason = finish
            return
        elif kind in ("response.failed", "error"):
            raise _stream_failure(event)
    raise StreamUnfinished()


def _incomplete_reason(response: Any) -> str:
    return str(_get(_get(response, "incomplete_details"), "reason", "")) if response is not None else ""


def _stream_failure(event: Any) -> StreamFailed:
    error = _get(_get(event, "response"), "error") if _get(event, "type") == "response.failed" else event
    return StreamFailed(str(_get(error, "message", "the server reported a failure")), _get(error, "code"))


def responses_whole_events(response: Any) -> Iterator[StreamEvent]:
    saw_call = False
    for item in _get(response, "output", []) or []:
        kind = _get(item, "type")
        if kind == "message":
            for part in _get(item, "content", []) or []:
                if _get(part, "type") in ("output_text", "refusal"):
                    text = _get(part, "text") or _get(part, "refusal") or ""
                    if text:
                        yield StreamEvent("delta", text=text)
        elif kind == "function_call":
            saw_call = True
            call = ToolCall(
                _get(item, "call_id") or _get(item, "id", ""), _get(item, "name", ""), _get(item, "arguments", "")
            )
            yield StreamEvent("tool_call", tool_call=call)
    usage = _get(response, "usage")
    if usage is not None:
        yield StreamEvent("usage", usage=responses_usage(usage))
    status = _get(response, "status", "completed")
    finish = "tool_calls" if saw_call else "stop"
    if status == "incomplete":
        finish = "length" if _incomplete_reason(response) == "max_output_tokens" else "incomplete"
    yield StreamEvent("done", finish_reason=finish)
