"""A loopback HTTP server that speaks the OpenAI wire protocol, for tests.

codeassist talks to it through the real openai SDK exactly as it talks to
OpenAI, so tests exercise real HTTP, real server-sent events and real
connection errors. Nothing is mocked.

Usage (the ``openai_server`` fixture in conftest.py yields a started server)::

    def test_ask(openai_server):
        openai_server.enqueue(Text("Hello there", chunk_size=4))
        # point codeassist at it:
        #   --base-url openai_server.base_url --api-key test-key
        # or env CODEASSIST_BASE_URL / OPENAI_BASE_URL + OPENAI_API_KEY
        ...
        body = openai_server.requests[-1].body      # the JSON the SDK sent

Each POST to ``/v1/chat/completions`` or ``/v1/responses`` takes the next
scripted reply from the queue (``server.enqueue(*replies)``). The same reply
object works for both APIs, streamed (``"stream": true``) or not. Reply types:

``Text(text, chunk_size=8, delay=0.0, input_tokens=None, output_tokens=None, cached=0, finish_reason="stop")``
    a text answer; tokens default to len(chars)//4 of the request and reply.
``ToolCalls([Call(name, arguments_json), ...], text="")``
    function calls (chat: ``delta.tool_calls`` fragments across chunks;
    responses: ``function_call`` output items with argument deltas).
``Fault(status, body=None, headers=None)``
    an HTTP error; helpers ``Fault.unauthorized()`` (401 invalid_api_key),
    ``Fault.model_not_found(model)`` (404), ``Fault.rate_limited(retry_after)``
    (429 + Retry-After), ``Fault.server_error()`` (500).
``ContextTooLong(limit=128000, requested=130532)``
    the 400 OpenAI returns with ``code: "context_length_exceeded"``.
``CutStream(text, after_chunks)``
    streams ``after_chunks`` chunks, then drops the connection mid-body.
``Malformed(raw=b"data: {not json", after_chunks=1)``
    sends ``raw`` as an SSE line after ``after_chunks`` good chunks.
``Hang()``
    reads the request and never answers (until the server stops).

An empty queue answers 500 ``no scripted reply`` so a missing ``enqueue``
fails loudly. ``server.requests`` records every request (path, headers, JSON
body); ``server.models`` is what ``GET /v1/models`` lists; set
``server.api_key`` to make the server answer 401 to any other bearer key.
``server.aborted`` counts streams the client closed before the end
(``server.wait_aborted()`` waits for one).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        return Fault(401, _error("Incorrect API key provided: sk-te***ey.", "invalid_request_error", "invalid_api_key"))

    @staticmethod
    def model_not_found(model: str = "no-such-model") -> Fault:
        msg = f"The model `{model}` does not exist or you do not have access to it."
        return Fault(404, _error(msg, "invalid_request_error", "model_not_found"))

    @staticmethod
    def rate_limited(retry_after: str | None = "1") -> Fault:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return Fault(429, _error("Rate limit reached for requests.", "requests", "rate_limit_exceeded"), headers)

    @staticmethod
    def server_error(status: int = 500) -> Fault:
        return Fault(status, _error("The server had an error while processing your request.", "server_error", None))


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


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Json


def _error(message: str, type_: str, code: str | None, param: str | None = None) -> Json:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class _Cut(Exception):
    """Raised inside a handler to drop the connection without finishing the body."""


class OpenAIServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self.models: list[str] = ["gpt-4o-mini", "test-model"]
        self.api_key: str | None = None
        self.aborted = 0
        self._aborted_event = threading.Condition()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> OpenAIServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging handlers and open keep-alive connections are released."""
        self._stopping.set()
        self.shutdown()
        with self._lock:
            for sock in list(self._sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        # A client that hangs up (timeouts, cancellation tests) is expected here.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def wait_aborted(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait until ``count`` streams were closed by the client before their end."""
        with self._aborted_event:
            return self._aborted_event.wait_for(lambda: self.aborted >= count, timeout)

    def _note_aborted(self) -> None:
        with self._aborted_event:
            self.aborted += 1
            self._aborted_event.notify_all()

    def next_reply(self) -> Reply | None:
        try:
            return self.replies.popleft()
        except IndexError:
            return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OpenAIServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def setup(self) -> None:
        super().setup()
        with self.server._lock:
            self.server._sockets.add(self.connection)

    def finish(self) -> None:
        with self.server._lock:
            self.server._sockets.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # -- routing -----------------------------------------------------------

    def do_GET(self) -> None:
        self._record({})
        if self._path() == "/models":
            if self._auth_failed():
                return
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "loopback"} for m in self.server.models]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(404, _error(f"no route {self.path}", "invalid_request_error", None))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, _error("request body is not JSON", "invalid_request_error", None))
            return
        self._record(body)
        path = self._path()
        if path not in ("/chat/completions", "/responses"):
            self._send_json(404, _error(f"no route {self.path}", "invalid_request_error", None))
            return
        if self._auth_failed():
            return
        reply = self.server.next_reply()
        try:
            self._answer(path, body, reply)
        except _Cut:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.server._note_aborted()

    def _path(self) -> str:
        """The route without its prefix: /v1/..., Azure's /openai/deployments/NAME/... or /openai/v1/..."""
        path = self.path.split("?", 1)[0]
        if path.startswith("/openai/deployments/"):
            return "/" + path.split("/", 4)[-1]
        for prefix in ("/openai/v1/", "/v1/"):
            if path.startswith(prefix):
                return path[len(prefix) - 1 :]
        return path

    def _record(self, body: Json) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append(Request(self.command, self.path, headers, body))

    def _auth_failed(self) -> bool:
        want = self.server.api_key
        if want is None or self.headers.get("Authorization") == f"Bearer {want}":
            return False
        fault = Fault.unauthorized()
        self._send_json(fault.status, fault.body or {})
        return True

    def _answer(self, path: str, body: Json, reply: Reply | None) -> None:
        if reply is None:
            self._send_json(500, _error("no scripted reply: call server.enqueue(...)", "server_error", None))
        elif isinstance(reply, Fault):
            self._send_json(reply.status, reply.body or {}, reply.headers)
        elif isinstance(reply, ContextTooLong):
            msg = (
                f"This model's maximum context length is {reply.limit} tokens. However, your messages "
                f"resulted in {reply.requested} tokens. Please reduce the length of the messages."
            )
            self._send_json(400, _error(msg, "invalid_request_error", "context_length_exceeded", "messages"))
        elif isinstance(reply, Hang):
            self.server._stopping.wait()
            self.close_connection = True
        else:
            wire: _Wire = _ChatWire(body) if path == "/chat/completions" else _ResponsesWire(body)
            if body.get("stream"):
                self._stream(wire.stream_events(reply), body)
            else:
                self._send_json(200, wire.whole(reply))

    # -- writing -----------------------------------------------------------

    def _send_json(self, status: int, obj: Json, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _stream(self, events: Any, body: Json) -> None:
        """Write SSE frames with chunked transfer encoding, as real servers do."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for item in events:
            if isinstance(item, float):
                self._pause(item)
            elif item is _CUT:
                raise _Cut()
            else:
                self._chunk(item)
        self._chunk(b"")

    def _pause(self, seconds: float) -> None:
        """Wait between chunks, but notice at once a client that hung up or a server stopping."""
        import select

        deadline = time.monotonic() + seconds
        while not self.server._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.02))
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                raise ConnectionResetError("the client closed the connection")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


_CUT = object()


# -- the wire formats ------------------------------------------------------------


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


class _Wire:
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
                yield _CUT
                return
            if is_content and plan.malformed is not None and sent >= plan.malformed.after_chunks:
                yield plan.malformed.raw + b"\n\n"
                return
            if is_content and plan.delay and sent:
                yield plan.delay
            yield frame
            sent += is_content


class _ChatWire(_Wire):
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


class _ResponsesWire(_Wire):
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
