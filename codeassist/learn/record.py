"""The opt-in record of requests: a wrapper around the interface's event sink.

``wrap_sink(settings, data_dir, sink, root=...)`` is the one call an
interface makes. With ``record = true`` the wrapper follows the session's
events (``start``, ``exchange``, ``edit.*``, ``check``, ``commit``,
``result``) and stores the request's trajectory when the ``result`` arrives;
before the first request it settles the fate of earlier ones (see
:mod:`codeassist.learn.fate`). Secrets are scrubbed from everything stored,
and a request that involved a file hidden by ``.codeassistignore`` is not
stored at all. ``exchange`` events are the recorder's own: they never reach
the interface's sink. A record that cannot be written is reported as a
``notice`` event; the request itself is never affected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.learn.scrub import scrub, scrub_json
from codeassist.learn.store import Exchange, RecordError, Store, Trajectory, open_store

if TYPE_CHECKING:
    from codeassist.config import Settings

Sink = Callable[[dict[str, Any]], None]
# Re-checking the fate of older requests is bounded: the most recent ones are the ones that still move.
FATE_CHECK_LIMIT = 30


def now_iso(clock: Callable[[], float] = time.time) -> str:
    return datetime.fromtimestamp(clock(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def endpoint_kind(settings: Settings) -> str:
    """What kind of endpoint served the model: a backend plugin, a provider preset, or a custom URL."""
    from codeassist.backends.presets import split_preset

    if settings.backend:
        return str(settings.backend)
    preset, _ = split_preset(settings.model or "")
    if preset is not None:
        return preset.name
    return "custom" if settings.base_url else "openai"


def hidden_paths(root: Path, paths: Iterable[str]) -> list[str]:
    """Those of ``paths`` the repository's file rule hides (``.codeassistignore``, secret stores,
    codeassist's own config): they are never stored."""
    from codeassist.filerule import IGNORE_FILE, IgnoreRule, hidden_reason

    try:
        raw: bytes | None = (root / IGNORE_FILE).read_bytes()
    except OSError:
        raw = None
    rule = IgnoreRule(raw)
    return sorted({p for p in paths if p and hidden_reason(p, rule) is not None})


@dataclass
class _Open:
    """The exchange being followed: the model call and the edit events after it."""

    messages: list[dict[str, Any]]
    reply: str
    tool_calls: list[dict[str, Any]]
    applied: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def close(self) -> Exchange:
        return Exchange(
            tuple(scrub_json(m) for m in self.messages),  # type: ignore[misc]
            scrub(self.reply),
            tuple(scrub_json(c) for c in self.tool_calls),  # type: ignore[misc]
            tuple(self.applied),
            tuple(scrub(f) for f in self.failed),
            tuple(scrub_json(c) for c in self.checks),  # type: ignore[misc]
        )


class Recorder:
    """A sink that forwards every event but ``exchange`` and stores each request when it ends."""

    def __init__(
        self, inner: Sink, data_dir: Path, *, root: Path, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.inner = inner
        self.data_dir = data_dir
        self.root = root.resolve()
        self.settings = settings
        self.clock = clock
        self.stored: list[int] = []
        self._reset()
        self._fates_checked = False

    def _reset(self) -> None:
        self.start: dict[str, Any] = {}
        self.started = self.clock()
        self.paths: set[str] = set()
        self.exchanges: list[_Open] = []
        self.commit: str | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "exchange":
            if not event.get("quiet"):  # commit messages and summaries are not edits
                self.exchanges.append(_Open(list(event["messages"]), event["reply"], list(event["tool_calls"])))
            return
        self._follow(kind, event)
        self.inner(event)
        if kind == "result":
            self._store(event)
            self._reset()

    def _follow(self, kind: Any, event: dict[str, Any]) -> None:
        last = self.exchanges[-1] if self.exchanges else None
        if kind == "start":
            self._reset()
            self.start = event
            if not self._fates_checked:
                self._fates_checked = True
                self._guard(self._settle_fates)
        elif kind == "context":
            self.paths.update(event.get("files", []), event.get("read_only", []))
        elif kind == "edit.applied" and last is not None:
            last.applied.append(event["path"])
            self.paths.add(event["path"])
        elif kind == "edit.failed" and last is not None:
            last.failed.append(f"{event.get('path') or 'reply'}: {event.get('reason', '')}")
            if event.get("path"):
                self.paths.add(event["path"])
        elif kind == "check" and last is not None:
            last.checks.append({"name": event["name"], "ok": event["ok"], "output": event.get("output", "")})
        elif kind == "commit":
            self.commit = event.get("sha")

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except RecordError as exc:
            self.inner({"type": "notice", "message": f"not recorded: {exc.message}"})

    def _store(self, result: dict[str, Any]) -> None:
        files = tuple(result.get("files_changed", []))
        if hidden_paths(self.root, [*self.paths, *files]):
            return  # the request saw a file the user hid from codeassist: nothing of it is kept
        self._guard(lambda: self._write(result, files))

    def _write(self, result: dict[str, Any], files: tuple[str, ...]) -> None:
        mode = str(self.start.get("mode", "edit"))
        commit = result.get("commit") or self.commit
        status = str(result.get("status", "error"))
        if mode == "ask":
            fate = "answer"
        else:
            fate = "kept" if commit else ("failed" if status != "success" else "uncommitted")
        usage = result.get("usage", {})
        trajectory = Trajectory(
            created_at=now_iso(self.clock),
            repo=str(self.root),
            mode=mode,
            model=str(self.start.get("model") or self.settings.model or ""),
            endpoint=endpoint_kind(self.settings),
            edit_format=str(self.start.get("edit_format") or ("ask" if mode == "ask" else "")),
            request=scrub(str(self.start.get("request", ""))),
            status=status,
            rounds=int(result.get("rounds", 0)),
            commit=commit,
            files=files,
            input_tokens=int(usage.get("input_tokens", 0)),
            output_tokens=int(usage.get("output_tokens", 0)),
            cost_usd=usage.get("cost_usd"),
            seconds=round(self.clock() - self.started, 3),
            exchanges=tuple(x.close() for x in self.exchanges),
            fate=fate,
        )
        with open_store(self.data_dir) as store:
            self.stored.append(store.add(trajectory))

    def _settle_fates(self) -> None:
        with open_store(self.data_dir) as store:
            settle_fates(store, self.root)


def settle_fates(store: Store, root: Path, *, limit: int = FATE_CHECK_LIMIT) -> int:
    """Bring the fate of this repository's committed requests up to date; returns how many changed."""
    from codeassist.errors import GitError
    from codeassist.git import head_sha
    from codeassist.learn.fate import FINAL, commit_fate

    try:
        head = head_sha(root)
    except GitError:
        return 0
    pending = [row for row in store.committed(str(root.resolve())) if row[3] not in FINAL and row[4] != head][-limit:]
    changed = 0
    for tid, sha, files, old, _ in pending:
        try:
            fate = commit_fate(root, sha, files)
        except GitError:
            continue
        changed += fate.fate != old
        store.set_fate(tid, fate.fate, fate.detail, head)
    return changed


def wrap_sink(
    settings: Settings,
    data_dir: Path,
    sink: Sink | None,
    *,
    root: Path,
    clock: Callable[[], float] = time.time,
) -> Sink:
    """The sink a session should report to: ``sink`` itself, recorded when ``settings.record`` is on.

    ``record`` counts from the user's config, the environment or a flag, never from the repository's.

    The returned sink never passes ``exchange`` events on (they carry whole prompts).
    """
    inner: Sink = sink if sink is not None else (lambda event: None)
    # Whether the user's prompts are kept is the user's choice: a repository's own config cannot make it.
    if not settings.record or settings.source("record") == "repo":
        return _without_exchanges(inner)
    return Recorder(inner, data_dir, root=root, settings=settings, clock=clock)


def _without_exchanges(inner: Sink) -> Sink:
    def forward(event: dict[str, Any]) -> None:
        if event.get("type") != "exchange":
            inner(event)

    return forward


def default_data_dir() -> Path:
    """The user's data directory for codeassist (where the record lives)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("codeassist"))
