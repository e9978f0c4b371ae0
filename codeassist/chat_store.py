"""Chats saved to disk so they can resume: ``<repo>/.codeassist/sessions/<ID>.json``.

A saved chat is one versioned JSON object (``version``, ``id``, ``saved_at``,
``model``, ``mode``, ``files``, ``read_only``, ``history``, ``usage``,
``requests``, ``last_commit``) holding what :class:`~codeassist.session.Conversation`
remembers. It is written atomically (a temporary file in the same folder,
then a rename), so a crash mid-save leaves the previous copy whole. A file
that cannot be read, is not JSON, or has an unknown version raises
:class:`~codeassist.errors.ConfigError` naming it; the caller reports it and
goes on. The folder is added to git's own exclude file, never to .gitignore.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeassist.backends.base import Message, Usage
from codeassist.errors import ConfigError, UsageError
from codeassist.session import Conversation

FORMAT_VERSION = 1
SESSIONS_DIR = ".codeassist/sessions"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class SavedChat:
    id: str
    saved_at: str
    model: str | None
    chat: Conversation


@dataclass(frozen=True)
class ChatSummary:
    """One line of ``codeassist chat --list``."""

    id: str
    saved_at: str
    model: str | None
    files: int
    messages: int
    first_request: str


def to_json(chat: Conversation, *, chat_id: str, saved_at: str, model: str | None) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "id": chat_id,
        "saved_at": saved_at,
        "model": model,
        "mode": chat.mode,
        "files": list(chat.files),
        "read_only": list(chat.read_only),
        "history": [{"role": m.role, "content": m.content} for m in chat.history],
        "usage": chat.usage.to_json(),
        "requests": chat.requests,
        "last_commit": chat.last_commit,
    }


def from_json(data: Any) -> SavedChat:
    """The saved chat in ``data``; ValueError (with what is wrong) for anything else."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown version {data.get('version')!r} (this codeassist reads {FORMAT_VERSION})")
    try:
        mode = data["mode"]
        if mode not in ("edit", "ask"):
            raise ValueError(f"unknown mode {mode!r}")
        history = [_message(m) for m in data["history"]]
        u = data["usage"]
        cost = u.get("cost_usd")
        usage = Usage(
            int(u["input_tokens"]),
            int(u["cached_input_tokens"]),
            int(u["output_tokens"]),
            None if cost is None else float(cost),
            bool(u.get("estimated", False)),
        )
        chat = Conversation(
            mode=mode,
            files=[str(p) for p in data["files"]],
            read_only=[str(p) for p in data["read_only"]],
            history=history,
            usage=usage,
            requests=int(data["requests"]),
            last_commit=data.get("last_commit"),
        )
        return SavedChat(str(data["id"]), str(data["saved_at"]), data.get("model"), chat)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"missing or malformed field ({exc})") from exc


def _message(item: Any) -> Message:
    role, content = item["role"], item["content"]
    if role not in ("user", "assistant", "system") or not isinstance(content, str):
        raise ValueError(f"bad history message {item!r:.60}")
    return Message(role, content)


class ChatStore:
    """The saved chats of one repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / SESSIONS_DIR

    def path(self, chat_id: str) -> Path:
        if not NAME_RE.fullmatch(chat_id):
            raise UsageError(
                f"not a session name: {chat_id!r}", hint="use letters, digits, '.', '_' and '-' (at most 64)"
            )
        return self.dir / f"{chat_id}.json"

    def save(self, chat: Conversation, *, chat_id: str, saved_at: str, model: str | None) -> Path:
        """Write the chat as ``chat_id`` atomically; ConfigError when the folder cannot be written."""
        target = self.path(chat_id)
        import tempfile  # not at import: the chat's start-up only reads

        text = json.dumps(to_json(chat, chat_id=chat_id, saved_at=saved_at, model=model), indent=1) + "\n"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            _exclude_from_git(self.root)
            fd, tmp = tempfile.mkstemp(prefix=f".{chat_id}.", suffix=".tmp", dir=self.dir)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise ConfigError(f"cannot save the chat to {target}: {exc.strerror}") from exc
        return target

    def load(self, chat_id: str) -> SavedChat:
        """The chat saved as ``chat_id``; UsageError when there is none, ConfigError when its file is broken."""
        path = self.path(chat_id)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"no saved chat called {chat_id}", hint="`codeassist chat --list` shows them") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the saved chat {path}: {exc}") from exc
        try:
            return from_json(json.loads(raw))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise ConfigError(f"the saved chat {path} is broken: {exc}", hint="delete it, or load another one") from exc

    def ids(self) -> list[str]:
        """Saved chat ids, most recently saved first (ties by name)."""
        try:
            files = [p for p in self.dir.glob("*.json") if NAME_RE.fullmatch(p.stem)]
        except OSError:
            return []
        stamped = []
        for p in files:
            with contextlib.suppress(OSError):
                stamped.append((-p.stat().st_mtime_ns, p.stem))
        return [name for _, name in sorted(stamped)]

    def latest(self) -> str | None:
        found = self.ids()
        return found[0] if found else None

    def summaries(self) -> tuple[list[ChatSummary], list[str]]:
        """Every readable saved chat, newest first, and a problem line for each broken one."""
        out: list[ChatSummary] = []
        problems: list[str] = []
        for chat_id in self.ids():
            try:
                saved = self.load(chat_id)
            except ConfigError as exc:
                problems.append(exc.message)
                continue
            first = next((m.content for m in saved.chat.history if m.role == "user"), "")
            out.append(
                ChatSummary(
                    chat_id,
                    saved.saved_at,
                    saved.model,
                    len(saved.chat.files) + len(saved.chat.read_only),
                    len(saved.chat.history),
                    " ".join(first.split())[:60],
                )
            )
        return out, problems


def _exclude_from_git(root: Path) -> None:
    """List the sessions folder in the repository's own exclude file, once (never in .gitignore)."""
    from codeassist.git import exclude_locally

    exclude_locally(root, f"/{SESSIONS_DIR}/")
