"""Review results cached by the content they judged (the staged tree and its base).

Re-running the hook after a blocked commit, with nothing changed, answers
from here at no cost. Entries live under the git directory
(``codeassist/review-cache/``), one small JSON file each; only complete
results are stored (a model review that failed or ran out of time is tried
again next time). A corrupt entry is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MAX_ENTRIES = 64


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def load(directory: Path | None, key: str) -> dict[str, Any] | None:
    if directory is None:
        return None
    try:
        data = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(directory: Path | None, key: str, data: dict[str, Any]) -> None:
    """Write an entry atomically and keep the newest :data:`MAX_ENTRIES`; failures are silent (a cache)."""
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, directory / f"{key}.json")
        entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
