"""What the loopback server says when it impersonates a kind of server (vLLM, Ollama...).

``server.impersonate(Kind(...))`` makes tests/openai_server.py answer each
server's own endpoints the way that server does:

* ``vllm``: ``/v1/models`` entries carry ``max_model_len``, ``owned_by: vllm``;
* ``openrouter``: ``/api/v1/models`` entries carry ``context_length`` and
  ``top_provider.max_completion_tokens``;
* ``llamacpp``: ``owned_by: llamacpp``, ``GET /props`` (``n_ctx`` in
  ``default_generation_settings``) and ``GET /slots``;
* ``lmstudio``: ``owned_by: organization_owner`` and ``GET /api/v0/models/ID``;
* ``ollama``: ``owned_by: library``, ``POST /api/show`` and the native
  ``POST /api/chat`` (NDJSON stream, ``options.num_ctx``).

``TooLong(limit, requested, style)`` is a too-long-prompt refusal in each
server's own wording (``openai``, ``vllm``, ``llamacpp``, ``ollama``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openai_wire import Fault, Json, Reply, Text, ToolCalls, error_body


@dataclass(frozen=True)
class Kind:
    name: str  # vllm, openrouter, llamacpp, lmstudio, ollama
    window: int = 131072  # vLLM max_model_len, OpenRouter context_length, llama.cpp n_ctx, LM Studio loaded
    max_output: int | None = None  # OpenRouter top_provider.max_completion_tokens
    trained: int | None = None  # Ollama / LM Studio: the model's own limit
    num_ctx: int | None = None  # Ollama: the Modelfile's num_ctx
    loaded: bool = True  # LM Studio: the model is loaded
    props: bool = True  # llama.cpp: /props answers (older servers have only /slots)
    show: bool = True  # Ollama: /api/show answers (a proxy in front of Ollama may expose /v1 only)
    tools: bool | None = None  # OpenRouter supported_parameters / Ollama capabilities say it (None: not said)


@dataclass(frozen=True)
class TooLong:
    limit: int = 4096
    requested: int = 5000
    style: str = "openai"


OWNED_BY = {"vllm": "vllm", "llamacpp": "llamacpp", "lmstudio": "organization_owner", "ollama": "library"}


def model_entries(kind: Kind | None, models: list[str]) -> list[Json]:
    out = []
    for m in models:
        entry: Json = {"id": m, "object": "model", "created": 0, "owned_by": "loopback"}
        if kind is not None:
            entry["owned_by"] = OWNED_BY.get(kind.name, "loopback")
            if kind.name == "vllm":
                entry.update(root=m, max_model_len=kind.window)
            if kind.name == "openrouter":
                top = {"context_length": kind.window, "max_completion_tokens": kind.max_output}
                entry.update(name=m, context_length=kind.window, top_provider=top)
                if kind.tools is not None:
                    entry["supported_parameters"] = ["max_tokens", "temperature"] + (["tools"] if kind.tools else [])
        out.append(entry)
    return out


def get_route(kind: Kind | None, path: str) -> Json | list[Json] | None:
    """The answer to a native GET route, or None when this kind has no such route."""
    if kind is None:
        return None
    if kind.name == "llamacpp" and path == "/props" and kind.props:
        return {"default_generation_settings": {"n_ctx": kind.window}, "total_slots": 1}
    if kind.name == "llamacpp" and path == "/slots":
        return [{"id": 0, "n_ctx": kind.window, "is_processing": False}]
    if kind.name == "lmstudio" and path.startswith("/api/v0/models/"):
        info: Json = {"id": path.rsplit("/", 1)[1], "object": "model", "type": "llm", "state": "not-loaded"}
        info["max_context_length"] = kind.trained or kind.window
        if kind.loaded:
            info.update(state="loaded", loaded_context_length=kind.window)
        return info
    return None


def show(kind: Kind, model: str) -> Json:
    """Ollama's /api/show."""
    trained = kind.trained or kind.window
    params = 'stop "<|im_end|>"' + (f"\nnum_ctx {kind.num_ctx}" if kind.num_ctx else "")
    capabilities = {} if kind.tools is None else {"capabilities": ["completion"] + (["tools"] if kind.tools else [])}
    return {
        **capabilities,
        "modelfile": f"FROM {model}",
        "parameters": params,
        "details": {"family": "qwen2", "parameter_size": "7.6B"},
        "model_info": {"general.architecture": "qwen2", "qwen2.context_length": trained},
    }


def too_long(reply: TooLong) -> tuple[int, Json]:
    """(status, body) of each server's refusal of a prompt that does not fit."""
    if reply.style == "vllm":
        msg = (
            f"This model's maximum context length is {reply.limit} tokens. However, you requested "
            f"{reply.requested} tokens ({reply.requested - 100} in the messages, 100 in the completion). "
            "Please reduce the length of the messages or completion."
        )
        return 400, {"object": "error", "message": msg, "type": "BadRequestError", "param": None, "code": 400}
    if reply.style == "llamacpp":
        err = {
            "code": 400,
            "message": "the request exceeds the available context size, try increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": reply.requested,
            "n_ctx": reply.limit,
        }
        return 400, {"error": err}
    if reply.style == "ollama":
        return 400, {"error": "the input length exceeds the context length"}
    msg = (
        f"This model's maximum context length is {reply.limit} tokens. However, your messages "
        f"resulted in {reply.requested} tokens. Please reduce the length of the messages."
    )
    return 400, error_body(msg, "invalid_request_error", "context_length_exceeded", "messages")


def ollama_chat_lines(reply: Reply, body: Json) -> list[bytes]:
    """Ollama's native /api/chat answer: NDJSON objects, the last one with ``done`` and the counts."""
    model = str(body.get("model"))
    prompt = json.dumps(body.get("messages") or "")
    lines: list[Json] = []
    text = reply.text if isinstance(reply, Text | ToolCalls) else ""
    size = reply.chunk_size if isinstance(reply, Text | ToolCalls) else 8
    for i in range(0, len(text), max(1, size)):
        lines.append({"model": model, "message": {"role": "assistant", "content": text[i : i + size]}, "done": False})
    last_message: Json = {"role": "assistant", "content": ""}
    if isinstance(reply, ToolCalls):
        last_message["tool_calls"] = [
            {"function": {"name": c.name, "arguments": json.loads(c.arguments)}} for c in reply.calls
        ]
    lines.append(
        {
            "model": model,
            "message": last_message,
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": max(1, len(prompt) // 4),
            "eval_count": max(1, len(text) // 4),
        }
    )
    if body.get("stream") is False:
        whole = dict(lines[-1])
        whole["message"] = dict(last_message, content=text)
        return [json.dumps(whole).encode()]
    return [json.dumps(line).encode() + b"\n" for line in lines]


def ollama_error(reply: Reply | TooLong | None) -> tuple[int, Json] | None:
    """Status and body for a reply the native chat answers with an error."""
    if reply is None:
        return 500, {"error": "no scripted reply: call server.enqueue(...)"}
    if isinstance(reply, TooLong):
        return too_long(TooLong(reply.limit, reply.requested, "ollama"))
    if isinstance(reply, Fault):
        inner: Any = (reply.body or {}).get("error", {})
        return reply.status, {"error": inner.get("message", "error") if isinstance(inner, dict) else str(inner)}
    return None
