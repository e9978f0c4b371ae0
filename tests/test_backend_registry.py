"""The registry: built-in and third-party backends through the same entry-point group."""

from __future__ import annotations

from pathlib import Path

import echo_plugin
import pytest
from openai_server import OpenAIServer, Text

from codeassist.backends.base import Backend, Message, RequestOptions
from codeassist.backends.openai_compat import OpenAICompatBackend
from codeassist.backends.registry import available_backends, choose_backend, create_backend
from codeassist.config import Settings, load_settings
from codeassist.errors import ConfigError


@pytest.fixture
def echo_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = echo_plugin.install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    return site


def settings(tmp_path: Path, env: dict[str, str] | None = None, **flags: object) -> Settings:
    environ = {"CODEASSIST_CONFIG": str(tmp_path / "none.toml"), **(env or {})}
    return load_settings(repo_root=None, environ=environ, flags=flags)


def test_builtin_backend_is_registered_like_a_plugin() -> None:
    names = {b.name: b for b in available_backends()}
    assert names["openai"].target == "codeassist.backends.openai_compat:factory"
    assert names["openai"].builtin and names["openai"].error is None


def test_plugin_is_listed_with_its_models(echo_installed: Path) -> None:
    echo = {b.name: b for b in available_backends()}["echo"]
    assert echo.distribution == "codeassist-echo"
    assert echo.models == ("echo-1", "echo-large") and echo.error is None


def test_plugin_serves_its_prefix(echo_installed: Path, tmp_path: Path) -> None:
    backend = create_backend(settings(tmp_path, model="echo/echo-1"), environ={})
    assert isinstance(backend, Backend) and backend.name == "echo"
    text = "".join(e.text for e in backend.stream([Message("user", "hi there")], RequestOptions("echo/echo-1")))
    assert text == "echo (echo-1): hi there"


def test_backend_setting_chooses_the_plugin(echo_installed: Path, tmp_path: Path) -> None:
    backend = create_backend(settings(tmp_path, model="anything", backend="echo"), environ={})
    assert backend.name == "echo" and backend.model == "anything"  # type: ignore[attr-defined]


def test_presets_go_to_the_builtin_backend(tmp_path: Path) -> None:
    backend = create_backend(settings(tmp_path, model="vllm/qwen2.5-coder:7b"), environ={})
    assert isinstance(backend, OpenAICompatBackend)
    assert backend.endpoint.base_url == "http://localhost:8000/v1"
    assert backend.info.name == "qwen2.5-coder" and backend.api == "chat"


def test_ollama_goes_through_its_native_api_of_the_builtin_backend(tmp_path: Path) -> None:
    from codeassist.backends.ollama_native import OllamaNativeBackend

    backend = create_backend(settings(tmp_path, model="ollama/qwen2.5-coder:7b"), environ={})
    assert isinstance(backend, OllamaNativeBackend) and backend.name == "openai"
    assert backend.url == "http://localhost:11434" and backend.model == "qwen2.5-coder:7b"


def test_factory_gets_the_injected_environment(tmp_path: Path) -> None:
    env = {"OPENROUTER_API_KEY": "sk-or-test"}
    backend = create_backend(settings(tmp_path, env, model="openrouter/openai/gpt-4o"), environ=env)
    assert isinstance(backend, OpenAICompatBackend) and backend.endpoint.api_key == "sk-or-test"


def test_settings_reach_the_backend(tmp_path: Path) -> None:
    s = settings(tmp_path, model="gpt-4o", api="responses", timeout_read=7.0, max_retries=1)
    backend = create_backend(s, environ={})
    assert isinstance(backend, OpenAICompatBackend)
    assert (backend.api, backend.timeout_read, backend.retry.max_retries) == ("responses", 7.0, 1)


def test_no_model_is_a_config_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        create_backend(settings(tmp_path), environ={})
    assert info.value.exit_code == 3 and "no model configured" in info.value.message
    assert info.value.hint is not None and "--model" in info.value.hint and "CODEASSIST_MODEL" in info.value.hint


def test_unknown_backend_lists_the_installed_ones(echo_installed: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        create_backend(settings(tmp_path, model="x", backend="nope"), environ={})
    assert info.value.exit_code == 3 and info.value.hint == "installed backends: echo, openai"


def test_choose_backend_rules() -> None:
    names = ["echo", "openai"]
    assert choose_backend("echo/x", None, names) == ("echo", "x")
    assert choose_backend("echo/", None, names) == ("openai", "echo/")
    assert choose_backend("openai/gpt-4o", None, names) == ("openai", "openai/gpt-4o")
    assert choose_backend("ollama/q", None, names) == ("openai", "ollama/q")
    assert choose_backend("echo/x", "echo", names) == ("echo", "x")
    assert choose_backend("openai/gpt-4o", "openai", names) == ("openai", "openai/gpt-4o")


def test_broken_plugin_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "broken"
    info = site / "broken_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[codeassist.backends]\nbroken = no_such_module:factory\n")
    monkeypatch.syspath_prepend(str(site))
    broken = {b.name: b for b in available_backends()}["broken"]
    assert broken.error is not None and "failed to load" in broken.error
    with pytest.raises(ConfigError):
        create_backend(settings(tmp_path, model="broken/x"), environ={})


def test_end_to_end_from_settings(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.enqueue(Text("streamed through everything"))
    env = {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": openai_server.base_url}
    backend = create_backend(settings(tmp_path, env, model="gpt-4o-mini"), environ=env)
    text = "".join(e.text for e in backend.stream([Message("user", "hi")], RequestOptions("gpt-4o-mini")))
    assert text == "streamed through everything"
    assert openai_server.requests[-1].headers["authorization"] == "Bearer test-key"


def test_plugin_that_fails_to_start_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "failing"
    info = site / "failing_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: failing-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[codeassist.backends]\nfailing = failing_plugin:factory\n")
    (site / "failing_plugin.py").write_text(
        "def factory(settings, model):\n    raise RuntimeError('no GPU here')\n\n"
        "def models():\n    raise RuntimeError('cannot list')\n"
    )
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(ConfigError) as info_:
        create_backend(settings(tmp_path, model="failing/x"), environ={})
    assert "backend 'failing' failed to start for model 'x': no GPU here" in info_.value.message
    listed = {b.name: b for b in available_backends()}["failing"]
    assert listed.error == "models() failed: cannot list"
