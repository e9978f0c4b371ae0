"""The model catalogue: context window, output limit, prices, edit format, API.

The data ships in ``codeassist/data/models.toml`` (read once, lazily; nothing
is fetched from the network). Config files may override or add entries with
``[models."NAME"]`` tables, whose keys are :class:`ModelInfo` field names.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from codeassist.backends.base import Usage
from codeassist.edits.formats import EDIT_FORMATS
from codeassist.errors import ConfigError

APIS = ("chat", "responses")


@dataclass(frozen=True)
class ModelInfo:
    """What codeassist knows about a model; prices are USD per million tokens."""

    name: str
    context_window: int
    max_output_tokens: int
    input_price: float | None
    cached_input_price: float | None
    output_price: float | None
    edit_format: str
    api: str
    family: str
    # Reasoning models reject ``temperature`` and want ``max_completion_tokens``.
    reasoning: bool = False
    # False when nothing matched and the conservative defaults were used.
    known: bool = True
    # Whether the model calls tools (function calls): agent mode needs it. None: nobody said.
    tools: bool | None = None
    # Who said so: "catalogue", "config" (a [models."NAME"] table), "server", or "unknown".
    tools_source: str = "unknown"


# An unknown model gets a window every current chat model has (a smaller one
# refused real files), and the edit format every model handles. The server's
# own figure, or the context_window setting, replaces it (model_facts), and a
# server that refuses a prompt as too long gets a smaller one (shrink and retry).
DEFAULT_CONTEXT_WINDOW = 32768
DEFAULT_MAX_OUTPUT = 4096

_FIELDS = {f.name: f for f in fields(ModelInfo)}
_SHIPPED = "the shipped catalogue"
_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, ModelInfo]:
    """Every shipped entry by lower-case name, in file order."""
    raw = resources.files("codeassist").joinpath("data/models.toml").read_text(encoding="utf-8")
    table = tomllib.loads(raw).get("models", {})
    return {name.lower(): _build(name, spec, _SHIPPED) for name, spec in table.items()}


def prices_as_of() -> str:
    raw = resources.files("codeassist").joinpath("data/models.toml").read_text(encoding="utf-8")
    return str(tomllib.loads(raw).get("meta", {}).get("prices_as_of", "unknown"))


def _build(name: str, spec: Mapping[str, Any], where: str, base: ModelInfo | None = None) -> ModelInfo:
    values: dict[str, Any] = {}
    for key, value in spec.items():
        key = key.replace("-", "_")
        if key not in _FIELDS or key in _NOT_KEYS:
            raise ConfigError(f"{where}: [models.{name!r}] has unknown key {key!r}", hint=_KEYS_HINT)
        values[key] = _coerce(name, key, value, where)
    if "tools" in values:
        values["tools_source"] = "catalogue" if where == _SHIPPED else "config"
    if base is None:
        base = default_info(name)
        values.setdefault("known", True)
    return replace(base, **values)


_NOT_KEYS = ("name", "known", "tools_source")
_KEYS_HINT = "keys: " + ", ".join(n for n in _FIELDS if n not in _NOT_KEYS)


def _coerce(name: str, key: str, value: Any, where: str) -> Any:
    bad = ConfigError(f"{where}: [models.{name!r}] {key} = {value!r} is not valid", hint=_KEYS_HINT)
    if key in ("context_window", "max_output_tokens"):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise bad
        return value
    if key.endswith("_price"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise bad
        return float(value)
    if key in ("reasoning", "tools"):
        if not isinstance(value, bool):
            raise bad
        return value
    if not isinstance(value, str):
        raise bad
    if (key == "edit_format" and value not in EDIT_FORMATS) or (key == "api" and value not in APIS):
        raise bad
    return value


def default_info(name: str) -> ModelInfo:
    from codeassist.tokens import family_of

    return ModelInfo(
        name=name,
        context_window=DEFAULT_CONTEXT_WINDOW,
        max_output_tokens=DEFAULT_MAX_OUTPUT,
        input_price=None,
        cached_input_price=None,
        output_price=None,
        edit_format="search-replace",
        api="chat",
        family=family_of(name),
        known=False,
    )


def candidate_names(name: str) -> list[str]:
    """Names to try for ``name``, most specific first (all lower-case)."""
    from codeassist.backends.presets import split_preset

    out: list[str] = []

    def add(n: str) -> None:
        if n and n not in out:
            out.append(n)

    full = name.strip().lower()
    add(full)
    _, rest = split_preset(full)
    add(rest)
    tail = rest.rsplit("/", 1)[-1]  # openrouter's vendor/model, together's org/model
    add(tail)
    untagged = tail.split(":", 1)[0]  # ollama's model:tag
    add(tail.replace(":", "-"))
    add(untagged)
    for n in list(out):
        add(_DATE_SUFFIX.sub("", n.removesuffix("-latest")))
    for n in list(out):
        add(n + "-latest")  # mistral-large-2411 -> mistral-large-latest
    return out


def _prefix_match(names: list[str], table: Mapping[str, ModelInfo]) -> ModelInfo | None:
    """The longest catalogue name that ``name`` starts with, at a word boundary."""
    best: ModelInfo | None = None
    best_len = 0
    for candidate in names:
        for key, info in table.items():
            boundary = len(candidate) > len(key) and candidate[len(key)] in "-:.@_"
            if boundary and len(key) > best_len and candidate.startswith(key):
                best, best_len = info, len(key)
    return best


def lookup_model(name: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> ModelInfo:
    """Catalogue entry for ``name`` with config ``overrides`` (``settings.models``) on top.

    Tries the exact id, then without a preset prefix, vendor path, tag and
    date suffix, then the longest catalogue name the model starts with, and
    otherwise returns conservative defaults (``known=False``).
    """
    table = catalogue()
    names = candidate_names(name)
    info = next((table[n] for n in names if n in table), None)
    if info is None:
        info = _prefix_match(names, table)
    if info is None:
        info = default_info(name)
    for key in _override_keys(name, overrides or {}):
        info = replace(_build(name, (overrides or {})[key], "config", base=info), known=True)
    return info


def _override_keys(name: str, overrides: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Override tables that apply to ``name``: general ones first, the exact name last."""
    by_lower = {k.lower(): k for k in overrides}
    names = candidate_names(name)
    return [by_lower[n] for n in reversed(names) if n in by_lower]


def describe_tools(info: ModelInfo) -> str:
    """Whether the model calls tools and who says so, in a few words."""
    if info.tools is None:
        return "tool calls unknown"
    return f"{'calls' if info.tools else 'does not call'} tools ({info.tools_source})"


def cost_usd(usage: Usage, info: ModelInfo) -> float | None:
    """The price of ``usage`` for ``info``; None when a needed price is unknown."""
    if info.input_price is None or info.output_price is None:
        return None
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    cached_price = info.cached_input_price if info.cached_input_price is not None else info.input_price
    total = (
        (usage.input_tokens - cached) * info.input_price
        + cached * cached_price
        + usage.output_tokens * info.output_price
    )
    return round(total / 1_000_000, 8)
