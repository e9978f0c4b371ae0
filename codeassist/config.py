"""Layered settings: defaults < user TOML < trusted repo TOML < environment < flags.

:class:`Settings` is a frozen, typed value: one field per key of
:data:`KEYS`, each checked for its type and range when it is read from any
layer (``max_rounds = -3`` is a configuration error, exit 3), and each
remembering where it came from, so ``codeassist config show`` can say so.
The environment is passed in (never read from globals here) so tests need no
monkeypatching. ``config set`` edits the TOML file in place (comments and
layout kept) and writes the user's file readable by the user alone.

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
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from codeassist.edits.formats import EDIT_FORMATS_TEXT
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
    minimum: float | None = None  # inclusive
    maximum: float | None = None
    positive: bool = False  # strictly above zero
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
    "timeout_connect": Key(float, 10.0, "seconds to wait for a connection", positive=True),
    "timeout_read": Key(float, 120.0, "seconds to wait between bytes of a reply", positive=True),
    "context_window": Key(
        int,
        None,
        "the model's context window in tokens (default: from the server, the catalogue, else 32768)",
        positive=True,
    ),
    "max_output_tokens": Key(int, None, "tokens reserved for the reply (default: per model)", positive=True),
    "max_retries": Key(int, 4, "attempts after the first on 429, 5xx and connection errors", minimum=0, maximum=100),
    "retry_base_delay": Key(float, 1.0, "first backoff delay in seconds (doubled each retry, with jitter)", minimum=0),
    "retry_max_delay": Key(float, 30.0, "longest backoff delay in seconds", minimum=0),
    "temperature": Key(float, None, "sampling temperature", minimum=0, maximum=2),
    "edit_format": Key(str, None, f"{EDIT_FORMATS_TEXT} (default: per model)"),
    "max_rounds": Key(int, 3, "reflection rounds after a failed apply or check", minimum=0, maximum=100),
    "map_tokens": Key(int, 2048, "token budget for the repo map", minimum=0),
    "map_files": Key(int, 5, "top map files offered as read-only context when no file is given", minimum=0),
    "history_commits": Key(
        int, 5000, "past commits whose messages help rank files for a request (0: none)", minimum=0
    ),
    "lock_timeout": Key(float, 10.0, "seconds to wait for another codeassist changing this repository", minimum=0),
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
    "editing_mode": Key(str, "emacs", "the chat's editing keys: emacs or vi"),
    "architect_model": Key(str, None, "the chat plans each change with this model first (/architect)"),
    "review_mode": Key(bool, False, "the chat shows each change hunk by hunk before it lands (/review)"),
    "record": Key(bool, False, "keep a record of each request in the user's data directory (codeassist stats/export)"),
    "hook_review": Key(bool, False, "the pre-commit hook also asks the model to review the staged change"),
    "hook_fail_closed": Key(bool, False, "block the commit when the hook's model review cannot complete"),
    "hook_timeout": Key(float, 20.0, "seconds the hooks may take before reporting what they have", positive=True),
    "review_max_file_bytes": Key(int, 1_000_000, "a staged file larger than this is a large-file finding", minimum=1),
    "review_disabled_rules": Key(
        list, [], "review rules turned off: syntax, conflict-marker, secret, large-file, debug-leftover, model"
    ),
    "debug_leftover_paths": Key(list, [], "globs of paths where console.log or print() is a debugging leftover"),
    "review_json_schema": Key(
        str, "auto", "ask for the review's JSON schema: on, off, auto (on for OpenAI's own endpoint only)"
    ),
    "mode": Key(str, "classic", "how edit works: classic (one prepared context) or agent (the model uses tools)"),
    "approval": Key(str, "auto-edit", "agent mode: read-only, auto-edit (commands ask) or full-auto (sandboxed)"),
    "allow_commands": Key(list, [], 'agent mode: commands run without asking, by pattern ("pytest *")'),
    "max_steps": Key(int, 30, "agent mode: model calls per request", minimum=1, maximum=1000),
    "max_request_tokens": Key(int, 2_000_000, "agent mode: input + output tokens per request (0: no limit)", minimum=0),
    "max_request_cost": Key(float, None, "agent mode: USD per request, when prices are known", minimum=0),
}

SOURCES = ("default", "user", "repo", "env", "flag")
# Where a value found at run time came from (see codeassist.backends.model_facts).
FOUND_SOURCES = ("server", "catalogue", "discovered")
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


@dataclass(frozen=True)
class Settings:
    """Effective settings, typed and validated; ``source(name)`` says which layer set each one."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    key_store: str | None = None
    backend: str | None = None
    api: str | None = None
    timeout_connect: float = 10.0
    timeout_read: float = 120.0
    context_window: int | None = None
    max_output_tokens: int | None = None
    max_retries: int = 4
    retry_base_delay: float = 1.0
    retry_max_delay: float = 30.0
    temperature: float | None = None
    edit_format: str | None = None
    max_rounds: int = 3
    map_tokens: int = 2048
    map_files: int = 5
    history_commits: int = 5000
    lock_timeout: float = 10.0
    auto_commit: bool = True
    commit_dirty: bool = True
    attribution: bool = True
    verify_hooks: bool = True
    lint_cmd: str | None = None
    test_cmd: str | None = None
    auto_add_files: bool = False
    instruction_files: tuple[str, ...] = ()
    editing_mode: str = "emacs"
    review_mode: bool = False
    architect_model: str | None = None
    record: bool = False
    hook_review: bool = False
    hook_fail_closed: bool = False
    hook_timeout: float = 20.0
    review_max_file_bytes: int = 1_000_000
    review_disabled_rules: tuple[str, ...] = ()
    debug_leftover_paths: tuple[str, ...] = ()
    review_json_schema: str = "auto"
    mode: str = "classic"
    approval: str = "auto-edit"
    allow_commands: tuple[str, ...] = ()
    max_steps: int = 30
    max_request_tokens: int = 2_000_000
    max_request_cost: float | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    models: Mapping[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)
    user_path: Path | None = None
    repo_path: Path | None = None
    # Settings of the repository file left out because it is not trusted, in file order.
    untrusted: tuple[str, ...] = ()
    repo_trust: str = "none"  # see codeassist.trust.TrustState

    @classmethod
    def from_layers(
        cls,
        values: Mapping[str, Setting],
        models: Mapping[str, dict[str, Any]] | None = None,
        user_path: Path | None = None,
        repo_path: Path | None = None,
        untrusted: tuple[str, ...] = (),
        repo_trust: str = "none",
    ) -> Settings:
        typed: dict[str, Any] = {k: tuple(v.value) if isinstance(v.value, list) else v.value for k, v in values.items()}
        return cls(
            **typed,
            sources={k: v.source for k, v in values.items()},
            models=dict(models or {}),
            user_path=user_path,
            repo_path=repo_path,
            untrusted=untrusted,
            repo_trust=repo_trust,
        )

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    def with_overrides(self, **flags: Any) -> Settings:
        given = {k: coerce(k, v, "--" + k.replace("_", "-")) for k, v in flags.items() if v is not None}
        given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
        return replace(self, **given, sources={**self.sources, **{k: "flag" for k in given}})

    def with_found(self, source: str, **found: Any) -> Settings:
        """These values, marked as found at run time (``server``, ``catalogue``, ``discovered``...)."""
        return replace(self, **found, sources={**self.sources, **{k: source for k in found}})

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


def setting_names() -> tuple[str, ...]:
    """The names of the settings, as :class:`Settings` declares them."""
    skip = {"sources", "models", "user_path", "repo_path", "untrusted", "repo_trust"}
    return tuple(f.name for f in fields(Settings) if f.name not in skip)



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
        value = spec.type(raw)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{where}: {key} must be {spec.type.__name__}, got {raw!r}") from None
    _check_range(key, spec, value, where)
    return value


def _check_range(key: str, spec: Key, value: Any, where: str) -> None:
    if spec.type not in (int, float):
        return
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
    if spec.positive and value <= 0:
        raise ConfigError(f"{where}: {key} must be greater than 0, got {value!r}")
    if spec.minimum is not None and value < spec.minimum:
        raise ConfigError(f"{where}: {key} must be at least {spec.minimum:g}, got {value!r}")
    if spec.maximum is not None and value > spec.maximum:
        raise ConfigError(f"{where}: {key} must be at most {spec.maximum:g}, got {value!r}")


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
    return Settings.from_layers(values, models, user_path, repo_path, tuple(untrusted), state)


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
    """Write ``key = raw`` (coerced) into the TOML file at ``path``, keeping its comments and layout.

    A new file gets ``mode`` (the user's file may hold a key: readable by the
    user only); an existing file keeps its own, made no wider than ``mode``.
    Returns the value.
    """
    import tomlkit

    norm = key.replace("-", "_")
    if norm not in KEYS:
        raise ConfigError(f"unknown setting {key!r}", hint="codeassist config show lists the settings")
    value = coerce(norm, raw, key)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    # A key written with dashes is the same setting: replace it rather than add a second one.
    for other in [k for k in doc if k != norm and str(k).replace("-", "_") == norm]:
        del doc[other]
    doc[norm] = list(value) if isinstance(value, tuple) else value
    try:
        mode = os.stat(path).st_mode & mode & 0o777
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)  # the umask narrows os.open's mode; this is the exact one
            os.write(fd, tomlkit.dumps(doc).encode("utf-8"))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from exc
    return value
