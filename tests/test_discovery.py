"""Zero-config discovery: provider keys, local servers on their ports, the model it picks."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from openai_server import OpenAIServer

from codeassist.backends.discovery import (
    TARGETS_ENV,
    best_local,
    discover,
    keys_in_env,
    local_targets,
    nothing_found,
    probe_local,
)
from codeassist.errors import ConfigError


def test_keys_are_found_in_the_documented_order() -> None:
    found = keys_in_env({"MISTRAL_API_KEY": "m", "ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": ""})
    assert [f.key_env for f in found] == ["ANTHROPIC_API_KEY", "MISTRAL_API_KEY"]
    assert found[0].model.startswith("anthropic/") and "ANTHROPIC_API_KEY is set" in found[0].describe()


def test_a_key_is_enough_without_probing() -> None:
    # An override naming a non-loopback host would be refused: it is never read when a key was found.
    found = discover({"OPENAI_API_KEY": "sk", TARGETS_ENV: "ollama=example.com:1"})
    assert [f.provider for f in found] == ["openai"]


def test_the_best_local_model_is_a_known_coding_model_then_the_largest() -> None:
    models = ["nomic-embed-text:latest", "llama3.1:8b", "qwen2.5-coder:7b", "qwen2.5-coder:32b", "mystery:70b"]
    assert best_local(models) == "qwen2.5-coder:32b"
    assert best_local(["mystery:70b", "llama3.1:8b"]) == "llama3.1:8b"  # the catalogue knows it
    assert best_local(["b-model", "a-model"]) == "a-model"  # a stable tie-break


def test_default_targets_and_the_loopback_only_override() -> None:
    assert [k for k, _ in local_targets({})] == ["ollama", "lmstudio", "llamacpp", "vllm"]
    assert local_targets({TARGETS_ENV: "vllm=127.0.0.1:9, ollama=localhost:7"}) == [
        ("vllm", "http://127.0.0.1:9/v1"),
        ("ollama", "http://localhost:7/v1"),
    ]
    for bad in ("vllm=10.0.0.1:8000", "nosuch=127.0.0.1:1", "vllm=127.0.0.1"):
        with pytest.raises(ConfigError):
            local_targets({TARGETS_ENV: bad})


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (the worst case for the probe)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_probe_finds_the_server_that_answers_among_silent_and_closed_ports(
    openai_server: OpenAIServer, silent_port: int
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    targets = [
        ("ollama", f"http://127.0.0.1:{_free_port()}/v1"),
        ("lmstudio", f"http://127.0.0.1:{silent_port}/v1"),
        ("vllm", openai_server.base_url),
    ]
    found = probe_local(targets)
    assert [(f.provider, f.model, f.base_url) for f in found] == [
        ("vllm", "vllm/qwen2.5-coder:7b", openai_server.base_url)
    ]


def test_nothing_listening_finds_nothing(silent_port: int) -> None:
    env = {TARGETS_ENV: f"ollama=127.0.0.1:{_free_port()},vllm=127.0.0.1:{silent_port}"}
    assert discover(env) == []
    error = nothing_found()
    assert error.exit_code == 3 and "ollama serve" in (error.hint or "")
