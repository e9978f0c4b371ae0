"""Ollama through its native chat API, the one that lets a request raise ``num_ctx``.

Ollama's OpenAI-compatible endpoint ignores ``options`` (and a top-level
``num_ctx``): every request runs with the server's default context (2,048
to 4,096 tokens on most installs) and a longer prompt is cut silently, from
the front. ``POST /api/chat`` accepts ``options.num_ctx``, so each request
asks for what its prompt needs: the estimate of the prompt plus the reply
reserve, rounded up to a power of two (Ollama reloads the model when
``num_ctx`` changes; rounding keeps the reloads rare), never below the
``num_ctx`` the model already runs with and never above the model's window.

Streams NDJSON; no retries on a local server (a refused connection is not
worth waiting for), errors translated to the codeassist error tree.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

from codeassist.backends.base import Message, RequestOptions, StreamEvent, ToolCall, Usage
from codeassist.backends.openai_errors import is_context_error, tools_refused
from codeassist.backends.server_facts import opener_for, server_root
from codeassist.errors import (
    BackendError,
    ConnectionFailedError,
    ContextTooLongError,
    Interrupted,
    MalformedResponseError,
    ModelNotFoundError,
)

MIN_NUM_CTX = 8192
START_HINT = "is the ollama server running? start it with `ollama serve`"


def num_ctx_for(prompt_tokens: int, reserve: int, *, window: int, floor: int | None) -> int:
    """The ``num_ctx`` a request asks for (see the module docstring)."""
    need = prompt_tokens + reserve
    size = MIN_NUM_CTX
    while size < need:
        size *= 2
    size = max(size, floor or 0)
    return max(1, min(size, window))


class OllamaNativeBackend:
    """A :class:`codeassist.backends.base.Backend` for Ollama's ``/api/chat``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        window: int,
        reserve: int,
        floor: int | None = None,
        timeout_read: float = 120.0,
        name: str = "openai",
    ) -> None:
        self.name = name
        self.url = server_root(base_url)
        self.model = model
        self.window, self.reserve, self.floor = window, reserve, floor
        self.timeout_read = timeout_read

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        from codeassist.tokens import estimate_tokens

        prompt = sum(estimate_tokens(m.content, self.model) for m in messages)
        reserve = options.max_output_tokens or self.reserve
        opts: dict[str, Any] = {"num_ctx": num_ctx_for(prompt, reserve, window=self.window, floor=self.floor)}
        if options.temperature is not None:
            opts["temperature"] = options.temperature
        if options.max_output_tokens is not None:
            opts["num_predict"] = options.max_output_tokens
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "stream": True,
            "options": opts,
        }
        if options.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": dict(t.parameters)},
                }
                for t in options.tools
            ]
        try:
            yield from self._post(body)
        except KeyboardInterrupt as exc:
            raise Interrupted("the reply was interrupted") from exc

    def list_models(self) -> list[str]:
        from codeassist.backends.server_facts import Unreachable, http_json

        try:
            tags = http_json(self.url + "/api/tags", timeout=5.0)
        except Unreachable as exc:
            raise ConnectionFailedError(f"cannot connect to {self.url}: connection refused", hint=START_HINT) from exc
        models = tags.get("models") if isinstance(tags, dict) else None
        return sorted(str(m.get("name")) for m in models or [] if isinstance(m, dict))

    def _post(self, body: dict[str, Any]) -> Iterator[StreamEvent]:
        req = urllib.request.Request(
            self.url + "/api/chat", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            resp = opener_for(self.url).open(req, timeout=self.timeout_read)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, exc.read()) from exc
        except urllib.error.URLError as exc:
            raise ConnectionFailedError(f"cannot connect to {self.url}: {exc.reason}", hint=START_HINT) from exc
        except TimeoutError as exc:
            raise ConnectionFailedError(f"{self.url} did not answer within {self.timeout_read:g} s") from exc
        with resp:
            yield from self._events(resp)

    def _events(self, resp: Any) -> Iterator[StreamEvent]:
        calls: list[ToolCall] = []
        for raw in resp:
            if not raw.strip():
                continue
            try:
                chunk = json.loads(raw)
            except ValueError as exc:
                raise MalformedResponseError(f"{self.url} sent a line that is not JSON: {raw[:80]!r}") from exc
            if chunk.get("error"):
                raise self._http_error(200, json.dumps({"error": chunk["error"]}).encode())
            message = chunk.get("message") or {}
            if message.get("content"):
                yield StreamEvent("delta", text=str(message["content"]))
            for call in message.get("tool_calls") or []:
                fn = call.get("function") or {}
                args = fn.get("arguments")
                text = args if isinstance(args, str) else json.dumps(args or {})
                calls.append(ToolCall(f"call_{len(calls)}", str(fn.get("name")), text))
            if chunk.get("done"):
                for call in calls:
                    yield StreamEvent("tool_call", tool_call=call)
                usage = Usage(int(chunk.get("prompt_eval_count") or 0), 0, int(chunk.get("eval_count") or 0), 0.0)
                yield StreamEvent("usage", usage=usage)
                reason = "tool_calls" if calls else str(chunk.get("done_reason") or "stop")
                yield StreamEvent("done", finish_reason="length" if reason == "length" else reason)
                return
        raise MalformedResponseError(f"the stream from {self.url} ended without finishing", hint="try again")

    def _http_error(self, status: int, raw: bytes) -> BackendError:
        try:
            message = str(json.loads(raw).get("error") or raw[:200].decode(errors="replace"))
        except (ValueError, AttributeError):
            message = raw[:200].decode(errors="replace")
        refused = tools_refused(message, self.url, self.model)
        if refused is not None:
            return refused
        if is_context_error("", message):
            return ContextTooLongError(
                f"the request does not fit {self.model}'s context ({message})",
                hint="drop files from the chat, or use a model with a larger window",
            )
        if status == 404 and "not found" in message:
            return ModelNotFoundError(
                f"{self.url} does not serve model {self.model!r}", hint=f"pull it with `ollama pull {self.model}`"
            )
        return BackendError(f"{self.url} answered HTTP {status}: {message}")


def _message(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["tool_calls"] = [{"function": {"name": c.name, "arguments": _arguments(c.arguments)}} for c in m.tool_calls]
    return out


def _arguments(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {}
