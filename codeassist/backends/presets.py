"""Provider presets: ``ollama/qwen2.5-coder:7b`` -> base URL, key variable, model id.

A model name whose first path segment names a preset is sent to that
provider; the rest of the name is the model id the provider knows
(``openrouter/anthropic/claude-sonnet-4`` asks OpenRouter for
``anthropic/claude-sonnet-4``).

Resolution (:func:`resolve_endpoint`):

* base URL: an explicit one (``--base-url``, ``CODEASSIST_BASE_URL``, a config
  file) wins over the preset; the preset wins over ``OPENAI_BASE_URL``; with
  no preset, ``base_url``/``OPENAI_BASE_URL`` or the OpenAI default is used.
* API key: an explicit one (``--api-key``, ``CODEASSIST_API_KEY``, a config
  file) wins; then the preset's own variable (``OPENROUTER_API_KEY``...).
  ``OPENAI_API_KEY`` is used only for OpenAI itself, a model without preset,
  or an explicit base URL: it is never sent to another provider. Local
  presets need no key (a placeholder is sent). Last, with ``key_store =
  "keyring"``, the key stored in the system keyring (:mod:`codeassist.keystore`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codeassist.config import Settings

OPENAI_KEY_ENV = "OPENAI_API_KEY"
# Local servers ignore the key, but the SDK insists on one.
PLACEHOLDER_KEY = "not-needed"
# "discovered": a local server found by zero-config discovery (its URL, not the preset default).
EXPLICIT_SOURCES = ("flag", "env", "user", "repo", "discovered")


@dataclass(frozen=True)
class Preset:
    name: str
    base_url: str | None
    key_env: str | None
    local: bool = False
    start_hint: str | None = None
    # Azure addresses deployments under its own URL scheme and an api-version.
    azure: bool = False


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("openai", "https://api.openai.com/v1", OPENAI_KEY_ENV),
        Preset("azure", None, "AZURE_OPENAI_API_KEY", azure=True),
        Preset("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
        Preset("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        Preset("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
        Preset("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
        Preset("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
        Preset("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
        Preset("gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
        Preset("ollama", "http://localhost:11434/v1", None, True, "start it with `ollama serve`"),
        Preset("vllm", "http://localhost:8000/v1", None, True, "start it with `vllm serve MODEL`"),
        Preset("llamacpp", "http://localhost:8080/v1", None, True, "start it with `llama-server -m MODEL.gguf`"),
        Preset("lmstudio", "http://localhost:1234/v1", None, True, "start it with `lms server start`"),
    )
}

DEFAULT_AZURE_API_VERSION = "2024-10-21"


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach a model; ``api_key`` may be None (no key found)."""

    model: str  # the id sent to the provider
    base_url: str | None  # None: the OpenAI default
    api_key: str | None
    key_env: str  # the variable a user should set when the key is missing or wrong
    preset: Preset | None = None
    api_version: str | None = None  # Azure only
    configured: str = ""  # the model name as the user wrote it, preset included

    @property
    def display_url(self) -> str:
        """The URL as it may be printed: a key in its userinfo or query is masked."""
        from codeassist.redact import redact_url

        return redact_url(self.base_url or "https://api.openai.com/v1")


def split_preset(model: str) -> tuple[Preset | None, str]:
    """``"ollama/qwen:7b"`` -> (ollama preset, ``"qwen:7b"``); no preset -> (None, model)."""
    head, sep, rest = model.partition("/")
    preset = PRESETS.get(head.lower()) if sep else None
    if preset is None or not rest:
        return None, model
    return preset, rest


def resolve_endpoint(settings: Settings, environ: Mapping[str, str]) -> Endpoint:
    """Apply the resolution rules of this module's docstring to ``settings``."""
    preset, model_id = split_preset(settings.model or "")
    base_url = _base_url(settings, environ, preset)
    key, key_env = _api_key(settings, environ, preset, explicit_url=_explicit(settings, "base_url"))
    version = None
    if preset is not None and preset.azure:
        version = environ.get("OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION
    return Endpoint(model_id, base_url, key, key_env, preset, version, settings.model or "")


def _explicit(settings: Settings, key: str) -> bool:
    return getattr(settings, key) is not None and settings.source(key) in EXPLICIT_SOURCES


def _base_url(settings: Settings, environ: Mapping[str, str], preset: Preset | None) -> str | None:
    if _explicit(settings, "base_url"):
        return str(settings.base_url)
    if preset is not None and preset.azure:
        return environ.get("AZURE_OPENAI_ENDPOINT") or None
    if preset is not None and preset.base_url:
        return preset.base_url
    return str(settings.base_url) if settings.base_url else None


def _api_key(
    settings: Settings, environ: Mapping[str, str], preset: Preset | None, *, explicit_url: bool
) -> tuple[str | None, str]:
    key_env = preset.key_env if preset is not None and preset.key_env else OPENAI_KEY_ENV
    if _explicit(settings, "api_key"):
        return str(settings.api_key), key_env
    if preset is not None and preset.key_env and environ.get(preset.key_env):
        return environ[preset.key_env], key_env
    openai_key = settings.api_key if settings.source("api_key") == "env:" + OPENAI_KEY_ENV else None
    if openai_key and (preset is None or preset.key_env == OPENAI_KEY_ENV or explicit_url):
        return str(openai_key), key_env
    if preset is not None and preset.local:
        return PLACEHOLDER_KEY, key_env  # a local server ignores keys: the keyring's is never sent to one
    if getattr(settings, "key_store", None) == "keyring" and settings.api_key is None:
        from codeassist import keystore

        stored = keystore.lookup()
        if stored:
            return stored, key_env
    return None, key_env
