"""The model a request uses and its facts: window, reply reserve, and where each came from.

:func:`resolve` is the one place that turns settings into a usable model:

1. no model configured: the best model the configured ``base_url`` serves,
   else discovery (:mod:`codeassist.backends.discovery`) picks one; a note
   says which;
2. what can be checked without the network is checked now, before any index
   or context work: a provider prefix codeassist does not know, a hosted
   provider with no key;
3. the server is asked for its facts (:mod:`codeassist.backends.server_facts`),
   once per endpoint and model, then from the cache; a local server that
   refuses the connection fails here;
4. the window in force, in this order: the ``context_window`` setting (flag,
   ``CODEASSIST_CONTEXT_WINDOW``, config file, a ``[models."NAME"]`` table),
   the server's figure, the catalogue, the default (32,768 tokens). The same
   for ``max_output_tokens``.
5. whether the model calls tools: a ``[models."NAME"]`` table's ``tools``,
   what the server says (OpenRouter, Ollama), the catalogue, else unknown.

The returned settings carry the resolved values with their source
(``server``, ``catalogue``, ``default``...), so ``config show`` and the
backends see the same figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from codeassist.backends import facts_cache
from codeassist.backends.catalogue import ModelInfo, lookup_model
from codeassist.backends.presets import split_preset
from codeassist.backends.server_facts import ServerFacts, fetch_facts, is_loopback
from codeassist.errors import AuthenticationError, ConfigError

if TYPE_CHECKING:
    from codeassist.backends.discovery import Found
    from codeassist.config import Settings

SETTING_SOURCES = ("flag", "env", "user", "repo")
# Hosted providers whose /models says nothing about windows: the catalogue knows them.
_ASKED_PRESETS = ("openrouter", "ollama", "vllm", "llamacpp", "lmstudio")
FACTS_TIMEOUT = 5.0
WINDOW_HINT = (
    "set the model's window with --context-window N, CODEASSIST_CONTEXT_WINDOW=N "
    "or `codeassist config set context_window N`"
)


@dataclass(frozen=True)
class ModelFacts:
    """The model in use and where its figures came from (``setting``, ``server``, ``catalogue``, ``default``)."""

    settings: Settings
    info: ModelInfo
    window_source: str
    output_source: str
    server: ServerFacts | None = None
    discovered: Found | None = None
    notes: tuple[str, ...] = ()

    def describe_window(self) -> str:
        return f"{self.info.context_window:,} tokens ({self.window_source}), {self.info.max_output_tokens:,} reserved"


def resolve(
    settings: Settings,
    environ: Mapping[str, str],
    cache_dir: Path,
    *,
    fetch: bool = True,
    discover: bool = True,
    check: bool = True,
    clock: Callable[[], float] = time.time,
) -> ModelFacts:
    """The model ``settings`` describe (or discovery finds) and its facts; see the module docstring.

    ``fetch`` False never touches the network (the cache is still read);
    ``check`` False skips the offline checks (for commands that only show).
    Raises ConfigError (no model found, unknown provider prefix),
    AuthenticationError (no key) or ConnectionFailedError (a local server
    that is not running).
    """
    found = None
    notes: list[str] = []
    if not settings.model and discover and fetch:
        from codeassist.backends import discovery

        named = discovery.served_by(str(settings.base_url), settings.api_key) if settings.base_url else None
        candidates = [named] if named is not None else discovery.discover(environ)
        if not candidates:
            raise discovery.nothing_found()
        found = candidates[0]
        settings = settings.with_found("discovered", model=found.model)
        if found.base_url:
            settings = settings.with_found("discovered", base_url=found.base_url)
        notes.append(f"no model configured: using {found.describe()}")
    if not settings.model:
        return _facts(settings, "", None, found, notes)
    server = None
    if _builtin_backend(settings):
        if check:
            _check_offline(settings, environ)
        server = _server_facts(settings, environ, cache_dir, fetch=fetch, clock=clock)
        if server is not None and server.note:
            notes.append(server.note)
        if server is not None and server.kind == "ollama" and split_preset(str(settings.model))[0] is None:
            # The ollama preset streams through Ollama's native API, the one that accepts num_ctx.
            settings = settings.with_found("server", model="ollama/" + str(settings.model))
    return _facts(settings, str(settings.model), server, found, notes)


def _builtin_backend(settings: Settings) -> bool:
    """Whether the built-in OpenAI-compatible backend serves this model (not a plugin)."""
    from codeassist.backends.presets import PRESETS

    if settings.backend not in (None, "openai"):
        return False
    head, sep, _ = str(settings.model).partition("/")
    if not sep or head.lower() in PRESETS or settings.backend == "openai":
        return True
    from codeassist.backends.registry import _entry_points

    return head not in _entry_points()


def _check_offline(settings: Settings, environ: Mapping[str, str]) -> None:
    from codeassist.backends.presets import PRESETS, resolve_endpoint

    model = str(settings.model)
    head, sep, _ = model.partition("/")
    if sep and head.lower() not in PRESETS and not settings.base_url:
        raise ConfigError(
            f"unknown provider {head!r} in model {model!r}",
            hint="known providers: "
            + ", ".join(p + "/" for p in PRESETS)
            + "; for a model id with a slash on your own server, also pass --base-url",
        )
    ep = resolve_endpoint(settings, environ)
    # A hosted provider always needs its key; a server of the user's own (a bare --base-url) may not.
    if ep.api_key is None and (ep.base_url is None or ep.preset is not None):
        raise AuthenticationError(f"no API key for {ep.display_url}", hint=f"set {ep.key_env} (or pass --api-key)")


def _server_facts(
    settings: Settings, environ: Mapping[str, str], cache_dir: Path, *, fetch: bool, clock: Callable[[], float]
) -> ServerFacts | None:
    from codeassist.backends.presets import resolve_endpoint

    ep = resolve_endpoint(settings, environ)
    preset = ep.preset.name if ep.preset is not None else None
    if ep.base_url is None or (preset is not None and preset not in _ASKED_PRESETS):
        return None
    local = is_loopback(ep.base_url)
    ttl = facts_cache.LOCAL_TTL if local else facts_cache.HOSTED_TTL
    cached = facts_cache.load(cache_dir, ep.base_url, ep.model, ttl=ttl, clock=clock)
    if cached is not None or not fetch:
        return cached
    facts = fetch_facts(ep.base_url, ep.model, preset=preset, api_key=ep.api_key, timeout=FACTS_TIMEOUT)
    if facts.models or facts.context_window:  # a server that said nothing is asked again next time
        facts_cache.store(cache_dir, ep.base_url, ep.model, facts, clock=clock)
    return facts


def _facts(
    settings: Settings, model: str, server: ServerFacts | None, found: Found | None, notes: list[str]
) -> ModelFacts:
    catalogued = lookup_model(model)
    tabled = lookup_model(model, settings.models)
    tables = _table_keys(model, settings)
    window, window_source = _pick(
        settings,
        "context_window",
        tables,
        tabled.context_window,
        server.context_window if server else None,
        catalogued,
    )
    output, output_source = _pick(
        settings,
        "max_output_tokens",
        tables,
        tabled.max_output_tokens,
        server.max_output_tokens if server else None,
        catalogued,
    )
    if output_source not in ("setting", "server") and output > window // 4:
        output = max(256, window // 4)  # a small window still leaves most of itself for the prompt
    # (A model Ollama does not have gets "ollama pull" advice from the request itself instead.)
    if server is not None and server.kind == "ollama" and server.trained_context is None and server.served:
        notes.append(
            f"Ollama did not describe {model} (/api/show), so codeassist cannot tell how far to raise its "
            f"num_ctx and assumes {window:,} tokens; {WINDOW_HINT}"
        )
    info = replace(tabled, context_window=window, max_output_tokens=output)
    if server is not None and server.tools is not None and info.tools_source != "config":
        info = replace(info, tools=server.tools, tools_source="server")
    found_as = {"context_window": (window, window_source), "max_output_tokens": (output, output_source)}
    for key, (value, source) in found_as.items():
        if source == "setting" and key in tables and settings.source(key) not in SETTING_SOURCES:
            settings = settings.with_found("[models] table", **{key: value})
        elif source != "setting":
            settings = settings.with_found(source, **{key: value})
    return ModelFacts(settings, info, window_source, output_source, server, found, tuple(notes))


def _table_keys(model: str, settings: Settings) -> set[str]:
    from codeassist.backends.catalogue import _override_keys

    keys: set[str] = set()
    for name in _override_keys(model, settings.models):
        keys.update(k.replace("-", "_") for k in settings.models[name])
    return keys


def _pick(
    settings: Settings, key: str, tables: set[str], tabled: int, served: int | None, catalogued: ModelInfo
) -> tuple[int, str]:
    value = getattr(settings, key)
    if value is not None and settings.source(key) in SETTING_SOURCES:
        return int(value), "setting"
    if key in tables:
        return tabled, "setting"
    if served is not None:
        return served, "server"
    if catalogued.known:
        return tabled, "catalogue"
    return tabled, "default"
