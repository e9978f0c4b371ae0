"""Ask a server what it serves and how large a window it gives a model.

Each kind of server says it in its own place:

* vLLM: ``max_model_len`` on each entry of ``GET /v1/models``;
* OpenRouter: ``context_length`` and ``top_provider.max_completion_tokens``
  on each entry of ``GET /api/v1/models``;
* llama.cpp server: ``n_ctx`` in ``GET /props`` (``default_generation_settings``),
  else in ``GET /slots``;
* LM Studio: ``loaded_context_length`` / ``max_context_length`` in its REST
  API, ``GET /api/v0/models/MODEL``;
* Ollama: ``POST /api/show`` gives the model's trained context
  (``model_info["<arch>.context_length"]``) and the ``num_ctx`` its Modelfile
  sets; Ollama raises ``num_ctx`` per request through its native chat API
  (see :mod:`codeassist.backends.ollama_native`).

Whether the model calls tools is read from the same answers, where a server
says it: ``supported_parameters`` of an OpenRouter-style entry (``"tools"``
among them or not), ``capabilities`` of Ollama's ``/api/show``.

Only the standard library's HTTP client is used: it imports in a few
milliseconds, where the openai SDK costs a quarter of a second.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any

from codeassist.errors import ConnectionFailedError

KINDS = ("vllm", "openrouter", "llamacpp", "lmstudio", "ollama", "openai-compatible")
# What a server's /v1/models entries say about who serves them.
_OWNED_BY = {"vllm": "vllm", "llamacpp": "llamacpp", "library": "ollama", "organization_owner": "lmstudio"}
_PORTS = {11434: "ollama", 1234: "lmstudio", 8080: "llamacpp", 8000: "vllm"}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class ServerFacts:
    """What one server said about one model; ``None`` where it said nothing."""

    kind: str
    models: tuple[str, ...] = ()
    # The window the server gives this model now (vLLM, llama.cpp, LM Studio loaded, OpenRouter).
    context_window: int | None = None
    max_output_tokens: int | None = None
    # Ollama and LM Studio: the most the model itself supports.
    trained_context: int | None = None
    # Ollama: the num_ctx its Modelfile sets (the server default applies when None).
    num_ctx: int | None = None
    # Whether the server lists the model (None: it lists nothing).
    served: bool | None = None
    # Whether the model calls tools, where the server says it (OpenRouter, Ollama); None: it does not say.
    tools: bool | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["models"] = list(self.models)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerFacts:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["models"] = tuple(str(m) for m in known.get("models", ()))
        return cls(**known)


class Unreachable(Exception):
    """Nothing listens at the address (connection refused or no route)."""


def server_root(base_url: str) -> str:
    """``http://host:8000/v1`` -> ``http://host:8000`` (native APIs live at the root)."""
    url = base_url.rstrip("/")
    for suffix in ("/api/v1", "/v1"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def is_loopback(base_url: str) -> bool:
    host = urllib.parse.urlsplit(base_url).hostname or ""
    return host in LOOPBACK


def guess_kind(base_url: str, preset: str | None) -> str | None:
    """The kind a preset or a default port names, before asking the server."""
    if preset in KINDS:
        return preset
    port = urllib.parse.urlsplit(base_url).port
    return _PORTS.get(port) if port is not None and is_loopback(base_url) else None


def http_json(url: str, *, api_key: str | None = None, body: Any = None, timeout: float = 5.0) -> Any:
    """GET (or POST ``body``) ``url`` and parse its JSON; None on an HTTP error or a body that is not JSON.

    Raises :class:`Unreachable` when nothing listens there.
    """
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if api_key:
        req.add_header("Authorization", f"Bearer {api_key}")
    try:
        with opener_for(url).open(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError:
        return None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
            raise Unreachable(str(exc.reason)) from exc
        return None
    except ConnectionRefusedError as exc:
        raise Unreachable(str(exc)) from exc
    except (OSError, ValueError):  # timeouts, resets, a URL the client cannot use
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def opener_for(url: str) -> urllib.request.OpenerDirector:
    """The HTTP client for ``url``: a proxy from the environment never carries requests meant for this machine."""
    return _DIRECT if is_loopback(url) else urllib.request.build_opener()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _entries(listing: Any) -> list[dict[str, Any]]:
    data = listing.get("data") if isinstance(listing, dict) else None
    return [e for e in data if isinstance(e, dict) and isinstance(e.get("id"), str)] if isinstance(data, list) else []


def fetch_facts(
    base_url: str, model: str, *, preset: str | None, api_key: str | None = None, timeout: float = 5.0
) -> ServerFacts:
    """Everything the server at ``base_url`` says about ``model`` (one to three small requests).

    Raises ConnectionFailedError when nothing listens on a loopback address:
    a local server that is not running is reported before any work starts.
    """
    try:
        return _fetch(base_url.rstrip("/"), model, preset, api_key, timeout)
    except Unreachable as exc:
        if not is_loopback(base_url):
            return ServerFacts("openai-compatible", note=f"{base_url} did not answer: {exc}")
        kind = guess_kind(base_url, preset)
        from codeassist.backends.presets import PRESETS

        start = PRESETS[kind].start_hint if kind in PRESETS else None
        raise ConnectionFailedError(
            f"cannot connect to {base_url}: connection refused",
            hint=f"is the {kind} server running? {start}" if start else "is the server running on that port?",
        ) from exc


def _fetch(base: str, model: str, preset: str | None, api_key: str | None, timeout: float) -> ServerFacts:
    root = server_root(base)
    if preset == "openrouter":
        return _openrouter(http_json(base + "/models", api_key=api_key, timeout=timeout), model)
    entries = _entries(http_json(base + "/models", api_key=api_key, timeout=timeout))
    ids = tuple(sorted(e["id"] for e in entries))
    entry = next((e for e in entries if e["id"] == model), None)
    kind = guess_kind(base, preset)
    owners = {_OWNED_BY.get(str(e.get("owned_by"))) for e in entries} - {None}
    if any("max_model_len" in e for e in entries):
        kind = "vllm"
    elif kind is None and len(owners) == 1:
        kind = owners.pop()
    served = (entry is not None) if ids else None
    facts = ServerFacts(kind or "openai-compatible", ids, served=served)
    if kind == "vllm":
        window = _int((entry or {}).get("max_model_len"))
        return ServerFacts("vllm", ids, window, served=served)
    if kind == "llamacpp":
        return _llamacpp(root, facts, api_key, timeout)
    if kind == "lmstudio":
        return _lmstudio(root, model, facts, timeout)
    if kind == "ollama":
        return _ollama(root, model, facts, timeout)
    if entry is not None and _int(entry.get("context_length")):  # OpenRouter-style listings elsewhere
        return _openrouter({"data": entries}, model)
    return facts


def _openrouter(listing: Any, model: str) -> ServerFacts:
    entries = _entries(listing)
    ids = tuple(sorted(e["id"] for e in entries))
    entry = next((e for e in entries if e["id"] == model), None)
    if entry is None:
        return ServerFacts("openrouter", ids, served=False if ids else None)
    top: dict[str, Any] = entry["top_provider"] if isinstance(entry.get("top_provider"), dict) else {}
    window = _int(top.get("context_length")) or _int(entry.get("context_length"))
    tools = _has_name(entry.get("supported_parameters"), "tools")
    return ServerFacts("openrouter", ids, window, _int(top.get("max_completion_tokens")), served=True, tools=tools)


def _has_name(values: Any, name: str) -> bool | None:
    """Whether a server's list of what a model supports has ``name`` (None: no such list)."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return name in values


def _llamacpp(root: str, facts: ServerFacts, api_key: str | None, timeout: float) -> ServerFacts:
    props = http_json(root + "/props", api_key=api_key, timeout=timeout)
    n_ctx = None
    if isinstance(props, dict):
        settings = props.get("default_generation_settings")
        n_ctx = _int(settings.get("n_ctx")) if isinstance(settings, dict) else None
        n_ctx = n_ctx or _int(props.get("n_ctx"))
    if n_ctx is None:
        slots = http_json(root + "/slots", api_key=api_key, timeout=timeout)
        if isinstance(slots, list) and slots and isinstance(slots[0], dict):
            n_ctx = _int(slots[0].get("n_ctx"))
    # llama.cpp serves whatever single model it loaded, under any name.
    return ServerFacts("llamacpp", facts.models, n_ctx, served=True)


def _lmstudio(root: str, model: str, facts: ServerFacts, timeout: float) -> ServerFacts:
    info = http_json(f"{root}/api/v0/models/{urllib.parse.quote(model, safe='')}", timeout=timeout)
    if not isinstance(info, dict):
        return facts
    loaded, most = _int(info.get("loaded_context_length")), _int(info.get("max_context_length"))
    note = None
    if loaded is None and most is not None:
        note = f"LM Studio has not loaded {model}; it may load it with a smaller context than {most:,}"
    return ServerFacts("lmstudio", facts.models, loaded, trained_context=most, served=facts.served, note=note)


_NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)\s*$", re.M)


def _ollama(root: str, model: str, facts: ServerFacts, timeout: float) -> ServerFacts:
    show = http_json(root + "/api/show", body={"model": model}, timeout=timeout)
    if not isinstance(show, dict):
        # model_facts warns, in one line, that num_ctx cannot be raised safely.
        return ServerFacts("ollama", facts.models, served=facts.served)
    info: dict[str, Any] = show["model_info"] if isinstance(show.get("model_info"), dict) else {}
    trained = next((_int(v) for k, v in sorted(info.items()) if k.endswith(".context_length")), None)
    params = show.get("parameters")
    found = _NUM_CTX.search(params) if isinstance(params, str) else None
    num_ctx = int(found.group(1)) if found else None
    tools = _has_name(show.get("capabilities"), "tools")
    return ServerFacts(
        "ollama", facts.models, trained, trained_context=trained, num_ctx=num_ctx, served=facts.served, tools=tools
    )
