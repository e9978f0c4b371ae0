"""The cache of server facts: asked once per endpoint and model, kept for a while.

One JSON file in the user cache directory, readable by its owner only (0600:
it names the endpoints a user talks to). A local server is asked again after
an hour (it may have been restarted with another window); a hosted one after
a day. A cache that cannot be read or written is ignored, never fatal.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from codeassist.backends.server_facts import ServerFacts

FILE_NAME = "server-facts.json"
VERSION = 2  # 2: facts say whether the model calls tools; older entries are asked again
LOCAL_TTL = 3600.0
HOSTED_TTL = 86400.0


def cache_dir(environ: Mapping[str, str]) -> Path:
    """``CODEASSIST_CACHE_DIR``, else ``$XDG_CACHE_HOME/codeassist``, else the platform's user cache directory."""
    if environ.get("CODEASSIST_CACHE_DIR"):
        return Path(environ["CODEASSIST_CACHE_DIR"])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "codeassist"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("codeassist"))


def _key(base_url: str, model: str) -> str:
    return f"{base_url.rstrip('/')} {model}"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def load(
    directory: Path, base_url: str, model: str, *, ttl: float, clock: Callable[[], float] = time.time
) -> ServerFacts | None:
    """The cached facts, or None when absent, expired or unreadable."""
    entry = _read(directory / FILE_NAME).get(_key(base_url, model))
    if not isinstance(entry, dict) or not isinstance(entry.get("at"), int | float):
        return None
    if not 0 <= clock() - entry["at"] <= ttl:
        return None
    try:
        return ServerFacts.from_json(entry["facts"])
    except (TypeError, KeyError):
        return None


def store(
    directory: Path, base_url: str, model: str, facts: ServerFacts, *, clock: Callable[[], float] = time.time
) -> None:
    """Record ``facts``; entries older than a day are dropped on the way."""
    path = directory / FILE_NAME
    now = clock()
    entries = {k: v for k, v in _read(path).items() if isinstance(v, dict) and now - v.get("at", 0) <= HOSTED_TTL}
    entries[_key(base_url, model)] = {"at": now, "facts": facts.to_json()}
    text = json.dumps({"version": VERSION, "entries": entries}, sort_keys=True, indent=1)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache costs a request next time, nothing more
