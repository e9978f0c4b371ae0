"""Paths a model's reply may never create, edit or delete, and why.

Three kinds, each judged by the path (case-insensitively: on macOS and
Windows ``.GIT`` is ``.git``) and, for secrets, by the first bytes of the file:

* **codeassist's own config and state**: ``.codeassist.toml`` (it runs
  commands and chooses endpoints), the ``.codeassist/`` directory (its index,
  instructions and prompt templates: a reply rewriting them would steer every
  later request) and ``.codeassistignore`` (it decides what the model may see
  and edit; a reply must not widen its own reach).
* **git's own files**: anything under a ``.git`` directory or a ``.git`` file
  (a worktree's or submodule's pointer), and ``.gitmodules`` (it tells git
  which URLs to fetch code from). ``.gitignore`` and ``.gitattributes`` stay
  editable: changing them is an everyday request, and neither runs anything
  git has not been configured to run.
* **secret stores** (:func:`secret_store_reason`, also used by the file rule
  that hides them from the model): ``.env`` files (not their ``.example``,
  ``.sample``, ``.template`` or ``.dist`` templates), ``.envrc``, private keys
  and keystores, credential files by name, and any file whose first bytes
  have the shape of a private key or a credential file.
"""

from __future__ import annotations

import re

CONFIG_FILE = ".codeassist.toml"
STATE_DIR = ".codeassist"
IGNORE_FILE = ".codeassistignore"

_ENV_TEMPLATES = frozenset({"example", "sample", "template", "dist", "defaults"})
_KEY_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".kdbx", ".p8")
_SSH_KEYS = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "identity"})
_CREDENTIAL_NAMES = frozenset(
    {
        ".netrc",
        "_netrc",
        ".pgpass",
        ".git-credentials",
        ".pypirc",
        ".dockercfg",
        ".htpasswd",
        "credentials",
        "credentials.json",
        "credentials.yml",
        "credentials.yaml",
        "secrets.json",
        "secrets.yml",
        "secrets.yaml",
        "secrets.toml",
        "service-account.json",
        "service_account.json",
    }
)
# A line that only a secret store holds: a PEM private key header, an AWS secret, a netrc password,
# an npm or yarn token (.npmrc and .yarnrc.yml are judged by this: most hold only settings), a service
# account's private key. (A URL with a password is left to the name
# .git-credentials: README files show such URLs as examples.)
_SECRET_SHAPES = re.compile(
    rb"^\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----\s*$"
    rb"|^\s*aws_secret_access_key\s*[=:]"
    rb"|^\s*machine\s+\S+.*\bpassword\s+\S+"
    rb"|^\s*(?://\S+:)?_(?:authToken|password|auth)\s*="
    rb"|^\s*npmAuth(?:Token|Ident)\s*:"
    rb'|"private_key"\s*:\s*"-----BEGIN',
    re.MULTILINE | re.IGNORECASE,
)


_CONFIG_KEY = re.compile(rb"^\s*api[-_]key\s*=", re.MULTILINE)


def secret_store_reason(rel: str, head: bytes | None = None) -> str | None:
    """Why ``rel`` (a repository-relative POSIX path) holds secrets, or None.

    ``head`` is the first bytes of the file when it exists (8 KB is plenty);
    the name alone decides when it is None.
    """
    name = rel.rsplit("/", 1)[-1].lower()
    if name == ".env" or name == ".envrc":
        return f"{name} holds environment secrets"
    if name.startswith(".env."):
        if name.rsplit(".", 1)[-1] in _ENV_TEMPLATES:
            return None  # a template for others to copy: no secret in it by design
        return f"{name} holds environment secrets"
    if name in _SSH_KEYS or (name.startswith("id_") and not name.endswith(".pub") and "." not in name):
        return "an SSH private key"
    if name.endswith(_KEY_SUFFIXES):
        return "a private key or keystore"
    if name in _CREDENTIAL_NAMES:
        return "a credentials file"
    if name == CONFIG_FILE and head and _CONFIG_KEY.search(head[:65536]):
        return "codeassist's config holding an API key"
    if head and _SECRET_SHAPES.search(head[:65536]):
        return "its content has the shape of a private key or credentials"
    return None


def protected_reason(rel: str, head: bytes | None = None) -> str | None:
    """Why a reply may never create, edit or delete ``rel``, or None when it may."""
    parts = [p.lower() for p in rel.split("/") if p]
    if not parts:
        return None
    if ".git" in parts:
        return "git's own files (.git/) are never edited"
    name = parts[-1]
    if name == ".gitmodules":
        return ".gitmodules tells git where to fetch code from; edit it yourself"
    if STATE_DIR in parts[:-1] or name == STATE_DIR:
        return "codeassist's own state and instructions (.codeassist/) are never edited by a reply"
    if name == CONFIG_FILE:
        return "codeassist's own config (.codeassist.toml) is never edited by a reply; it can run commands"
    if name == IGNORE_FILE:
        return ".codeassistignore decides what the model may see; a reply never edits it"
    secret = secret_store_reason(rel, head)
    if secret is not None:
        return f"{secret}; codeassist never lets a reply touch secret stores"
    return None
