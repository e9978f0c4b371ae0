"""The repository's files a sandboxed command must find empty: secret stores, by name and by content.

The same judgement as the file rule (:func:`codeassist.filerule.secret_store_reason`): a
name that says it (``.env``, ``id_rsa``, ``credentials.json``), or a first
:data:`~codeassist.filerule.HEAD_BYTES` bytes that do (a private key block, an
AWS secret, a netrc password, an npm token, secret-named ``KEY=value``
settings in an env-like file). Files .codeassistignore hides are not masked:
tests may need fixtures the model should not read.

Reading the first bytes of every file of a large tree would cost seconds, so
content is judged only where ``git grep`` (compiled, multi-threaded, binary
files skipped) finds a word every such line holds anywhere in a listed file;
the rule then decides on the file's first bytes, exactly as for ``read_file``.
Ignored files are judged by their own first bytes; inside ignored
directories (``node_modules/``, ``.venv/``, ``build/``), only by name: one
``git ls-files`` lists them and the name rule picks the stores (about 0.1 s
for 14,000 ignored files), as reading every file there would cost seconds.

git's own config holds what a command's output must not show either: a
remote URL with a password or token in it, credential helpers, auth headers.
:func:`sanitized_git_config` writes a copy without them for the sandbox to
show in its place. Secrets committed to the history stay readable by git in
the sandbox (``git show HEAD:.env``): hiding the history would break every
test suite that calls git.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from codeassist.filerule import HEAD_BYTES, secret_store_reason

if TYPE_CHECKING:
    from codeassist.workspace import Workspace

# Words (case-insensitive) of which every line the rule's content checks can match holds at least one: a
# fixed-string search for them is an order of magnitude faster than one for the rule's own patterns (measured
# on a 3,800-file tree: 70 ms against 350 ms), and the rule has the last word on each file found.
CANDIDATE_WORDS = (
    "PRIVATE KEY", "PRIVATE_KEY", "SECRET", "TOKEN", "PASSW", "API_KEY", "API-KEY", "APIKEY", "ACCESS_KEY",
    "_AUTH", "NPMAUTH",
)  # fmt: skip


_WORDS = tuple(w.lower().encode() for w in CANDIDATE_WORDS)


def secret_files(ws: Workspace) -> list[str]:
    """Repository paths (listed by git, or ignored) that hold secrets; inside ignored directories by name only."""
    listed = [p for p, _ in ws.listing().skipped]
    proc = ws.git("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", check=False)
    ignored = [e.decode("utf-8", "surrogateescape") for e in proc.stdout.split(b"\0") if e]
    if any(p.endswith("/") for p in ignored):
        ignored += _ignored_by_name(ws)
    ignored = [p for p in ignored if not p.endswith("/")]
    found = {p for p in listed + ignored if secret_store_reason(p) is not None}
    for rel in sorted(set(_candidates(ws)) | set(ignored)):
        if rel not in found and _holds_secrets(ws, rel):
            found.add(rel)
    return sorted(found)


def _ignored_by_name(ws: Workspace) -> list[str]:
    """Ignored files anywhere (inside ignored directories too) whose name says they are secret stores. One
    listing, the name rule on each (a pathspec per secret name made git's matching ten times slower)."""
    proc = ws.git("ls-files", "-z", "--others", "--ignored", "--exclude-standard", check=False)
    listed = (e.decode("utf-8", "surrogateescape") for e in proc.stdout.split(b"\0") if e)
    return [p for p in listed if secret_store_reason(p) is not None]


def _candidates(ws: Workspace) -> list[str]:
    """Tracked and untracked (not ignored) files with a line of a secret's shape (one ``git grep``)."""
    args = ["grep", "-l", "-z", "-I", "-i", "-F", "--untracked", "--no-color"]
    for word in CANDIDATE_WORDS:
        args += ["-e", word]
    proc = ws.git(*args, check=False)  # exit 1: nothing found
    return [e.decode("utf-8", "surrogateescape") for e in proc.stdout.split(b"\0") if e]


def _holds_secrets(ws: Workspace, rel: str) -> bool:
    path = ws.root / rel
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return False
    lowered = head.lower()  # git grep found a word anywhere in the file: the rule only reads the first bytes
    if not any(word in lowered for word in _WORDS):
        return False
    return secret_store_reason(rel, head) is not None


# A URL's user and password (``https://bob:ghp_x@host/``, ``https://ghp_x@host/``): no network in the sandbox
# needs them.
_USERINFO = re.compile(rb"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s\"'@]+@")
# Settings that hold or fetch a credential: helpers, auth headers, cookies, tokens and passwords by any name.
_SECRET_SETTING = re.compile(r"^credential\.|(?:pass|token|secret|extraheader|cookie|oauth|api_?key|auth)[^.]*$", re.I)


def sanitized_git_config(ws: Workspace, into: Path) -> list[tuple[Path, Path]]:
    """Copies of git's config files (the repository's, and a worktree's own) and of FETCH_HEAD without
    credentials, written under ``into``: (copy, original) pairs for the sandbox to show in place of the
    originals. Remote URLs keep everything but their user and password, so git in the sandbox still works."""
    proc = ws.git("rev-parse", "--path-format=absolute", "--git-common-dir", check=False)
    common = Path(proc.stdout.decode().strip()) if proc.returncode == 0 and proc.stdout.strip() else ws.git_dir
    originals = dict.fromkeys([common / "config", ws.git_dir / "config.worktree", ws.git_dir / "FETCH_HEAD"])
    out: list[tuple[Path, Path]] = []
    for n, original in enumerate(originals):
        try:
            if original.is_symlink() or not original.is_file():
                continue
            text = original.read_bytes()
        except OSError:
            continue
        copy = into / f"{n}-{original.name}"
        copy.write_bytes(_USERINFO.sub(rb"\1", text))
        if original.name != "FETCH_HEAD":
            _drop_secret_settings(ws, copy)
        out.append((copy, original))
    return out


def _drop_secret_settings(ws: Workspace, copy: Path) -> None:
    listed = ws.git("config", "-f", str(copy), "--no-includes", "--list", "-z", check=False)
    names = {e.split(b"\n", 1)[0].decode("utf-8", "surrogateescape") for e in listed.stdout.split(b"\0") if e}
    for name in sorted(n for n in names if _SECRET_SETTING.search(n)):
        ws.git("config", "-f", str(copy), "--unset-all", name, check=False)
