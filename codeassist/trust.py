"""Which repository config files the user trusts (``codeassist trust``).

A repository's ``.codeassist.toml`` is written by whoever wrote the
repository: a cloned project, or a model's reply. The settings in it that run
commands or choose where requests and keys go take effect only once the user
has trusted that exact content, as direnv and mise do: the file's SHA-256 is
recorded here, keyed by the file's path, and any change to the file asks
again.

The store is one JSON file, ``trusted.json``, in the user's data directory
(``CODEASSIST_DATA_DIR``, else ``$XDG_DATA_HOME/codeassist``, else the
platform's user data directory). It is written atomically and readable by the
user only. An unreadable store trusts nothing; it is never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

TRUST_FILE = "trusted.json"
TrustState = Literal["none", "trusted", "changed", "untrusted"]


def data_dir(environ: Mapping[str, str]) -> Path:
    """The user's codeassist data directory, from the environment given (never ``os.environ``)."""
    if environ.get("CODEASSIST_DATA_DIR"):
        return Path(environ["CODEASSIST_DATA_DIR"])
    if environ.get("XDG_DATA_HOME"):
        return Path(environ["XDG_DATA_HOME"]) / "codeassist"
    from platformdirs import user_data_dir

    return Path(user_data_dir("codeassist"))


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _key(config: Path) -> str:
    # The directory is resolved (a repository reached through a link is the same repository);
    # the file name is not, so a link named .codeassist.toml is judged by its content like any file.
    return str(config.parent.resolve() / config.name)


@dataclass(frozen=True)
class TrustStore:
    """The recorded hashes; ``path`` is the JSON file."""

    path: Path

    @classmethod
    def for_environ(cls, environ: Mapping[str, str], directory: Path | None = None) -> TrustStore:
        return cls((directory or data_dir(environ)) / TRUST_FILE)

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return {}
        return {str(k): str(v) for k, v in files.items() if isinstance(v, str)}

    def _write(self, files: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=1) + "\n"
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, body.encode("utf-8"))
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    def recorded(self, config: Path) -> str | None:
        """The hash recorded for ``config``, or None."""
        return self._read().get(_key(config))

    def state(self, config: Path, content: bytes | None) -> TrustState:
        """``none`` (no file), ``trusted``, ``changed`` (trusted once, different now) or ``untrusted``."""
        if content is None:
            return "none"
        recorded = self.recorded(config)
        if recorded is None:
            return "untrusted"
        return "trusted" if recorded == content_hash(content) else "changed"

    def trust(self, config: Path, content: bytes) -> str:
        """Record ``content`` as the trusted content of ``config``; returns its hash."""
        files = self._read()
        digest = content_hash(content)
        files[_key(config)] = digest
        self._write(files)
        return digest

    def revoke(self, config: Path) -> bool:
        """Forget ``config``; False when it was not trusted."""
        files = self._read()
        if files.pop(_key(config), None) is None:
            return False
        self._write(files)
        return True
