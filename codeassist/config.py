"""Layered settings: defaults < user TOML < trusted repo TOML < environment < flags.

Each effective value remembers where it came from, so ``codeassist config
show`` can say so. The environment is passed in (never read from globals here)
so tests need no monkeypatching.

The repository's ``.codeassist.toml`` is written by whoever wrote the
repository, so settings that run commands or choose where requests and keys
go (each :class:`Key` with a ``trust`` reason, and a ``model`` whose provider
preset or backend differs from the one the user's own layers choose) are
taken from it only once the user trusted its exact content
(:mod:`codeassist.trust`). The others apply at once; what was left out is in
:attr:`Settings.untrusted` and :meth:`Settings.trust_notice`.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeassist.errors import ConfigError

REPO_CONFIG_NAME = ".codeassist.toml"


RUNS_COMMANDS = "runs commands"
ROUTES_REQUESTS = "chooses where requests and keys go"


@dataclass(frozen=True)
class Key:
    type: type
    default: Any
    help: str
    secret: bool = False
    # Why a repository file may set this only once trusted (None: harmless, applies at once).
    trust: str | None = None


# Every setting codeassist knows; config files may use only these (plus [models]).
KEYS: dict[str, Key] = {
    "model": Key(str, None, "model name, optionally with a provider preset: ollama/qwen2.5-coder:7b"),
    "base_url": Key(str, None, "OpenAI-compatible endpoint URL (OPENAI_BASE_URL)", trust=ROUTES_REQUESTS),
    "api_key": Key(str, None, "API key (OPENAI_API_KEY)", secret=True, trust=ROUTES_REQUESTS),
    "key_store": Key(
        str, None, "keyring: read api_key from the system keyring when no other key is set", trust=ROUTES_REQUESTS
    ),
    "backend": Key(str, None, "backend name from the codeassist.backends entry points", trust=ROUTES_REQUESTS),
    "api": Key(str, None, "chat or responses (default: the catalogue's choice for the model)", trust=ROUTES_REQUESTS),
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
    "verify_hooks": Key(bool, True, "run the repository's git hooks when committing", trust="skips your git hooks"),
    "lint_cmd": Key(str, None, "command run after edits; non-zero exit is a failed check", trust=RUNS_COMMANDS),
    "test_cmd": Key(
        str, None, "command run after edits and lint; non-zero exit is a failed check", trust=RUNS_COMMANDS
    ),
    "auto_add_files": Key(
        bool, False, "add files the model asks for without asking", trust="sends files the model asks for unasked"
    ),
    "instruction_files": Key(list, [], "extra instruction files to include"),
}

SOURCES = ("default", "user", "repo", "env", "flag")
# Keys of a [models] table that choose where requests go.
MODEL_TABLE_TRUST_KEYS = frozenset({"api"})


def trust_reason(key: str) -> str | None:
    """Why ``key`` needs a trusted repository file, or None when it is harmless.

    Any key named like a command (``*_cmd``, ``*_command``: hook commands
    added later included) runs one, whatever its :class:`Key` says.
    """
    if key.endswith(("_cmd", "_command")):
        return RUNS_COMMANDS
    spec = KEYS.get(key)
    return spec.trust if spec is not None else None


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
    # Settings of the repository file left out because it is not trusted, in file order.
    untrusted: tuple[str, ...] = ()
    repo_trust: str = "none"  # see codeassist.trust.TrustState

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
        return Settings(values, self.models, self.user_path, self.repo_path, self.untrusted, self.repo_trust)

    def trust_notice(self) -> str | None:
        """One line naming what the untrusted repository file set and codeassist ignored, or None."""
        if not self.untrusted:
            return None
        why = "changed since you trusted it" if self.repo_trust == "changed" else "not trusted"
        name = self.repo_path.name if self.repo_path is not None else REPO_CONFIG_NAME
        return (
            f"notice: {name} is {why}, so codeassist ignored its {', '.join(self.untrusted)}; "
            "review the file, then run `codeassist trust` to use them"
        )


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
        if isinstance(raw, dict | list):  # a table or array where one value belongs
            raise ValueError(raw)
        return spec.type(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be {spec.type.__name__}, got {raw!r}") from None


MAX_CONFIG_BYTES = 1024 * 1024


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file; ConfigError when it cannot be read.

    Only a regular file of at most 1 MB is read: a repository's config that is a
    link to ``/dev/zero`` or a FIFO must not hang every command.
    """
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ConfigError(f"{path} is not a regular file")
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is larger than 1 MB; it cannot be a config file")
    return data


def parse_toml(data: bytes, where: Path | str) -> dict[str, Any]:
    """TOML ``data`` as a table; ConfigError for bytes that are not UTF-8 or not TOML."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where} is not UTF-8 text (byte {exc.start}); a config file must be UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {where}: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"invalid TOML in {where}: nested too deeply") from None


def read_toml(path: Path) -> dict[str, Any]:
    data = read_bytes(path)
    return {} if data is None else parse_toml(data, path)


def parse_layer(data: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
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
    data_dir: Path | None = None,
) -> Settings:
    """Merge every layer; ``config_file`` replaces the user file when given.

    ``data_dir`` holds the trust store (default: :func:`codeassist.trust.data_dir`).
    """
    from codeassist.trust import TrustStore

    values = {k: Setting(spec.default, "default") for k, spec in KEYS.items()}
    models: dict[str, dict[str, Any]] = {}
    user_path = config_file or user_config_path(environ)
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_file}")
    _merge(values, models, parse_layer(read_toml(user_path), str(user_path)), "user")
    repo_path = repo_root / REPO_CONFIG_NAME if repo_root else None
    untrusted: list[str] = []
    state = "none"
    content = read_bytes(repo_path) if repo_path is not None else None
    if repo_path is not None and content is not None:
        state = TrustStore.for_environ(environ, data_dir).state(repo_path, content)
        vals, mods = parse_layer(parse_toml(content, repo_path), str(repo_path))
        if state != "trusted":
            untrusted = _drop_untrusted(vals, mods, values["model"].value)
            # What the environment or a flag sets anyway changed nothing by being ignored: not worth a notice.
            later = _set_later(environ, flags)
            untrusted = [k for k in untrusted if k not in later]
        _merge(values, models, (vals, mods), "repo")
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
    return Settings(values, models, user_path, repo_path, tuple(untrusted), state)


def _merge(
    values: dict[str, Setting],
    models: dict[str, dict[str, Any]],
    layer: tuple[dict[str, Any], dict[str, dict[str, Any]]],
    source: str,
) -> None:
    vals, mods = layer
    for k, v in vals.items():
        values[k] = Setting(v, source)
    for name, table in mods.items():
        models.setdefault(name, {}).update(table)


def _set_later(environ: Mapping[str, str], flags: Mapping[str, Any] | None) -> set[str]:
    later = {k for k in KEYS if environ.get("CODEASSIST_" + k.upper())}
    later |= {k for k, v in (flags or {}).items() if v is not None}
    later |= {k for k, name in (("api_key", "OPENAI_API_KEY"), ("base_url", "OPENAI_BASE_URL")) if environ.get(name)}
    return later


def _drop_untrusted(vals: dict[str, Any], mods: dict[str, dict[str, Any]], user_model: str | None) -> list[str]:
    """Remove from an untrusted repository layer what needs trust; returns the names removed."""
    dropped = [k for k in vals if trust_reason(k) is not None]
    # A model name is harmless; a provider preset or backend other than the user's own is an endpoint.
    if "model" in vals and model_route(vals["model"]) != model_route(user_model):
        dropped.append("model")
    for k in dropped:
        del vals[k]
    for name, table in mods.items():
        for key in [k for k in table if k.replace("-", "_") in MODEL_TABLE_TRUST_KEYS]:
            del table[key]
            dropped.append(f"models.{name}.{key}")
    return dropped


def model_route(model: str | None) -> str | None:
    """The endpoint a model name chooses by itself: its provider preset or backend plugin, or None."""
    head, sep, rest = (model or "").partition("/")
    if not sep or not rest:
        return None
    from codeassist.backends.presets import PRESETS

    if head.lower() in PRESETS:
        return "preset:" + head.lower()
    from codeassist.backends.registry import DEFAULT_BACKEND, backend_names

    return "backend:" + head if head != DEFAULT_BACKEND and head in backend_names() else None


def mask_secret(value: str | None) -> str:
    """Show enough of a key to recognise it, never the whole key."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:3] + "..." + value[-4:]


def set_value(path: Path, key: str, raw: str, *, mode: int = 0o600) -> Any:
    """Write ``key = raw`` (coerced) into the TOML file at ``path``; returns the value.

    A new file gets ``mode`` (the user's file may hold a key: readable by the
    user only); an existing file keeps its own, made no wider than ``mode``.
    """
    norm = key.replace("-", "_")
    if norm not in KEYS:
        raise ConfigError(f"unknown setting {key!r}", hint="codeassist config show lists the settings")
    value = coerce(norm, raw, key)
    data = read_toml(path)
    data[norm] = value
    import tomli_w

    try:
        mode = os.stat(path).st_mode & mode & 0o777
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)  # the umask narrows os.open's mode; this is the exact one
        os.write(fd, tomli_w.dumps(data).encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return value
