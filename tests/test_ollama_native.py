"""Ollama's native chat API (the one that accepts num_ctx), against the loopback server impersonating Ollama."""

from __future__ import annotations

import json
import socket

import pytest
from openai_server import Call, Fault, OpenAIServer, Text, ToolCalls
from server_kinds import Kind, TooLong

from codeassist.backends.base import Message, RequestOptions, ToolSpec
from codeassist.backends.ollama_native import OllamaNativeBackend, num_ctx_for
from codeassist.errors import ConnectionFailedError, ContextTooLongError, ModelNotFoundError


def test_num_ctx_is_what_the_prompt_needs_within_the_models_limit() -> None:
    assert num_ctx_for(1000, 4096, window=32768, floor=None) == 8192
    assert num_ctx_for(9000, 4096, window=32768, floor=None) == 16384
    assert num_ctx_for(30000, 4096, window=32768, floor=None) == 32768  # never past the model's window
    assert num_ctx_for(1000, 4096, window=32768, floor=16384) == 16384  # never below what it runs with
    assert num_ctx_for(1000, 1000, window=4096, floor=None) == 4096


@pytest.fixture
def ollama(openai_server: OpenAIServer) -> OpenAIServer:
    openai_server.models = ["qwen2.5-coder:7b"]
    return openai_server.impersonate(Kind("ollama", window=32768))


def backend(server: OpenAIServer, **kw: int) -> OllamaNativeBackend:
    return OllamaNativeBackend(server.base_url, "qwen2.5-coder:7b", window=32768, reserve=4096, **kw)


def test_streams_text_and_usage_with_num_ctx(ollama: OpenAIServer) -> None:
    ollama.enqueue(Text("Hello there, friend.", chunk_size=5))
    events = list(backend(ollama).stream([Message("user", "x" * 60_000)], RequestOptions("qwen2.5-coder:7b")))
    assert "".join(e.text for e in events if e.kind == "delta") == "Hello there, friend."
    usage = next(e.usage for e in events if e.kind == "usage")
    assert usage is not None and usage.input_tokens > 0 and usage.cost_usd == 0.0
    assert events[-1].kind == "done" and events[-1].finish_reason == "stop"
    sent = ollama.requests[-1]
    assert sent.path == "/api/chat" and sent.body["stream"] is True
    assert sent.body["options"]["num_ctx"] == 32768  # a 60,000-character prompt needs more than 16k


def test_tool_calls_come_back_as_calls(ollama: OpenAIServer) -> None:
    ollama.enqueue(ToolCalls([Call("replace", json.dumps({"path": "a.py"}))]))
    tool = ToolSpec("replace", "edit a file", {"type": "object"})
    events = list(backend(ollama).stream([Message("user", "hi")], RequestOptions("m", tools=(tool,))))
    calls = [e.tool_call for e in events if e.kind == "tool_call"]
    assert calls and calls[0] is not None and calls[0].name == "replace"
    assert json.loads(calls[0].arguments) == {"path": "a.py"}
    assert events[-1].finish_reason == "tool_calls"
    assert ollama.requests[-1].body["tools"][0]["function"]["name"] == "replace"


def test_errors_in_ollamas_wording(ollama: OpenAIServer) -> None:
    ollama.enqueue(TooLong(style="ollama"))
    with pytest.raises(ContextTooLongError):
        list(backend(ollama).stream([Message("user", "hi")], RequestOptions("m")))
    ollama.enqueue(Fault(404, {"error": {"message": 'model "qwen2.5-coder:7b" not found, try pulling it first'}}))
    with pytest.raises(ModelNotFoundError, match="does not serve") as info:
        list(backend(ollama).stream([Message("user", "hi")], RequestOptions("m")))
    assert "ollama pull" in (info.value.hint or "")


def test_a_stopped_ollama_is_reported_at_once() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    dead = OllamaNativeBackend(f"http://127.0.0.1:{port}/v1", "m", window=8192, reserve=1024)
    with pytest.raises(ConnectionFailedError) as info:
        list(dead.stream([Message("user", "hi")], RequestOptions("m")))
    assert "ollama serve" in (info.value.hint or "")
