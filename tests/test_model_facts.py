"""The window from the server: each kind of server impersonated by the loopback server, the cache, the settings."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from openai_server import OpenAIServer
from server_kinds import Kind

from codeassist.backends import facts_cache
from codeassist.backends.model_facts import ModelFacts, resolve
from codeassist.config import Settings, load_settings
from codeassist.errors import AuthenticationError, ConfigError, ConnectionFailedError

ENV: dict[str, str] = {}


def settings(**flags: object) -> Settings:
    return load_settings(repo_root=None, environ=ENV, config_file=None, flags=flags)


def facts_for(
    server: OpenAIServer, model: str, cache: Path, base_url: str | None = None, **flags: object
) -> ModelFacts:
    s = settings(model=model, base_url=base_url or server.base_url, **flags)
    return resolve(s, ENV, cache)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind("vllm", window=131072), 131072),
        (Kind("llamacpp", window=16384), 16384),
        (Kind("lmstudio", window=12000, trained=32768), 12000),
        (Kind("ollama", window=40960, num_ctx=4096), 40960),
    ],
)
def test_each_server_kind_gives_its_window(
    openai_server: OpenAIServer, tmp_path: Path, kind: Kind, expected: int
) -> None:
    openai_server.models = ["my-local-model"]
    openai_server.impersonate(kind)
    facts = facts_for(openai_server, "my-local-model", tmp_path)
    assert facts.server is not None and facts.server.kind == kind.name
    assert facts.info.context_window == expected and facts.window_source == "server"
    assert facts.settings.context_window == expected and facts.settings.source("context_window") == "server"
    assert facts.info.max_output_tokens <= expected // 4


def test_ollama_reports_trained_context_and_num_ctx_and_uses_the_native_api(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("ollama", window=32768, num_ctx=4096))
    facts = facts_for(openai_server, "qwen2.5-coder:7b", tmp_path)
    assert facts.server is not None
    assert (facts.server.trained_context, facts.server.num_ctx) == (32768, 4096)
    # Found to be Ollama: the ollama preset (its native API accepts num_ctx) serves it from now on.
    assert facts.settings.model == "ollama/qwen2.5-coder:7b"
    shown = [r for r in openai_server.requests if r.path == "/api/show"]
    assert shown and shown[0].body == {"model": "qwen2.5-coder:7b"}


def test_openrouter_gives_context_length_and_max_output(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["acme/coder-large"]
    openai_server.impersonate(Kind("openrouter", window=200000, max_output=64000))
    facts = facts_for(
        openai_server,
        "openrouter/acme/coder-large",
        tmp_path,
        base_url=openai_server.root_url + "/api/v1",
        api_key="k",
    )
    assert (facts.info.context_window, facts.info.max_output_tokens) == (200000, 64000)
    assert (facts.window_source, facts.output_source) == ("server", "server")
    assert openai_server.requests[0].path == "/api/v1/models"


def test_facts_are_asked_once_then_cached_in_a_private_file(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["m"]
    openai_server.impersonate(Kind("vllm", window=65536))
    facts_for(openai_server, "m", tmp_path)
    asked = len(openai_server.requests)
    again = facts_for(openai_server, "m", tmp_path)
    assert len(openai_server.requests) == asked and again.info.context_window == 65536
    mode = stat.S_IMODE(os.stat(tmp_path / facts_cache.FILE_NAME).st_mode)
    assert mode == 0o600


def test_an_expired_entry_is_asked_again(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["m"]
    openai_server.impersonate(Kind("vllm", window=65536))
    s = settings(model="m", base_url=openai_server.base_url)
    resolve(s, ENV, tmp_path, clock=lambda: 1000.0)
    asked = len(openai_server.requests)
    resolve(s, ENV, tmp_path, clock=lambda: 1000.0 + facts_cache.LOCAL_TTL - 1)
    assert len(openai_server.requests) == asked
    resolve(s, ENV, tmp_path, clock=lambda: 1000.0 + facts_cache.LOCAL_TTL + 1)
    assert len(openai_server.requests) > asked


def test_fetch_false_never_asks(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.impersonate(Kind("vllm", window=65536))
    facts = resolve(settings(model="test-model", base_url=openai_server.base_url), ENV, tmp_path, fetch=False)
    assert openai_server.requests == [] and facts.window_source == "default" and facts.info.context_window == 32768


@pytest.mark.parametrize(
    ("flags", "environ_window"),
    [({"context_window": 50000}, None), ({}, "50000")],
)
def test_the_setting_wins_over_the_server(
    openai_server: OpenAIServer, tmp_path: Path, flags: dict[str, object], environ_window: str | None
) -> None:
    openai_server.impersonate(Kind("vllm", window=131072))
    env = {"CODEASSIST_CONTEXT_WINDOW": environ_window} if environ_window else {}
    s = load_settings(
        repo_root=None, environ=env, flags={"model": "test-model", "base_url": openai_server.base_url, **flags}
    )
    facts = resolve(s, env, tmp_path)
    assert facts.info.context_window == 50000 and facts.window_source == "setting"


def test_a_model_table_is_a_setting_and_the_catalogue_a_source(tmp_path: Path) -> None:
    s = settings(model="gpt-4.1")
    s.models["gpt-4.1"] = {"context_window": 60000}
    env = {"OPENAI_API_KEY": "sk-test"}
    facts = resolve(load_settings(repo_root=None, environ=env, flags={"model": "gpt-4.1"}), env, tmp_path)
    assert facts.window_source == "catalogue" and facts.info.context_window > 32768
    tabled = resolve(s.with_overrides(api_key="k"), env, tmp_path)
    assert tabled.window_source == "setting" and tabled.info.context_window == 60000
    assert tabled.settings.context_window == 60000 and tabled.settings.source("context_window") == "[models] table"


def test_unknown_model_gets_the_default_window(openai_server: OpenAIServer, tmp_path: Path) -> None:
    facts = facts_for(openai_server, "my-own-finetune", tmp_path)
    assert facts.window_source == "default" and facts.info.context_window == 32768


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_local_server_that_is_not_running_fails_at_once(tmp_path: Path) -> None:
    s = settings(model="my-model", base_url=f"http://127.0.0.1:{_free_port()}/v1")
    with pytest.raises(ConnectionFailedError, match="connection refused") as info:
        resolve(s, ENV, tmp_path)
    assert info.value.exit_code == 4


def test_unknown_provider_prefix_and_missing_key_fail_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown provider 'nosuch'"):
        resolve(settings(model="nosuch/model-x"), ENV, tmp_path)
    with pytest.raises(AuthenticationError, match="no API key") as info:
        resolve(settings(model="groq/llama-3.3-70b-versatile"), ENV, tmp_path)
    assert "GROQ_API_KEY" in (info.value.hint or "")


def test_a_server_that_says_nothing_is_not_cached(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = []
    facts_for(openai_server, "m", tmp_path)
    asked = len(openai_server.requests)
    facts_for(openai_server, "m", tmp_path)
    assert len(openai_server.requests) == 2 * asked


def test_llamacpp_without_props_is_read_from_slots(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.impersonate(Kind("llamacpp", window=8192, props=False))
    facts = facts_for(openai_server, "whatever.gguf", tmp_path)
    assert facts.info.context_window == 8192 and facts.window_source == "server"
    assert [r.path for r in openai_server.requests] == ["/v1/models", "/props", "/slots"]


def test_lmstudio_model_not_loaded_yet_is_a_note(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["qwen2.5-coder-7b-instruct"]
    openai_server.impersonate(Kind("lmstudio", window=4096, trained=32768, loaded=False))
    facts = facts_for(openai_server, "qwen2.5-coder-7b-instruct", tmp_path)
    assert facts.server is not None and facts.server.trained_context == 32768
    assert facts.window_source == "catalogue"  # not loaded: the server cannot say yet
    assert any("has not loaded" in n for n in facts.notes)


def test_ollama_that_cannot_describe_the_model_gets_a_one_line_warning(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("ollama", show=False))
    facts = facts_for(openai_server, "ollama/qwen2.5-coder:7b", tmp_path)
    assert len(facts.notes) == 1 and "num_ctx" in facts.notes[0]
    assert "context_window" in facts.notes[0] and "\n" not in facts.notes[0]


def test_a_proxy_in_the_environment_does_not_carry_loopback_requests(
    openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")
    openai_server.impersonate(Kind("vllm", window=65536))
    assert facts_for(openai_server, "test-model", tmp_path).info.context_window == 65536
