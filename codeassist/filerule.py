"""The one file rule: which of a repository's files exist for codeassist.

A file exists for codeassist when git lists it (tracked, or untracked and not
ignored) and none of these hides it:

- ``.codeassistignore`` (gitignore syntax, at the root) lists it;
- it is codeassist's own state or config (``.codeassist/``, ``.codeassist.toml``:
  the latter may hold a key);
- it is a secret store: ``.env`` files, private keys, credential files, by
  name (:func:`secret_store_reason`) and, when its first bytes are at hand,
  by content (a PEM private key block, ``KEY=value`` lines naming secrets).

Hidden files are never offered to the model unasked, never sent because the
model asked for them (``NEED FILE``, a tool call), and never edited by a
reply. Only the user can send one, by naming it explicitly (``-f``, ``/add``).
This module is pure: it judges names and bytes; the Workspace applies it to
the repository's listing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

IGNORE_FILE = ".codeassistignore"
STATE_DIR = ".codeassist"
REPO_CONFIG = ".codeassist.toml"

# Templates of secret stores hold no secrets and are what a model needs to see.
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
_SECRET_NAMES = frozenset(
    {
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "credentials",
        "credentials.json",
        "credentials.yml",
        "credentials.yaml",
        "client_secret.json",
        "service-account.json",
        "secrets.json",
        "secrets.yml",
        "secrets.yaml",
        ".netrc",
        "_netrc",
        ".pgpass",
        ".pypirc",
        ".git-credentials",
        ".htpasswd",
        "master.key",
        ".envrc",
        ".npmrc",
    }
)
_SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".gpg", ".ppk", ".secret", ".secrets")
_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# KEY=value lines whose key names a secret and whose value is filled in.
_SECRET_ASSIGNMENT = re.compile(
    rb"^\s*(?:export\s+)?[A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY)"
    rb"[A-Z0-9_]*\s*=\s*['\"]?[^\s'\"#]{8,}",
    re.MULTILINE,
)
# Content is sniffed only in files that are not code: a source file that mentions a token is code.
_ENV_LIKE = re.compile(r"(^|\.)(env|envrc|secrets?|credentials?)($|\.)|\.(ini|cfg|conf|properties|txt)$", re.I)
HEAD_BYTES = 4096
# Larger files are neither indexed nor shown: they would not fit any useful budget.
MAX_FILE_BYTES = 1_000_000


def secret_store_reason(rel: str, head: bytes | None = None) -> str | None:
    """Why ``rel`` looks like a store of secrets (by name, and by ``head``, its first bytes), or None.

    The stores that replies may never write (:func:`codeassist.protected.secret_store_reason`)
    are hidden too, so the two rules never disagree.
    """
    from codeassist.protected import secret_store_reason as protected_store

    return _secret_store_reason(rel, head) or protected_store(rel, head)


def _secret_store_reason(rel: str, head: bytes | None) -> str | None:
    name = PurePosixPath(rel).name
    lower = name.lower()
    if lower.endswith(_TEMPLATE_SUFFIXES):
        return None
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "an environment file (.env) usually holds secrets"
    ssh_key = lower.startswith(("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")) and not lower.endswith(".pub")
    if lower in _SECRET_NAMES or ssh_key:
        return "a credentials or private key file"
    if lower.endswith(_SECRET_SUFFIXES):
        return "a key or certificate store"
    if head is not None:
        if _PRIVATE_KEY.search(head[:HEAD_BYTES]):
            return "it holds a private key"
        if _ENV_LIKE.search(lower) and _SECRET_ASSIGNMENT.search(head[:HEAD_BYTES]):
            return "it assigns values to secret-named settings"
    return None


def own_state_reason(rel: str) -> str | None:
    """Why ``rel`` is codeassist's own state or config, or None."""
    if rel == REPO_CONFIG:
        return f"{REPO_CONFIG} is codeassist's own configuration (it may hold a key)"
    if rel == STATE_DIR or rel.startswith(STATE_DIR + "/"):
        return f"{STATE_DIR}/ is codeassist's own state"
    return None


def is_git_internal(rel: str) -> bool:
    return any(part.lower() == ".git" for part in rel.split("/"))


class IgnoreRule:
    """``.codeassistignore`` as read once (gitignore syntax; no file: nothing is ignored)."""

    def __init__(self, raw: bytes | None) -> None:
        self.raw = raw or b""
        self._spec = None
        if raw:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(raw.decode("utf-8", "replace").splitlines())

    def matches(self, rel: str) -> bool:
        return bool(self._spec is not None and self._spec.match_file(rel))


def hidden_reason(rel: str, ignore: IgnoreRule, head: bytes | None = None) -> str | None:
    """Why the rule hides ``rel`` from the model and from edits, or None when it may be shown."""
    if is_git_internal(rel):
        return "files under .git/ are git's own"
    own = own_state_reason(rel)
    if own is not None:
        return own
    if ignore.matches(rel):
        return f"excluded by {IGNORE_FILE}"
    secret = secret_store_reason(rel, head)
    if secret is not None:
        return f"looks like a secret store ({secret})"
    return None


def rule_at(root: Path) -> IgnoreRule:
    """The ``.codeassistignore`` at ``root`` (none: nothing ignored)."""
    try:
        raw: bytes | None = (root / IGNORE_FILE).read_bytes()
    except OSError:
        raw = None
    return IgnoreRule(raw)


def model_may_read(root: Path) -> Callable[[str], bool]:
    """A predicate: may the file at this repository path (judged by its name) be sent to a model?"""
    rule = rule_at(root)
    return lambda rel: hidden_reason(rel, rule) is None
