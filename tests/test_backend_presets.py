"""Provider presets: which base URL and key each configuration ends up with."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeassist.backends.presets import PLACEHOLDER_KEY, PRESETS, resolve_endpoint, split_preset
from codeassist.config import load_settings


def settings(tmp_path: Path, env: dict[str, str], config: str = "", **flags: str):  # type: ignore[no-untyped-def]
    user = tmp_path / "config.toml"
    user.write_text(config)
    return load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(user), **env}, flags=flags)


OR_URL = "https://openrouter.ai/api/v1"

# (model flag, environment, user config, flags, expected model id, base_url, api key, key variable)
TABLE = [
    # no preset: OPENAI_* or the OpenAI default
    ("gpt-4.1", {"OPENAI_API_KEY": "sk-o"}, "", {}, "gpt-4.1", None, "sk-o", "OPENAI_API_KEY"),
    (
        "gpt-4.1",
        {"OPENAI_API_KEY": "sk-o", "OPENAI_BASE_URL": "http://proxy/v1"},
        "",
        {},
        "gpt-4.1",
        "http://proxy/v1",
        "sk-o",
        "OPENAI_API_KEY",
    ),
    # a preset wins over OPENAI_BASE_URL, and its own key over OPENAI_API_KEY
    (
        "openrouter/anthropic/claude-sonnet-4",
        {"OPENAI_API_KEY": "sk-o", "OPENAI_BASE_URL": "http://proxy/v1", "OPENROUTER_API_KEY": "sk-or"},
        "",
        {},
        "anthropic/claude-sonnet-4",
        OR_URL,
        "sk-or",
        "OPENROUTER_API_KEY",
    ),
    # OpenAI's key is never sent to another provider
    (
        "groq/llama-3.3-70b-versatile",
        {"OPENAI_API_KEY": "sk-o"},
        "",
        {},
        "llama-3.3-70b-versatile",
        "https://api.groq.com/openai/v1",
        None,
        "GROQ_API_KEY",
    ),
    # the openai preset uses OpenAI's variable and ignores OPENAI_BASE_URL
    (
        "openai/gpt-4o",
        {"OPENAI_API_KEY": "sk-o", "OPENAI_BASE_URL": "http://proxy/v1"},
        "",
        {},
        "gpt-4o",
        "https://api.openai.com/v1",
        "sk-o",
        "OPENAI_API_KEY",
    ),
    # an explicit base URL (flag, CODEASSIST_BASE_URL, config file) wins over the preset
    (
        "ollama/qwen2.5-coder:7b",
        {},
        "",
        {"base_url": "http://gpu-box:11434/v1"},
        "qwen2.5-coder:7b",
        "http://gpu-box:11434/v1",
        PLACEHOLDER_KEY,
        "OPENAI_API_KEY",
    ),
    (
        "ollama/qwen2.5-coder:7b",
        {"CODEASSIST_BASE_URL": "http://env-box/v1"},
        "",
        {},
        "qwen2.5-coder:7b",
        "http://env-box/v1",
        PLACEHOLDER_KEY,
        "OPENAI_API_KEY",
    ),
    (
        "deepseek/deepseek-chat",
        {"DEEPSEEK_API_KEY": "sk-d"},
        'base_url = "http://cfg/v1"\n',
        {},
        "deepseek-chat",
        "http://cfg/v1",
        "sk-d",
        "DEEPSEEK_API_KEY",
    ),
    # local presets need no key
    (
        "ollama/qwen2.5-coder:7b",
        {},
        "",
        {},
        "qwen2.5-coder:7b",
        "http://localhost:11434/v1",
        PLACEHOLDER_KEY,
        "OPENAI_API_KEY",
    ),
    ("lmstudio/qwen", {}, "", {}, "qwen", "http://localhost:1234/v1", PLACEHOLDER_KEY, "OPENAI_API_KEY"),
    ("llamacpp/any", {}, "", {}, "any", "http://localhost:8080/v1", PLACEHOLDER_KEY, "OPENAI_API_KEY"),
    (
        "vllm/Qwen/Qwen2.5-Coder-32B-Instruct",
        {},
        "",
        {},
        "Qwen/Qwen2.5-Coder-32B-Instruct",
        "http://localhost:8000/v1",
        PLACEHOLDER_KEY,
        "OPENAI_API_KEY",
    ),
    # an explicit key (flag, CODEASSIST_API_KEY, config) wins over the preset's variable
    (
        "anthropic/claude-sonnet-4-5",
        {"ANTHROPIC_API_KEY": "sk-a"},
        "",
        {"api_key": "sk-flag"},
        "claude-sonnet-4-5",
        "https://api.anthropic.com/v1",
        "sk-flag",
        "ANTHROPIC_API_KEY",
    ),
    (
        "gemini/gemini-2.5-pro",
        {"GEMINI_API_KEY": "g"},
        "",
        {},
        "gemini-2.5-pro",
        "https://generativelanguage.googleapis.com/v1beta/openai",
        "g",
        "GEMINI_API_KEY",
    ),
    (
        "mistral/codestral-latest",
        {"MISTRAL_API_KEY": "m"},
        "",
        {},
        "codestral-latest",
        "https://api.mistral.ai/v1",
        "m",
        "MISTRAL_API_KEY",
    ),
    (
        "together/Qwen/Qwen3-Coder",
        {"TOGETHER_API_KEY": "t"},
        "",
        {},
        "Qwen/Qwen3-Coder",
        "https://api.together.xyz/v1",
        "t",
        "TOGETHER_API_KEY",
    ),
    # an unknown first segment is part of the model id, not a preset
    ("acme/model-x", {"OPENAI_API_KEY": "sk-o"}, "", {}, "acme/model-x", None, "sk-o", "OPENAI_API_KEY"),
]


@pytest.mark.parametrize(("model", "env", "config", "flags", "model_id", "url", "key", "key_env"), TABLE)
def test_resolution_table(
    tmp_path: Path,
    model: str,
    env: dict[str, str],
    config: str,
    flags: dict[str, str],
    model_id: str,
    url: str | None,
    key: str | None,
    key_env: str,
) -> None:
    ep = resolve_endpoint(settings(tmp_path, env, config, model=model, **flags), env)
    assert (ep.model, ep.base_url, ep.api_key, ep.key_env) == (model_id, url, key, key_env)
    assert ep.configured == model


def test_azure_uses_its_endpoint_and_api_version(tmp_path: Path) -> None:
    env = {
        "AZURE_OPENAI_API_KEY": "az",
        "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com",
        "OPENAI_API_VERSION": "2025-01-01-preview",
    }
    ep = resolve_endpoint(settings(tmp_path, env, model="azure/my-deployment"), env)
    assert (ep.model, ep.base_url, ep.api_key, ep.api_version) == (
        "my-deployment",
        "https://r.openai.azure.com",
        "az",
        "2025-01-01-preview",
    )
    assert ep.preset is not None and ep.preset.azure


def test_split_preset() -> None:
    assert split_preset("ollama/llama3.1:8b") == (PRESETS["ollama"], "llama3.1:8b")
    assert split_preset("OpenRouter/x/y") == (PRESETS["openrouter"], "x/y")
    assert split_preset("ollama/") == (None, "ollama/")
    assert split_preset("gpt-4o") == (None, "gpt-4o")


def test_every_local_preset_says_how_to_start_it() -> None:
    for preset in PRESETS.values():
        assert preset.local == (preset.key_env is None)
        if preset.local:
            assert preset.start_hint and preset.base_url and preset.base_url.startswith("http://localhost:")
