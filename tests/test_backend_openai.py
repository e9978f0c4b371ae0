"""The OpenAI-compatible backend against the loopback server, through the real SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from openai_server import Call, OpenAIServer, Text, ToolCalls

from codeassist.backends.base import Message, RequestOptions, StreamEvent, ToolCall, ToolSpec, Usage
from codeassist.backends.catalogue import lookup_model
from codeassist.backends.openai_compat import OpenAICompatBackend, RetryPolicy
from codeassist.backends.presets import Endpoint

MESSAGES = [Message("system", "You are terse."), Message("user", "Say hello")]
APIS = [("chat", True), ("chat", False), ("responses", True), ("responses", False)]


def backend(
    server: OpenAIServer, *, api: str | None = None, stream: bool = True, model: str = "gpt-4o-mini", **kw: object
) -> OpenAICompatBackend:
    endpoint = Endpoint(model, server.base_url, "test-key", "OPENAI_API_KEY", configured=model)
    return OpenAICompatBackend(endpoint, api=api, stream=stream, retry=RetryPolicy(0), **kw)  # type: ignore[arg-type]


def run(events: Iterator[StreamEvent]) -> tuple[str, list[ToolCall], Usage | None, str | None, list[StreamEvent]]:
    got = list(events)
    text = "".join(e.text for e in got if e.kind == "delta")
    calls = [e.tool_call for e in got if e.kind == "tool_call" and e.tool_call is not None]
    usages = [e.usage for e in got if e.kind == "usage"]
    assert len(usages) == 1, "exactly one usage event"
    assert got[-1].kind == "done"
    return text, calls, usages[0], got[-1].finish_reason, got


@pytest.mark.parametrize(("api", "stream"), APIS)
def test_text_reply(openai_server: OpenAIServer, api: str, stream: bool) -> None:
    openai_server.enqueue(
        Text("Hello, world! How are you today?", chunk_size=5, input_tokens=1000, output_tokens=200, cached=400)
    )
    text, calls, usage, finish, events = run(
        backend(openai_server, api=api, stream=stream).stream(MESSAGES, RequestOptions("gpt-4o-mini"))
    )
    assert text == "Hello, world! How are you today?"
    assert calls == [] and finish == "stop"
    assert usage == Usage(1000, 400, 200, usage.cost_usd if usage else None)
    # gpt-4o-mini: 600 x $0.15 + 400 x $0.075 + 200 x $0.60, per million
    assert usage is not None and usage.cost_usd == pytest.approx((600 * 0.15 + 400 * 0.075 + 200 * 0.6) / 1e6)
    if stream:
        assert sum(e.kind == "delta" for e in events) == 7  # streamed in pieces, not at once


@pytest.mark.parametrize(("api", "stream"), APIS)
def test_tool_calls_are_reassembled(openai_server: OpenAIServer, api: str, stream: bool) -> None:
    args1 = json.dumps({"path": "src/app.py", "search": "def f():\n    pass\n", "replace": "def f():\n    return 1\n"})
    args2 = json.dumps({"path": "README.md"})
    openai_server.enqueue(
        ToolCalls([Call("edit_file", args1, "call_a"), Call("read_file", args2, "call_b")], text="Editing.")
    )
    tools = [
        ToolSpec("edit_file", "Edit a file", {"type": "object"}),
        ToolSpec("read_file", "Read", {"type": "object"}),
    ]
    text, calls, _, finish, _ = run(
        backend(openai_server, api=api, stream=stream).stream(MESSAGES, RequestOptions("gpt-4o-mini", tools=tools))
    )
    assert text == "Editing."
    assert calls == [ToolCall("call_a", "edit_file", args1), ToolCall("call_b", "read_file", args2)]
    assert finish == "tool_calls"
    sent = openai_server.requests[-1].body["tools"]
    if api == "chat":
        assert sent[0] == {
            "type": "function",
            "function": {"name": "edit_file", "description": "Edit a file", "parameters": {"type": "object"}},
        }
    else:
        assert sent[0] == {
            "type": "function",
            "name": "edit_file",
            "description": "Edit a file",
            "parameters": {"type": "object"},
        }


def test_chat_request_is_what_openai_expects(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Text("ok"))
    b = backend(openai_server)
    run(b.stream(MESSAGES, RequestOptions("gpt-4o-mini", temperature=0.2, max_output_tokens=99)))
    req = openai_server.requests[-1]
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer test-key"
    assert req.body["model"] == "gpt-4o-mini"
    assert req.body["stream"] is True and req.body["stream_options"] == {"include_usage": True}
    assert req.body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello"},
    ]
    assert req.body["temperature"] == 0.2 and req.body["max_tokens"] == 99


def test_responses_request_and_reasoning_model(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Text("ok"))
    b = backend(openai_server, model="o4-mini", info=lookup_model("o4-mini"))
    assert b.api == "responses"  # from the catalogue
    history = [
        *MESSAGES,
        Message("assistant", "", tool_calls=(ToolCall("c1", "read_file", '{"path": "a"}'),)),
        Message("tool", "file body", tool_call_id="c1"),
    ]
    run(b.stream(history, RequestOptions("o4-mini", temperature=0.2, max_output_tokens=50)))
    req = openai_server.requests[-1]
    assert req.path == "/v1/responses"
    assert "temperature" not in req.body  # reasoning models reject it
    assert req.body["max_output_tokens"] == 50 and req.body["store"] is False
    assert req.body["input"][2:] == [
        {"type": "function_call", "call_id": "c1", "name": "read_file", "arguments": '{"path": "a"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "file body"},
    ]


def test_preset_prefix_is_not_sent(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Text("ok"))
    endpoint = Endpoint(
        "qwen2.5-coder:7b", openai_server.base_url, "not-needed", "OPENAI_API_KEY", configured="ollama/qwen2.5-coder:7b"
    )
    b = OpenAICompatBackend(endpoint, retry=RetryPolicy(0))
    run(b.stream(MESSAGES, RequestOptions("ollama/qwen2.5-coder:7b")))
    assert openai_server.requests[-1].body["model"] == "qwen2.5-coder:7b"


def test_usage_is_estimated_when_the_server_sends_none(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Text("some reply text"))
    b = backend(openai_server)
    b._send_stream_options = False  # a server that never reports usage in streams
    _, _, usage, _, _ = run(b.stream(MESSAGES, RequestOptions("gpt-4o-mini")))
    assert usage is not None and usage.estimated and usage.input_tokens > 0 and usage.output_tokens > 0


def test_unknown_model_has_no_cost_but_local_preset_costs_nothing(openai_server: OpenAIServer) -> None:
    from codeassist.backends.presets import PRESETS

    openai_server.enqueue(Text("a"), Text("b"))
    _, _, usage, _, _ = run(backend(openai_server, model="my-private-model").stream(MESSAGES, RequestOptions("")))
    assert usage is not None and usage.cost_usd is None
    local = Endpoint("my-private-model", openai_server.base_url, "x", "OPENAI_API_KEY", PRESETS["ollama"])
    _, _, usage, _, _ = run(OpenAICompatBackend(local, retry=RetryPolicy(0)).stream(MESSAGES, RequestOptions("")))
    assert usage is not None and usage.cost_usd == 0.0


def test_list_models(openai_server: OpenAIServer) -> None:
    openai_server.models = ["b-model", "a-model"]
    assert backend(openai_server).list_models() == ["a-model", "b-model"]


def test_session_totals_add_up(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(
        Text("one", input_tokens=100, output_tokens=10), Text("two", input_tokens=200, output_tokens=20)
    )
    b = backend(openai_server)
    total = Usage()
    for _ in range(2):
        for event in b.stream(MESSAGES, RequestOptions("gpt-4o-mini")):
            if event.usage is not None:
                total = total + event.usage
    assert (total.input_tokens, total.output_tokens) == (300, 30)
    assert total.cost_usd == pytest.approx((300 * 0.15 + 30 * 0.6) / 1e6)


def test_azure_deployment_url_version_and_key_header(openai_server: OpenAIServer) -> None:
    from codeassist.backends.presets import PRESETS

    openai_server.enqueue(Text("from azure"))
    root = openai_server.base_url.removesuffix("/v1")
    endpoint = Endpoint("my-deployment", root, "az-key", "AZURE_OPENAI_API_KEY", PRESETS["azure"], "2024-10-21")
    b = OpenAICompatBackend(endpoint, retry=RetryPolicy(0))
    text, *_ = run(b.stream(MESSAGES, RequestOptions("azure/my-deployment")))
    assert text == "from azure"
    req = openai_server.requests[-1]
    assert req.path == "/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21"
    assert req.headers["api-key"] == "az-key"
