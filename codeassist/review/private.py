"""Which files may be sent to a model: not those ``.codeassistignore`` lists, not secret stores.

Interim rule, private to the review package: the project's one file rule is
moving to ``codeassist/workspace.py``; when it lands, :func:`model_may_read`
is replaced by it.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable
from pathlib import Path

IGNORE_FILE = ".codeassistignore"

# Base names of files that hold secrets by their nature.
_SECRET_STORES = (
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    "credentials",
    "credentials.*",
    "*credentials*.json",
    "secrets.*",
    "*.secret",
    "*.secrets",
    ".htpasswd",
    "service-account*.json",
)
_TEMPLATES = (".example", ".sample", ".template", ".dist")  # .env.example documents names, not values


def is_secret_store(path: str) -> bool:
    base = posixpath.basename(path).lower()
    if base.endswith(_TEMPLATES) and base.startswith(".env"):
        return False
    return any(fnmatch.fnmatchcase(base, pattern) for pattern in _SECRET_STORES)


def model_may_read(root: Path) -> Callable[[str], bool]:
    """A predicate: may the file at this repository path be sent to a model?"""
    ignore = root / IGNORE_FILE
    spec = None
    try:
        lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    if lines:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(lines)

    def allowed(path: str) -> bool:
        if is_secret_store(path):
            return False
        return spec is None or not spec.match_file(path)

    return allowed
