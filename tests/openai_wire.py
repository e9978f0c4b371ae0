"""The OpenAI wire formats the loopback server speaks, and the scripted reply types.

Used by tests/openai_server.py (import the reply types from there); kept apart
so that the server module is about HTTP and this one about payloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Text:
    text: str
    chunk_size: int = 8
    delay: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached: int = 0
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Call:
    name: str
    arguments: str
    id: str | None = None


@dataclass(frozen=True)
class ToolCalls:
    calls: list[Call]
    text: str = ""
    chunk_size: int = 8


@dataclass(frozen=True)
class Fault:
    status: int
    body: Json | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def unauthorized() -> Fault:
        return Fault(
            401, error_body("Incorrect API key provided: sk-te***ey.", "invalid_request_error", "invalid_api_key")
        )

    @staticmethod
    def model_not_found(model: str = "no-such-model") -> Fault:
        msg = f"The model `{model}` does not exist or you do not have access to it."
        return Fault(404, error_body(msg, "invalid_request_error", "model_not_found"))

    @staticmethod
    def rate_limited(retry_after: str | None = "1") -> Fault:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return Fault(429, error_body("Rate limit reached for requests.", "requests", "rate_limit_exceeded"), headers)

    @staticmethod
    def server_error(status: int = 500) -> Fault:
        return Fault(status, error_body("The server had an error while processing your request.", "server_error", None))


@dataclass(frozen=True)
class ContextTooLong:
    limit: int = 128000
    requested: int = 130532


@dataclass(frozen=True)
class CutStream:
    text: str
    after_chunks: int = 2
    chunk_size: int = 8


@dataclass(frozen=True)
class Malformed:
    raw: bytes = b"data: {not json"
    after_chunks: int = 1


@dataclass(frozen=True)
class Hang:
    pass


Reply = Text | ToolCalls | Fault | ContextTooLong | CutStream | Malformed | Hang


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> Json:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


# Yielded by a stream plan where the connection must drop mid-body.
CUT = object()


@dataclass(frozen=True)
class _Plan:
    """What to send, whatever the API: text pieces, calls, usage, and how to end."""

    pieces: list[str]
    calls: list[Call]
    finish_reason: str
    usage: tuple[int, int, int]  # input, cached input, output
    delay: float = 0.0
    cut_after: int | None = None
    malformed: Malformed | None = None


def _plan(reply: Reply, body: Json) -> _Plan:
    prompt = json.dumps(body.get("messages") or body.get("input") or "")
    if isinstance(reply, Text):
        pieces = _split(reply.text, reply.chunk_size)
        inp = reply.input_tokens if reply.input_tokens is not None else max(1, len(prompt) // 4)
        out = reply.output_tokens if reply.output_tokens is not None else max(1, len(reply.text) // 4)
        return _Plan(pieces, [], reply.finish_reason, (inp, reply.cached, out), reply.delay)
    if isinstance(reply, ToolCalls):
        calls = [Call(c.name, c.arguments, c.id or f"call_{i}") for i, c in enumerate(reply.calls)]
        out = max(1, (len(reply.text) + sum(len(c.arguments) for c in calls)) // 4)
        return _Plan(_split(reply.text, reply.chunk_size), calls, "tool_calls", (max(1, len(prompt) // 4), 0, out))
    if isinstance(reply, CutStream):
        usage = (1, 0, 1)
        return _Plan(_split(reply.text, reply.chunk_size), [], "stop", usage, cut_after=reply.after_chunks)
    if isinstance(reply, Malformed):
        pieces = _split("partial reply text " * 4, 8)
        return _Plan(pieces, [], "stop", (1, 0, 1), malformed=reply)
    raise TypeError(f"not a streamable reply: {reply!r}")


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), max(1, size))]


def _sse(obj: Json, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return (head + "data: " + json.dumps(obj) + "\n\n").encode()


class Wire:
    def __init__(self, body: Json) -> None:
        self.body = body
        self.model = str(body.get("model", "test-model"))

    def whole(self, reply: Reply) -> Json:
        raise NotImplementedError

    def frames(self, plan: _Plan) -> list[tuple[bytes, bool]]:
        """Every SSE frame, each flagged whether it carries content (for cut/malformed counts)."""
        raise NotImplementedError

    def stream_events(self, reply: Reply) -> Any:
        plan = _plan(reply, self.body)
        sent = 0
        for frame, is_content in self.frames(plan):
            if is_content and plan.cut_after is not None and sent >= plan.cut_after:
                yield CUT
                return
            if is_content and plan.malformed is not None and sent >= plan.malformed.after_chunks:
                yield plan.malformed.raw + b"\n\n"
                return
            if is_content and plan.delay and sent:
                yield plan.delay
            yield frame
            sent += is_content


class ChatWire(Wire):
    def _chunk(self, delta: Json, finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return _sse(self._envelope("chat.completion.chunk", choices=[choice]))

    def _envelope(self, obj: str, **rest: Any) -> Json:
        return {"id": "chatcmpl-loopback", "object": obj, "created": 1700000000, "model": self.model, **rest}

    @staticmethod
    def _usage(usage: tuple[int, int, int]) -> Json:
        inp, cached, out = usage
        return {
            "prompt_tokens": inp,
            "completion_tokens": out,
            "total_tokens": inp + out,
            "prompt_tokens_details": {"cached_tokens": cached},
        }

    def frames(self, plan: _Plan) -> list[tuple[bytes, bool]]:
        out = [(self._chunk({"role": "assistant", "content": ""}), False)]
        out += [(self._chunk({"content": p}), True) for p in plan.pieces]
        for i, call in enumerate(plan.calls):
            head = {"index": i, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
            out.append((self._chunk({"tool_calls": [head]}), True))
            for frag in _split(call.arguments, 7):
                out.append((self._chunk({"tool_calls": [{"index": i, "function": {"arguments": frag}}]}), True))
        out.append((self._chunk({}, plan.finish_reason), False))
        if (self.body.get("stream_options") or {}).get("include_usage"):
            out.append(
                (_sse(self._envelope("chat.completion.chunk", choices=[], usage=self._usage(plan.usage))), False)
            )
        out.append((b"data: [DONE]\n\n", False))
        return out

    def whole(self, reply: Reply) -> Json:
        plan = _plan(reply, self.body)
        message: Json = {"role": "assistant", "content": "".join(plan.pieces) or None}
        if plan.calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in plan.calls
            ]
        choice = {"index": 0, "message": message, "finish_reason": plan.finish_reason, "logprobs": None}
        return self._envelope("chat.completion", choices=[choice], usage=self._usage(plan.usage))


class ResponsesWire(Wire):
    def _response(self, status: str, output: list[Json], usage: tuple[int, int, int] | None) -> Json:
        resp: Json = {
            "id": "resp_loopback",
            "object": "response",
            "created_at": 1700000000,
            "status": status,
            "model": self.model,
            "output": output,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
        if usage is not None:
            inp, cached, out = usage
            resp["usage"] = {
                "input_tokens": inp,
                "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
                "output_tokens": out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": inp + out,
            }
        return resp

    @staticmethod
    def _items(plan: _Plan) -> list[Json]:
        items: list[Json] = []
        if plan.pieces or not plan.calls:
            part = {"type": "output_text", "text": "".join(plan.pieces), "annotations": []}
            items.append(
                {"type": "message", "id": "msg_0", "status": "completed", "role": "assistant", "content": [part]}
            )
        for i, c in enumerate(plan.calls):
            items.append(
                {
                    "type": "function_call",
                    "id": f"fc_{i}",
                    "call_id": c.id,
                    "name": c.name,
                    "arguments": c.arguments,
                    "status": "completed",
                }
            )
        return items

    def frames(self, plan: _Plan) -> list[tuple[bytes, bool]]:
        seq = iter(range(10**6))

        def ev(type_: str, content: bool = False, **fields: Any) -> tuple[bytes, bool]:
            return _sse({"type": type_, "sequence_number": next(seq), **fields}, type_), content

        out = [ev("response.created", response=self._response("in_progress", [], None))]
        for index, item in enumerate(self._items(plan)):
            if item["type"] == "message":
                empty = {**item, "status": "in_progress", "content": []}
                out.append(ev("response.output_item.added", output_index=index, item=empty))
                part = {"type": "output_text", "text": "", "annotations": []}
                out.append(
                    ev(
                        "response.content_part.added",
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        part=part,
                    )
                )
                for p in plan.pieces:
                    out.append(
                        ev(
                            "response.output_text.delta",
                            True,
                            item_id=item["id"],
                            output_index=index,
                            content_index=0,
                            delta=p,
                            logprobs=[],
                        )
                    )
                out.append(
                    ev(
                        "response.output_text.done",
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        text=item["content"][0]["text"],
                        logprobs=[],
                    )
                )
            else:
                empty = {**item, "status": "in_progress", "arguments": ""}
                out.append(ev("response.output_item.added", output_index=index, item=empty))
                for frag in _split(item["arguments"], 7):
                    out.append(
                        ev(
                            "response.function_call_arguments.delta",
                            True,
                            item_id=item["id"],
                            output_index=index,
                            delta=frag,
                        )
                    )
                out.append(
                    ev(
                        "response.function_call_arguments.done",
                        item_id=item["id"],
                        output_index=index,
                        arguments=item["arguments"],
                    )
                )
            out.append(ev("response.output_item.done", output_index=index, item=item))
        done = self._response("completed", self._items(plan), plan.usage)
        out.append(ev("response.completed", response=done))
        return out

    def whole(self, reply: Reply) -> Json:
        plan = _plan(reply, self.body)
        return self._response("completed", self._items(plan), plan.usage)
