"""Every scripted fault ends in the right error, message and exit code; retries are bounded."""

from __future__ import annotations

import contextlib
import email.utils
import socket

import pytest
from openai_server import ContextTooLong, CutStream, Fault, Hang, Malformed, OpenAIServer, Text

from codeassist.backends.base import Message, RequestOptions, StreamEvent
from codeassist.backends.openai_compat import OpenAICompatBackend, RetryPolicy
from codeassist.backends.presets import PRESETS, Endpoint
from codeassist.errors import (
    AuthenticationError,
    BackendError,
    ConnectionFailedError,
    ContextTooLongError,
    Interrupted,
    MalformedResponseError,
    ModelNotFoundError,
    RateLimitError,
)

MESSAGES = [Message("user", "hello")]
OPTIONS = RequestOptions("gpt-4o-mini")
NOW = 1_800_000_000.0


class Sleeps(list[float]):
    """An injected sleep: records the delay instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def backend(
    server: OpenAIServer,
    *,
    retries: int = 3,
    preset: str | None = None,
    url: str | None = None,
    api: str = "chat",
    **kw: object,
) -> tuple[OpenAICompatBackend, Sleeps]:
    sleeps = Sleeps()
    key_env = PRESETS[preset].key_env if preset and PRESETS[preset].key_env else "OPENAI_API_KEY"
    endpoint = Endpoint(
        "gpt-4o-mini",
        url or server.base_url,
        "test-key",
        key_env or "OPENAI_API_KEY",
        PRESETS[preset] if preset else None,
    )
    b = OpenAICompatBackend(
        endpoint,
        api=api,
        retry=RetryPolicy(retries, 1.0, 30.0),
        sleep=sleeps,
        rand=lambda: 0.5,
        clock=lambda: NOW,
        **kw,
    )  # type: ignore[arg-type]
    return b, sleeps


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if e.kind == "delta")


def fail(b: OpenAICompatBackend) -> BackendError:
    with pytest.raises(BackendError) as info:
        list(b.stream(MESSAGES, OPTIONS))
    assert info.value.exit_code == 4
    return info.value


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_wrong_key_names_the_variable(openai_server: OpenAIServer, api: str) -> None:
    openai_server.enqueue(Fault.unauthorized())
    err = fail(backend(openai_server, api=api)[0])
    assert isinstance(err, AuthenticationError)
    assert openai_server.base_url in err.message and "rejected the API key" in err.message
    assert err.hint is not None and "OPENAI_API_KEY" in err.hint
    assert len(openai_server.requests) == 1  # a 401 is never retried


def test_wrong_key_for_a_preset_names_its_variable(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Fault(403, {"error": {"message": "forbidden", "code": None}}))
    err = fail(backend(openai_server, preset="openrouter")[0])
    assert isinstance(err, AuthenticationError) and err.hint is not None and "OPENROUTER_API_KEY" in err.hint


def test_unknown_model_lists_what_the_endpoint_offers(openai_server: OpenAIServer) -> None:
    openai_server.models = ["qwen2.5-coder:7b", "llama3.1:8b"]
    openai_server.enqueue(Fault.model_not_found("gpt-4o-mini"))
    err = fail(backend(openai_server)[0])
    assert isinstance(err, ModelNotFoundError)
    assert "does not serve model 'gpt-4o-mini'" in err.message
    assert err.available == ["llama3.1:8b", "qwen2.5-coder:7b"]
    assert err.hint is not None and "llama3.1:8b, qwen2.5-coder:7b" in err.hint


def test_wrong_path_is_not_called_an_unknown_model(openai_server: OpenAIServer) -> None:
    err = fail(backend(openai_server, url=openai_server.base_url + "/nowhere", api="responses")[0])
    assert not isinstance(err, ModelNotFoundError)
    assert "has no /responses endpoint" in err.message and err.hint is not None and "api" in err.hint


def test_context_too_long_says_by_how_much(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(ContextTooLong(limit=128000, requested=130532))
    err = fail(backend(openai_server)[0])
    assert isinstance(err, ContextTooLongError)
    assert "2,532 tokens too long" in err.message and "128,000" in err.message
    assert len(openai_server.requests) == 1


def test_429_retry_honours_retry_after(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Fault.rate_limited("7"), Text("finally"))
    b, sleeps = backend(openai_server)
    assert text_of(list(b.stream(MESSAGES, OPTIONS))) == "finally"
    assert sleeps == [7.0]
    assert len(openai_server.requests) == 2


def test_retry_after_as_http_date_and_capped(openai_server: OpenAIServer) -> None:
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    openai_server.enqueue(Fault.rate_limited(date), Fault.rate_limited("3600"), Text("ok"))
    b, sleeps = backend(openai_server)
    assert text_of(list(b.stream(MESSAGES, OPTIONS))) == "ok"
    assert sleeps == [12.0, 30.0]  # the second is capped at retry_max_delay


def test_500_then_success_backs_off_with_jitter(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Fault.server_error(500), Fault.server_error(503), Text("ok"))
    b, sleeps = backend(openai_server)
    assert text_of(list(b.stream(MESSAGES, OPTIONS))) == "ok"
    # equal jitter with rand()=0.5: 3/4 of 1 s, then 3/4 of 2 s
    assert sleeps == [0.75, 1.5]


def test_attempts_are_bounded(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(*[Fault.server_error()] * 5)
    b, sleeps = backend(openai_server, retries=2)
    err = fail(b)
    assert "HTTP 500, after 3 attempts" in err.message
    assert len(openai_server.requests) == 3 and len(sleeps) == 2


def test_rate_limit_after_every_retry(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(*[Fault.rate_limited("1")] * 3)
    err = fail(backend(openai_server, retries=2)[0])
    assert isinstance(err, RateLimitError) and "after 3 attempts" in err.message


def test_exhausted_quota_is_not_retried(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Fault(429, {"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}))
    b, sleeps = backend(openai_server)
    err = fail(b)
    assert isinstance(err, RateLimitError) and err.hint is not None and "billing" in err.hint
    assert sleeps == []


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_no_retry_after_partial_output(openai_server: OpenAIServer, api: str) -> None:
    openai_server.enqueue(CutStream("abcdefgh" * 10, after_chunks=3), Text("never sent"))
    b, sleeps = backend(openai_server, api=api)
    received: list[StreamEvent] = []
    with pytest.raises(ConnectionFailedError) as info:
        for event in b.stream(MESSAGES, OPTIONS):
            received.append(event)
    assert text_of(received) == "abcdefgh" * 3
    assert "was cut off after 24 characters" in info.value.message
    assert sleeps == [] and len(openai_server.requests) == 1


def test_cut_before_any_output_is_retried(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(CutStream("abc", after_chunks=0), Text("second try"))
    b, sleeps = backend(openai_server)
    assert text_of(list(b.stream(MESSAGES, OPTIONS))) == "second try"
    assert len(sleeps) == 1


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_malformed_chunk(openai_server: OpenAIServer, api: str) -> None:
    openai_server.enqueue(Malformed(b"data: {this is not json", after_chunks=1))
    err = fail(backend(openai_server, api=api)[0])
    assert isinstance(err, MalformedResponseError) and "malformed" in err.message
    assert "{this is not json" in err.message


def test_hang_ends_in_a_read_timeout(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Hang(), Hang())
    b, sleeps = backend(openai_server, retries=1, timeout_read=0.3)
    err = fail(b)
    assert isinstance(err, ConnectionFailedError)
    assert "did not answer within 0.3 s, after 2 attempts" in err.message
    assert err.hint is not None and "timeout_read" in err.hint
    assert len(sleeps) == 1


def test_unreachable_local_server_says_how_to_start_it(openai_server: OpenAIServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    b, sleeps = backend(openai_server, retries=4, preset="ollama", url=url)
    err = fail(b)
    assert isinstance(err, ConnectionFailedError)
    assert f"cannot connect to {url}: connection refused" in err.message
    assert err.hint is not None and "ollama serve" in err.hint
    assert sleeps == []  # connection refused on localhost is not worth five tries


def test_missing_key_for_openai_fails_before_any_request() -> None:
    b = OpenAICompatBackend(Endpoint("gpt-4o", None, None, "OPENAI_API_KEY"), retry=RetryPolicy(0))
    with pytest.raises(AuthenticationError) as info:
        list(b.stream(MESSAGES, OPTIONS))
    assert info.value.hint is not None and "OPENAI_API_KEY" in info.value.hint


# -- cancellation -------------------------------------------------------------------------


def long_text() -> Text:
    return Text("x" * 4000, chunk_size=4, delay=0.005)


def test_breaking_out_closes_the_connection(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(long_text())
    b, _ = backend(openai_server)
    for event in b.stream(MESSAGES, OPTIONS):
        if event.kind == "delta":
            break
    assert openai_server.wait_aborted()


def test_interrupt_inside_the_stream_raises_interrupted_and_closes(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(long_text())
    b, _ = backend(openai_server)
    events = b.stream(MESSAGES, OPTIONS)
    assert next(events).kind == "delta"
    with pytest.raises(Interrupted) as info:
        events.throw(KeyboardInterrupt())  # Ctrl-C landing while the backend is reading
    assert info.value.exit_code == 130
    assert openai_server.wait_aborted()


def test_interrupt_in_the_consumer_loop_closes_the_connection(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(long_text())
    b, _ = backend(openai_server)
    with pytest.raises(KeyboardInterrupt), contextlib.closing(b.stream(MESSAGES, OPTIONS)) as events:
        for _ in events:
            raise KeyboardInterrupt
    assert openai_server.wait_aborted()


def test_real_sigint_while_reading(openai_server: OpenAIServer) -> None:
    import os
    import signal
    import sys
    import threading

    openai_server.enqueue(Text("first" + "x" * 100, chunk_size=5, delay=60.0))
    b, _ = backend(openai_server)
    main = threading.main_thread().ident
    assert threading.current_thread().ident == main, "signals are delivered to the main thread"
    blocked = threading.Event()

    def in_network_read() -> bool:
        frame = sys._current_frames().get(main)  # type: ignore[arg-type]
        files = []
        while frame is not None and len(files) < 4:
            files.append(frame.f_code.co_filename)
            frame = frame.f_back
        return any(part in f for f in files for part in ("httpcore", "httpx", "/socket.py", "/ssl.py"))

    def interrupt_when_blocked() -> None:
        # Press Ctrl-C only once the main thread sits in the SDK's network read.
        for _ in range(2000):
            if in_network_read():
                blocked.set()
                os.kill(os.getpid(), signal.SIGINT)
                return
            blocked.wait(0.005)

    events = b.stream(MESSAGES, OPTIONS)
    assert next(events).text == "first"
    helper = threading.Thread(target=interrupt_when_blocked, daemon=True)
    helper.start()
    with pytest.raises(Interrupted):
        next(events)
    helper.join()
    assert blocked.is_set()
    assert openai_server.wait_aborted()


def test_error_event_inside_a_chat_stream(openai_server: OpenAIServer) -> None:
    msg = "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."
    raw = b'data: {"error": {"message": "' + msg.encode() + b'", "code": "context_length_exceeded"}}'
    openai_server.enqueue(Malformed(raw, after_chunks=0))
    err = fail(backend(openai_server)[0])
    assert isinstance(err, ContextTooLongError) and "808 tokens too long" in err.message


def test_lenient_server_without_finish_reason(openai_server: OpenAIServer) -> None:
    chunk = (
        b'data: {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m", '
        b'"choices": [{"index": 0, "delta": {"content": "hi"}}]}'
    )
    # A good chunk, then a valid [DONE] and nothing else: no finish reason, no usage.
    openai_server.enqueue(Malformed(chunk + b"\n\ndata: [DONE]", after_chunks=0))
    b, _ = backend(openai_server)
    events = list(b.stream(MESSAGES, OPTIONS))
    assert text_of(events) == "hi" and events[-1].finish_reason == "stop"
    usage = [e.usage for e in events if e.usage is not None]
    assert usage and usage[0].estimated
