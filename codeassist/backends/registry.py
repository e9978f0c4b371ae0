"""Find backends through the entry-point group ``codeassist.backends``.

The built-in OpenAI-compatible backend registers itself exactly as a
third-party plugin does (``openai = "codeassist.backends.openai_compat:factory"``
in codeassist's own pyproject.toml).

Writing a plugin
----------------
A package declares in its pyproject.toml::

    [project.entry-points."codeassist.backends"]
    echo = "codeassist_echo:factory"

The entry point resolves to a **factory**: a callable
``factory(settings: codeassist.config.Settings, model: str) -> Backend``
returning an object with the :class:`codeassist.backends.base.Backend`
shape (``name``, ``stream(messages, options)``, ``list_models()``). It may
accept an optional keyword ``environ`` (the environment mapping codeassist
was given). Optionally, the factory or its module has ``models``: a list of
model names the plugin serves, or a function returning one; ``codeassist
models`` lists them.

Choosing a backend (:func:`create_backend`): the ``backend`` setting names
one explicitly; otherwise a model written ``<plugin>/<model>`` goes to the
plugin of that name (which receives ``<model>``); everything else goes to the
built-in ``openai`` backend, whose provider presets (``ollama/...``) apply.
A plugin whose name equals a preset takes precedence over the preset.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from codeassist.errors import CodeassistError, ConfigError

if TYPE_CHECKING:
    from codeassist.backends.base import Backend
    from codeassist.config import Settings

GROUP = "codeassist.backends"
DEFAULT_BACKEND = "openai"
# Used when codeassist runs from a source tree whose metadata lacks the entry point.
BUILTIN = {DEFAULT_BACKEND: "codeassist.backends.openai_compat:factory"}

Factory = Callable[..., "Backend"]


@dataclass(frozen=True)
class BackendInfo:
    """One installed backend, as ``codeassist models`` shows it."""

    name: str
    target: str  # "module:attr"
    distribution: str | None  # the package that provides it
    models: tuple[str, ...] = ()
    error: str | None = None  # why it could not be loaded or listed

    @property
    def builtin(self) -> bool:
        return self.name == DEFAULT_BACKEND


def _entry_points() -> dict[str, metadata.EntryPoint]:
    found = {ep.name: ep for ep in metadata.entry_points(group=GROUP)}
    for name, target in BUILTIN.items():
        found.setdefault(name, metadata.EntryPoint(name, target, GROUP))
    return dict(sorted(found.items()))


def _load(ep: metadata.EntryPoint) -> Factory:
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not take codeassist down with it
        raise ConfigError(f"backend {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
    if inspect.ismodule(obj) and callable(getattr(obj, "factory", None)):
        obj = obj.factory
    if not callable(obj):
        raise ConfigError(f"backend {ep.name!r} ({ep.value}) is not a factory function")
    return obj  # type: ignore[no-any-return]


def _plugin_models(factory: Factory) -> tuple[str, ...]:
    source: Any = getattr(factory, "models", None)
    if source is None:
        source = getattr(sys.modules.get(getattr(factory, "__module__", ""), None), "models", None)
    if source is None:
        return ()
    if callable(source):
        source = source()
    return tuple(str(m) for m in source)


def available_backends() -> list[BackendInfo]:
    """Every installed backend, sorted by name; load failures are reported, not raised."""
    out: list[BackendInfo] = []
    for name, ep in _entry_points().items():
        dist = ep.dist.name if ep.dist is not None else None
        try:
            models = _plugin_models(_load(ep))
        except ConfigError as exc:
            out.append(BackendInfo(name, ep.value, dist, error=exc.message))
            continue
        except Exception as exc:  # the plugin's models() is foreign code
            out.append(BackendInfo(name, ep.value, dist, error=f"models() failed: {exc}"))
            continue
        out.append(BackendInfo(name, ep.value, dist, models))
    return out


def choose_backend(model: str, backend: str | None, names: list[str]) -> tuple[str, str]:
    """(backend name, model passed to its factory) by the rules of the module docstring."""
    if backend:
        if backend not in names:
            raise ConfigError(f"unknown backend {backend!r}", hint="installed backends: " + ", ".join(names))
        prefix = backend + "/"
        rest = model[len(prefix) :] if backend != DEFAULT_BACKEND and model.startswith(prefix) else model
        return backend, rest
    head, sep, rest = model.partition("/")
    if sep and rest and head in names and head != DEFAULT_BACKEND:
        return head, rest
    return DEFAULT_BACKEND, model


def create_backend(settings: Settings, environ: Mapping[str, str] | None = None) -> Backend:
    """The backend for ``settings.model`` (raises ConfigError when none fits)."""
    from codeassist.backends.base import Backend

    model = settings.model
    if not model:
        raise ConfigError(
            "no model configured",
            hint="pass --model NAME (e.g. --model gpt-4.1 or --model ollama/qwen2.5-coder:7b), "
            "set CODEASSIST_MODEL, or run `codeassist config set model NAME`; `codeassist models` lists models",
        )
    eps = _entry_points()
    name, model_arg = choose_backend(str(model), settings.backend, list(eps))
    factory = _load(eps[name])
    kwargs: dict[str, Any] = {}
    if _accepts_environ(factory):
        kwargs["environ"] = os.environ if environ is None else environ
    try:
        backend = factory(settings, model_arg, **kwargs)
    except CodeassistError:
        raise
    except Exception as exc:  # foreign code: report it as the plugin's failure, not a traceback
        raise ConfigError(f"backend {name!r} failed to start for model {model_arg!r}: {exc}") from exc
    if not isinstance(backend, Backend):
        raise ConfigError(f"backend {name!r} returned {type(backend).__name__}, which is not a Backend")
    return backend


def _accepts_environ(factory: Factory) -> bool:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    return "environ" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def backend_names() -> list[str]:
    """The names of every installed backend (the built-in one included), sorted; loads none of them."""
    return list(_entry_points())
