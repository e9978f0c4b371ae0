"""The record of requests: a SQLite database in the user's data directory, readable only by them.

One row per request (a trajectory) and one row per model call in it (an
exchange: the messages sent, the reply, its tool calls and what became of its
edits). The schema grows by ordered migration functions recorded in the
``migrations`` table; an unreadable database raises :class:`RecordError`
naming the file, and never loses the request that was running.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeassist.errors import ConfigError

DB_NAME = "record.sqlite"


class RecordError(ConfigError):
    """The record database cannot be opened, read or written."""


@dataclass(frozen=True)
class Exchange:
    """One model call: the messages sent, the reply and what its edits did."""

    messages: tuple[dict[str, Any], ...]
    reply: str
    tool_calls: tuple[dict[str, Any], ...] = ()
    applied: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    checks: tuple[dict[str, Any], ...] = ()

    @property
    def apply_failed(self) -> bool:
        return bool(self.failed)


@dataclass(frozen=True)
class Trajectory:
    """One request from start to result, and its fate (``kept``, ``undone``, ``reverted``, ...)."""

    created_at: str
    repo: str
    mode: str
    model: str
    endpoint: str
    edit_format: str
    request: str
    status: str
    rounds: int = 0
    commit: str | None = None
    files: tuple[str, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    exchanges: tuple[Exchange, ...] = ()
    fate: str = "none"
    fate_detail: str = ""
    id: int | None = None
    fate_head: str | None = field(default=None, compare=False)


def _m001_trajectories(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE trajectories (
            id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, repo TEXT NOT NULL, mode TEXT NOT NULL,
            model TEXT NOT NULL, endpoint TEXT NOT NULL, edit_format TEXT NOT NULL, request TEXT NOT NULL,
            status TEXT NOT NULL, rounds INTEGER NOT NULL, commit_sha TEXT, files TEXT NOT NULL,
            input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL, seconds REAL NOT NULL,
            fate TEXT NOT NULL, fate_detail TEXT NOT NULL, fate_head TEXT)"""
    )
    conn.execute("CREATE INDEX trajectories_repo ON trajectories (repo, created_at)")
    conn.execute(
        """CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            trajectory_id INTEGER NOT NULL REFERENCES trajectories (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, messages TEXT NOT NULL, reply TEXT NOT NULL, tool_calls TEXT NOT NULL,
            applied TEXT NOT NULL, failed TEXT NOT NULL, checks TEXT NOT NULL)"""
    )
    conn.execute("CREATE INDEX exchanges_trajectory ON exchanges (trajectory_id, seq)")


# Ordered; a database records the names it has run. Append, never edit or reorder.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (("001_trajectories", _m001_trajectories),)


def _create_private(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (the record holds prompts and code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class Store:
    """An open record database; use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            _create_private(path)
            self.conn = sqlite3.connect(path, timeout=10.0)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise RecordError(
                f"the record database {path} cannot be used: {exc}",
                hint="move it away, or delete it with `codeassist record forget --all`",
            ) from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        with self.conn:
            self.conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in self.conn.execute("SELECT name FROM migrations")}
            for name, migrate in MIGRATIONS:
                if name not in done:
                    migrate(self.conn)
                    self.conn.execute("INSERT INTO migrations (name) VALUES (?)", (name,))

    def _write(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        try:
            with self.conn:
                return self.conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise RecordError(f"cannot write the record database {self.path}: {exc}") from exc

    # -- writing -------------------------------------------------------------------
    def add(self, t: Trajectory) -> int:
        """Store ``t`` and its exchanges; returns its id."""
        try:
            with self.conn:
                cur = self.conn.execute(
                    "INSERT INTO trajectories (created_at, repo, mode, model, endpoint, edit_format, request, status,"
                    " rounds, commit_sha, files, input_tokens, output_tokens, cost_usd, seconds, fate, fate_detail,"
                    " fate_head) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        t.created_at, t.repo, t.mode, t.model, t.endpoint, t.edit_format, t.request, t.status,
                        t.rounds, t.commit, json.dumps(list(t.files)), t.input_tokens, t.output_tokens, t.cost_usd,
                        t.seconds, t.fate, t.fate_detail, t.fate_head,
                    ),
                )  # fmt: skip
                tid = int(cur.lastrowid or 0)
                for seq, x in enumerate(t.exchanges):
                    self.conn.execute(
                        "INSERT INTO exchanges (trajectory_id, seq, messages, reply, tool_calls, applied, failed,"
                        " checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            tid, seq, json.dumps(list(x.messages)), x.reply, json.dumps(list(x.tool_calls)),
                            json.dumps(list(x.applied)), json.dumps(list(x.failed)), json.dumps(list(x.checks)),
                        ),
                    )  # fmt: skip
        except sqlite3.Error as exc:
            raise RecordError(f"cannot write the record database {self.path}: {exc}") from exc
        return tid

    def set_fate(self, tid: int, fate: str, detail: str, head: str | None) -> None:
        self._write("UPDATE trajectories SET fate = ?, fate_detail = ?, fate_head = ? WHERE id = ?",
                    (fate, detail, head, tid))  # fmt: skip

    def forget(self, *, since: str | None = None, repo: str | None = None) -> int:
        """Delete the trajectories from ``since`` on (ISO time) and/or of ``repo``; returns how many."""
        where, args = _filters(since, repo)
        return self._write(f"DELETE FROM trajectories{where}", args).rowcount

    # -- reading -------------------------------------------------------------------
    def repos(self) -> list[str]:
        """Every repository with a recorded commit, sorted."""
        try:
            rows = self.conn.execute("SELECT DISTINCT repo FROM trajectories WHERE commit_sha IS NOT NULL").fetchall()
        except sqlite3.Error as exc:
            raise RecordError(f"cannot read the record database {self.path}: {exc}") from exc
        return sorted(r[0] for r in rows)

    def committed(self, repo: str) -> list[tuple[int, str, tuple[str, ...], str, str | None]]:
        """(id, commit, files, fate, fate_head) of ``repo``'s requests that made a commit, oldest first.

        Without the exchanges: settling fates runs before every recorded request.
        """
        try:
            rows = self.conn.execute(
                "SELECT id, commit_sha, files, fate, fate_head FROM trajectories"
                " WHERE repo = ? AND commit_sha IS NOT NULL ORDER BY created_at, id",
                (repo,),
            ).fetchall()
            return [(tid, sha, tuple(json.loads(files)), fate, head) for tid, sha, files, fate, head in rows]
        except (sqlite3.Error, ValueError) as exc:
            raise RecordError(f"cannot read the record database {self.path}: {exc}") from exc

    def trajectories(self, *, since: str | None = None, repo: str | None = None) -> list[Trajectory]:
        """Stored trajectories, oldest first, with their exchanges."""
        where, args = _filters(since, repo)
        try:
            rows = self.conn.execute(f"SELECT * FROM trajectories{where} ORDER BY created_at, id", args).fetchall()
            out = []
            for row in rows:
                xs = self.conn.execute(
                    "SELECT messages, reply, tool_calls, applied, failed, checks FROM exchanges"
                    " WHERE trajectory_id = ? ORDER BY seq",
                    (row[0],),
                ).fetchall()
                out.append(_trajectory(row, xs))
        except (sqlite3.Error, ValueError) as exc:
            raise RecordError(
                f"cannot read the record database {self.path}: {exc}",
                hint="move it away, or delete it with `codeassist record forget --all`",
            ) from exc
        return out


def _filters(since: str | None, repo: str | None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if since is not None:
        clauses.append("created_at >= ?")
        args.append(since)
    if repo is not None:
        clauses.append("repo = ?")
        args.append(repo)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _trajectory(row: Sequence[Any], xs: Sequence[Sequence[Any]]) -> Trajectory:
    exchanges = tuple(
        Exchange(
            tuple(json.loads(m)), reply, tuple(json.loads(tc)), tuple(json.loads(a)), tuple(json.loads(f)),
            tuple(json.loads(c)),
        )
        for m, reply, tc, a, f, c in xs
    )  # fmt: skip
    (tid, created, repo, mode, model, endpoint, fmt, request, status, rounds, sha, files, tin, tout, cost, secs,
     fate, detail, head) = row  # fmt: skip
    return Trajectory(
        created, repo, mode, model, endpoint, fmt, request, status, rounds, sha, tuple(json.loads(files)), tin, tout,
        cost, secs, exchanges, fate, detail, tid, head,
    )  # fmt: skip


def open_store(data_dir: Path) -> Store:
    """The record database in ``data_dir`` (created 0600 when missing)."""
    return Store(data_dir / DB_NAME)


def delete_database(data_dir: Path) -> bool:
    """Remove the database file whatever its state; True when there was one."""
    removed = False
    for suffix in ("", "-journal", "-wal", "-shm"):
        path = data_dir / (DB_NAME + suffix)
        if path.exists():
            path.unlink()
            removed = removed or suffix == ""
    return removed
