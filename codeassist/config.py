"""Layered settings: defaults < user TOML < repo TOML < environment < flags.

Each effective value remembers where it came from, so ``codeassist config
show`` can say so. The environment is passed in (never read from globals here)
so tests need no monkeypatching.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeassist.errors import ConfigError

REPO_CONFIG_NAME = ".codeassist.toml"


@dataclass(frozen=True)
class Key:
    type: type
    default: Any
    help: str
    secret: bool = False


# Every setting codeassist knows; config files may use only these (plus [models]).
KEYS: dict[str, Key] = {
    "model": Key(str, None, "model name, optionally with a provider preset: ollama/qwen2.5-coder:7b"),
    "base_url": Key(str, None, "OpenAI-compatible endpoint URL (OPENAI_BASE_URL)"),
    "api_key": Key(str, None, "API key (OPENAI_API_KEY)", secret=True),
    "backend": Key(str, None, "backend name from the codeassist.backends entry points"),
    "api": Key(str, None, "chat or responses (default: the catalogue's choice for the model)"),
    "timeout_connect": Key(float, 10.0, "seconds to wait for a connection"),
    "timeout_read": Key(float, 120.0, "seconds to wait between bytes of a reply"),
    "max_retries": Key(int, 4, "attempts after the first on 429, 5xx and connection errors"),
    "retry_base_delay": Key(float, 1.0, "first backoff delay in seconds (doubled each retry, with jitter)"),
    "retry_max_delay": Key(float, 30.0, "longest backoff delay in seconds"),
    "temperature": Key(float, None, "sampling temperature"),
    "edit_format": Key(str, None, "search-replace, udiff, whole, patch or tool (default: per model)"),
    "max_rounds": Key(int, 3, "reflection rounds after a failed apply or check"),
    "map_tokens": Key(int, 2048, "token budget for the repo map"),
    "map_files": Key(int, 5, "top map files offered as read-only context when no file is given"),
    "history_commits": Key(int, 5000, "past commits whose messages help rank files for a request (0: none)"),
    "auto_commit": Key(bool, True, "commit applied edits"),
    "commit_dirty": Key(bool, True, "commit the user's pending change to a file before editing it"),
    "attribution": Key(bool, True, "add a Co-authored-by trailer naming codeassist and the model"),
    "verify_hooks": Key(bool, True, "run the repository's git hooks when committing"),
    "lint_cmd": Key(str, None, "command run after edits; non-zero exit is a failed check"),
    "test_cmd": Key(str, None, "command run after edits and lint; non-zero exit is a failed check"),
    "auto_add_files": Key(bool, False, "add files the model asks for without asking"),
    "instruction_files": Key(list, [], "extra instruction files to include"),
    "hook_review": Key(bool, False, "the pre-commit hook also asks the model to review the staged change"),
    "hook_fail_closed": Key(bool, False, "block the commit when the hook's model review cannot complete"),
    "hook_timeout": Key(float, 20.0, "seconds the hooks may take before reporting what they have"),
    "review_max_file_bytes": Key(int, 1_000_000, "a staged file larger than this is a large-file finding"),
    "review_disabled_rules": Key(
        list, [], "review rules turned off: syntax, conflict-marker, secret, large-file, debug-leftover, model"
    ),
    "debug_leftover_paths": Key(list, [], "globs of paths where console.log or print() is a debugging leftover"),
    "review_json_schema": Key(
        str, "auto", "ask for the review's JSON schema: on, off, auto (on for OpenAI's own endpoint only)"
    ),
}

SOURCES = ("default", "user", "repo", "env", "flag")


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str


@dataclass
class Settings:
    """Effective settings; read values as attributes (``settings.model``)."""

    values: dict[str, Setting]
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_path: Path | None = None
    repo_path: Path | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name].value
        except KeyError:
            raise AttributeError(name) from None

    def source(self, name: str) -> str:
        return self.values[name].source

    def with_overrides(self, **flags: Any) -> Settings:
        values = dict(self.values)
        for k, v in flags.items():
            if v is not None:
                values[k] = Setting(v, "flag")
        return Settings(values, self.models, self.user_path, self.repo_path)


def user_config_path(environ: Mapping[str, str]) -> Path:
    if environ.get("CODEASSIST_CONFIG"):
        return Path(environ["CODEASSIST_CONFIG"])
    from platformdirs import user_config_dir

    return Path(user_config_dir("codeassist")) / "config.toml"


def coerce(key: str, raw: Any, where: str) -> Any:
    """Convert ``raw`` (from TOML or an env string) to the key's type."""
    spec = KEYS[key]
    if raw is None:
        return None
    try:
        if spec.type is bool:
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if spec.type is list:
            if isinstance(raw, list):
                return [str(x) for x in raw]
            return [p for p in str(raw).split(os.pathsep) if p]
        if spec.type is int and isinstance(raw, bool):
            raise ValueError(raw)
        return spec.type(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be {spec.type.__name__}, got {raw!r}") from None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


def _layer(data: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    values: dict[str, Any] = {}
    models: dict[str, dict[str, Any]] = {}
    for key, raw in data.items():
        if key == "models":
            if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
                raise ConfigError(f"{where}: [models] must hold one table per model")
            models.update(raw)
            continue
        norm = key.replace("-", "_")
        if norm not in KEYS:
            raise ConfigError(f"{where}: unknown setting {key!r}", hint="codeassist config show lists the settings")
        values[norm] = coerce(norm, raw, where)
    return values, models


def load_settings(
    *,
    repo_root: Path | None,
    environ: Mapping[str, str],
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge every layer; ``config_file`` replaces the user file when given."""
    values = {k: Setting(spec.default, "default") for k, spec in KEYS.items()}
    models: dict[str, dict[str, Any]] = {}
    user_path = config_file or user_config_path(environ)
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_file}")
    layers: list[tuple[str, Path | None]] = [("user", user_path)]
    repo_path = repo_root / REPO_CONFIG_NAME if repo_root else None
    layers.append(("repo", repo_path))
    for source, path in layers:
        if path is None:
            continue
        vals, mods = _layer(read_toml(path), str(path))
        for k, v in vals.items():
            values[k] = Setting(v, source)
        for name, table in mods.items():
            models.setdefault(name, {}).update(table)
    for k in KEYS:
        env_name = "CODEASSIST_" + k.upper()
        if environ.get(env_name):
            values[k] = Setting(coerce(k, environ[env_name], env_name), "env")
    # The OpenAI variables count as environment, below our own names. Their
    # source is recorded by name so a provider preset can tell them apart.
    for k, env_name in (("api_key", "OPENAI_API_KEY"), ("base_url", "OPENAI_BASE_URL")):
        if environ.get(env_name) and not environ.get("CODEASSIST_" + k.upper()):
            values[k] = Setting(environ[env_name], "env:" + env_name)
    for k, v in (flags or {}).items():
        if v is not None:
            values[k] = Setting(coerce(k, v, "--" + k.replace("_", "-")), "flag")
    return Settings(values, models, user_path, repo_path)


def mask_secret(value: str | None) -> str:
    """Show enough of a key to recognise it, never the whole key."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:3] + "..." + value[-4:]


def set_value(path: Path, key: str, raw: str) -> Any:
    """Write ``key = raw`` (coerced) into the TOML file at ``path``; returns the value."""
    norm = key.replace("-", "_")
    if norm not in KEYS:
        raise ConfigError(f"unknown setting {key!r}", hint="codeassist config show lists the settings")
    value = coerce(norm, raw, key)
    data = read_toml(path)
    data[norm] = value
    import tomli_w

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    return value
