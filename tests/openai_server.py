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
``TooLong(limit, requested, style)`` (tests/server_kinds.py)
    a too-long-prompt refusal in the wording of ``openai``, ``vllm``,
    ``llamacpp`` or ``ollama``.

``server.impersonate(Kind("vllm", window=131072))`` answers like that kind
of server: its model list, its native endpoints (llama.cpp ``/props``,
LM Studio ``/api/v0/models``, Ollama ``/api/show`` and native ``/api/chat``);
see tests/server_kinds.py.

``server.responder = fn`` answers instead from ``fn(body) -> Reply`` (a model whose reply
depends on the request, e.g. on ``body["model"]``); ``fn`` returning None falls back to the queue.

An empty queue answers 500 ``no scripted reply`` so a missing ``enqueue``
fails loudly. ``server.requests`` records every request (path, headers, JSON
body), ``server.posts`` only the model calls; ``server.models`` is what ``GET /v1/models`` lists; set
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
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openai_wire import (
    CUT,
    Call,
    ChatWire,
    ContextTooLong,
    CutStream,
    Fault,
    Hang,
    Json,
    Malformed,
    Reply,
    ResponsesWire,
    Text,
    ToolCalls,
    Wire,
    error_body,
)
from server_kinds import Kind, TooLong, get_route, model_entries, ollama_chat_lines, ollama_error, show, too_long

__all__ = [
    "Call",
    "ContextTooLong",
    "CutStream",
    "Fault",
    "Hang",
    "Kind",
    "Malformed",
    "OpenAIServer",
    "Reply",
    "Request",
    "Text",
    "TooLong",
    "ToolCalls",
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Json


class _Cut(Exception):
    """Raised inside a handler to drop the connection without finishing the body."""


class OpenAIServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: deque[Reply | TooLong] = deque()
        self.requests: list[Request] = []
        self.models: list[str] = ["gpt-4o-mini", "test-model"]
        self.api_key: str | None = None
        self.responder: Callable[[Json], Reply | None] | None = None
        self.kind: Kind | None = None
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

    @property
    def posts(self) -> list[Request]:
        """The model calls only: codeassist also asks GET /v1/models (and native routes) for the model's facts."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith(("/completions", "/responses"))]

    def impersonate(self, kind: Kind) -> OpenAIServer:
        self.kind = kind
        return self

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def enqueue(self, *replies: Reply | TooLong) -> None:
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

    def next_reply(self, body: Json | None = None) -> Reply | TooLong | None:
        if self.responder is not None:
            reply = self.responder(body or {})
            if reply is not None:
                return reply
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
        native = get_route(self.server.kind, self.path.split("?", 1)[0])
        if self._path() == "/models":
            if self._auth_failed():
                return
            data = model_entries(self.server.kind, self.server.models)
            self._send_json(200, {"object": "list", "data": data})
        elif native is not None:
            self._send_json(200, native)  # type: ignore[arg-type]
        else:
            self._send_json(404, error_body(f"no route {self.path}", "invalid_request_error", None))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, error_body("request body is not JSON", "invalid_request_error", None))
            return
        self._record(body)
        path = self._path()
        kind = self.server.kind
        if kind is not None and kind.name == "ollama" and path in ("/api/show", "/api/chat"):
            self._ollama(path, body, kind)
            return
        if path not in ("/chat/completions", "/responses"):
            self._send_json(404, error_body(f"no route {self.path}", "invalid_request_error", None))
            return
        if self._auth_failed():
            return
        reply = self.server.next_reply(body)
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
        for prefix in ("/openai/v1/", "/api/v1/", "/v1/"):
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

    def _answer(self, path: str, body: Json, reply: Reply | TooLong | None) -> None:
        if reply is None:
            self._send_json(500, error_body("no scripted reply: call server.enqueue(...)", "server_error", None))
        elif isinstance(reply, Fault):
            self._send_json(reply.status, reply.body or {}, reply.headers)
        elif isinstance(reply, TooLong):
            status, payload = too_long(reply)
            self._send_json(status, payload)
        elif isinstance(reply, ContextTooLong):
            msg = (
                f"This model's maximum context length is {reply.limit} tokens. However, your messages "
                f"resulted in {reply.requested} tokens. Please reduce the length of the messages."
            )
            self._send_json(400, error_body(msg, "invalid_request_error", "context_length_exceeded", "messages"))
        elif isinstance(reply, Hang):
            self.server._stopping.wait()
            self.close_connection = True
        else:
            wire: Wire = ChatWire(body) if path == "/chat/completions" else ResponsesWire(body)
            if body.get("stream"):
                self._stream(wire.stream_events(reply), body)
            else:
                self._send_json(200, wire.whole(reply))

    def _ollama(self, path: str, body: Json, kind: Kind) -> None:
        """Ollama's native API: /api/show describes a model, /api/chat streams NDJSON."""
        model = str(body.get("model") or "")
        if path == "/api/show":
            if model not in self.server.models or not kind.show:
                self._send_json(404, {"error": f"model '{model}' not found"})
            else:
                self._send_json(200, show(kind, model))
            return
        reply = self.server.next_reply()
        failed = ollama_error(reply)
        if failed is not None:
            self._send_json(*failed)
            return
        assert reply is not None and not isinstance(reply, TooLong)
        lines = ollama_chat_lines(reply, body)
        if body.get("stream") is False:
            self._send_json(200, json.loads(lines[0]))
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in lines:
            self._chunk(line)
        self._chunk(b"")

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
            elif item is CUT:
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
