"""The SQLite cache of parsed tags, at ``<repo>/.codeassist/index.sqlite``.

Rows of ``blobs`` are keyed by content (git blob id), language and tags
version, so any branch or checkout reuses them; ``files`` records what each
path held at the last refresh (with a stat fingerprint for files codeassist
hashed itself). Schema changes are ordered functions recorded in
``migrations``. A corrupt cache, or one of ours missing a table, is rebuilt,
and one that stays locked or unwritable is replaced by an in-memory cache;
either way the caller gets a warning, never an error. WAL mode and a busy
timeout let two processes refresh the same repository at once.

State stays inside the repository: ``.codeassist`` must be a real directory
(not a symbolic link, not a file) and the database files in it regular files
with one link, else nothing is opened there. A database that is not ours (other
tables, views or triggers, no ``migrations`` table) or is a newer
codeassist's is never altered: an in-memory index is used instead. Cache files
are readable by the user only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.index.files import CACHE_DIR

DB_NAME = "index.sqlite"
_BUSY_TIMEOUT_MS = 15_000


def _m1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE blobs (blob TEXT NOT NULL, lang TEXT NOT NULL, version TEXT NOT NULL,"
        " size INTEGER NOT NULL, skip TEXT, not_utf8 INTEGER NOT NULL DEFAULT 0,"
        " ndefs INTEGER NOT NULL DEFAULT 0, nrefs INTEGER NOT NULL DEFAULT 0,"
        " defs BLOB, refs BLOB, PRIMARY KEY (blob, lang, version))"
    )
    conn.execute(
        "CREATE TABLE files (path TEXT PRIMARY KEY, blob TEXT NOT NULL, lang TEXT NOT NULL,"
        " size INTEGER, mtime_ns INTEGER, ino INTEGER)"
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _m2_graphs(conn: sqlite3.Connection) -> None:
    # The repo map's query-independent data (its file graph, and its ranks for requests
    # without words), keyed by the index's state key: a new process reads it instead of
    # rebuilding. ``kind`` says which, ``key`` tells rankings apart; ``data`` is opaque here.
    conn.execute(
        "CREATE TABLE graphs (state_key TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
        " format TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (state_key, kind, key))"
    )


# Ordered; never edit an applied one, append a new function instead.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    ("m1_initial", _m1_initial),
    ("m2_graphs", _m2_graphs),
)


class IncompatibleCache(Exception):
    """The cache file was written by a newer codeassist."""


class ForeignDatabase(Exception):
    """The file is an SQLite database codeassist did not write; it is left alone."""


class DamagedCache(sqlite3.DatabaseError):
    """Our cache, with a table missing: rebuilt like a corrupt one."""


# The tables every migrated cache has; the graphs of the map (migration m2_graphs) are ours too.
_REQUIRED_TABLES = frozenset({"migrations", "blobs", "files", "meta"})
_OUR_TABLES = _REQUIRED_TABLES | {"graphs"}
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BlobRow:
    """What the index knows about one content blob in one language."""

    blob: str
    lang: str
    size: int
    skip: str | None
    not_utf8: bool
    ndefs: int
    nrefs: int


@dataclass(frozen=True)
class FileRow:
    path: str
    blob: str
    lang: str
    size: int | None = None
    mtime_ns: int | None = None
    ino: int | None = None


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied REAL)")
        done = {name for (name,) in conn.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise IncompatibleCache(f"written by a newer codeassist (migrations {sorted(done - known)})")
        for i, (name, fn) in enumerate(MIGRATIONS, 1):
            if name not in done:
                fn(conn)
                conn.execute("INSERT INTO migrations VALUES (?, ?, ?)", (i, name, time.time()))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _check_ours(conn: sqlite3.Connection) -> None:
    """Raise unless the database is empty or codeassist's own (read only: nothing is changed here)."""
    objects = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    if not objects:
        return  # a new, empty file
    tables = {name for kind, name in objects if kind == "table"}
    others = sorted(name for kind, name in objects if kind in ("view", "trigger"))
    if "migrations" not in tables or tables - _OUR_TABLES or others:
        shown = ", ".join(sorted(tables - _OUR_TABLES) + others) or "no migrations table"
        raise ForeignDatabase(f"is not codeassist's ({shown}); left it untouched")
    try:
        done = {name for (name,) in conn.execute("SELECT name FROM migrations")}
    except sqlite3.OperationalError as exc:
        raise DamagedCache(f"migrations table unreadable: {exc}") from exc
    unknown = done - {name for name, _ in MIGRATIONS}
    if unknown:
        raise IncompatibleCache(f"written by a newer codeassist (migrations {sorted(unknown)})")
    missing = _REQUIRED_TABLES - tables
    if done and missing:
        raise DamagedCache(f"table {', '.join(sorted(missing))} missing")


def _connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(target, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    if target != ":memory:":
        try:
            _check_ours(conn)  # before WAL mode, which would already change the file
        except BaseException:
            conn.close()
            raise
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    _migrate(conn)
    return conn


def _connect_patiently(target: str) -> sqlite3.Connection:
    """Connect, retrying while another process holds the lock.

    SQLite's busy handler does not cover every step of opening: switching a
    new file to WAL needs an exclusive lock and fails at once with "database
    is locked" when a second process opens the same new cache. Retrying with
    a growing pause, within the busy timeout, lets the second one wait its turn.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    pause = 0.02
    while True:
        try:
            return _connect(target)
        except sqlite3.OperationalError as exc:
            locked = "locked" in str(exc) or "busy" in str(exc)
            if not locked or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _unsafe_location(directory: Path, path: Path) -> str | None:
    """Why the cache must not be opened at ``path`` (state that would land outside the repository), or None."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{CACHE_DIR} unusable ({exc.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return f"{CACHE_DIR} is a symbolic link; codeassist keeps state only in a real directory in the repository"
    if not stat.S_ISDIR(st.st_mode):
        return f"{CACHE_DIR} is not a directory"
    for suffix in _SIDE_FILES:
        try:
            fst = os.lstat(str(path) + suffix)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{CACHE_DIR}/{DB_NAME}{suffix} unusable ({exc.strerror})"
        if not stat.S_ISREG(fst.st_mode) or fst.st_nlink > 1:
            return f"{CACHE_DIR}/{DB_NAME}{suffix} is a link or not a regular file; it is left untouched"
    return None


def _private(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """Make the cache files readable by the user only (they hold the repository's code)."""
    for suffix in _SIDE_FILES:
        try:
            os.chmod(str(path) + suffix, 0o600)
        except OSError:
            pass
    return conn


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass


class IndexCache:
    """A connection to the cache, or to an in-memory stand-in with ``warnings`` saying why."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, warnings: tuple[str, ...] = ()) -> None:
        self.conn = conn
        self.path = path
        self.warnings = warnings
        self.write_errors: list[str] = []

    @classmethod
    def open(cls, root: Path) -> IndexCache:
        """Open (creating, migrating or rebuilding as needed) the cache of ``root``."""
        directory = root / CACHE_DIR
        path = directory / DB_NAME
        unsafe = _unsafe_location(directory, path)
        if unsafe is not None:
            return cls._in_memory(f"{unsafe}; using a temporary in-memory index")
        try:
            directory.mkdir(exist_ok=True)
            if not path.exists():
                _exclude_from_git(root)
        except OSError as exc:
            return cls._in_memory(f"index cache directory unusable ({exc}); using a temporary in-memory index")
        try:
            return cls(_private(_connect_patiently(str(path)), path), path)
        except (IncompatibleCache, ForeignDatabase) as exc:
            return cls._in_memory(f"index cache {CACHE_DIR}/{DB_NAME} {exc}; using a temporary in-memory index")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return cls._in_memory(f"index cache is locked ({exc}); using a temporary in-memory index")
            reason = str(exc)
        except sqlite3.DatabaseError as exc:
            reason = str(exc)
        # Corrupt or unreadable: start again from an empty file.
        try:
            _remove_db(path)
            warning = f"index cache was unreadable ({reason}); rebuilt it"
            return cls(_private(_connect(str(path)), path), path, (warning,))
        except (OSError, sqlite3.Error) as exc:
            return cls._in_memory(f"index cache unusable ({reason}; {exc}); using a temporary in-memory index")

    @classmethod
    def open_read_only(cls, root: Path) -> IndexCache | None:
        """The existing cache of ``root`` opened for reading only, or None (absent, unsafe, not
        ours, unreadable). Never created, migrated or rebuilt: it may run beside :meth:`open`."""
        directory = root.resolve() / CACHE_DIR
        path = directory / DB_NAME
        if _unsafe_location(directory, path) is not None or not path.is_file():
            return None
        try:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        except sqlite3.Error:
            return None
        try:
            _check_ours(conn)
        except (sqlite3.Error, IncompatibleCache, ForeignDatabase):
            conn.close()
            return None
        return cls(conn, path)

    @classmethod
    def in_memory(cls, warning: str) -> IndexCache:
        """A throw-away cache for this process, carrying ``warning`` to the caller."""
        return cls(_connect(":memory:"), None, (warning,))

    @classmethod
    def _in_memory(cls, warning: str) -> IndexCache:
        return cls(_connect(":memory:"), None, (warning,))

    def close(self) -> None:
        self.conn.close()

    def size_bytes(self) -> int:
        if self.path is None:
            return 0
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += os.stat(str(self.path) + suffix).st_size
            except OSError:
                pass
        return total

    # -- reads ---------------------------------------------------------------

    def blob_rows(self, version: str) -> dict[tuple[str, str], BlobRow]:
        rows = self.conn.execute(
            "SELECT blob, lang, size, skip, not_utf8, ndefs, nrefs FROM blobs WHERE version = ?", (version,)
        )
        return {(r[0], r[1]): BlobRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows}

    def file_rows(self) -> dict[str, FileRow]:
        rows = self.conn.execute("SELECT path, blob, lang, size, mtime_ns, ino FROM files")
        return {r[0]: FileRow(*r) for r in rows}

    def tags_for(self, keys: Iterable[tuple[str, str]], version: str) -> dict[tuple[str, str], tuple[bytes, bytes]]:
        """Serialized (defs, refs) of each (blob, lang) key that has them."""
        wanted = set(keys)
        out: dict[tuple[str, str], tuple[bytes, bytes]] = {}
        rows = self.conn.execute(
            "SELECT blob, lang, defs, refs FROM blobs WHERE version = ? AND skip IS NULL", (version,)
        )
        for blob, lang, defs, refs in rows:
            if (blob, lang) in wanted:
                out[(blob, lang)] = (defs, refs)
        return out

    def fingerprints(self, paths: Sequence[str]) -> dict[str, tuple[int | None, int | None, int | None]]:
        """The recorded (size, mtime_ns, inode) of ``paths`` that have a row."""
        out: dict[str, tuple[int | None, int | None, int | None]] = {}
        for i in range(0, len(paths), 500):
            chunk = paths[i : i + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT path, size, mtime_ns, ino FROM files WHERE path IN ({marks})"
            for path, size, mtime_ns, ino in self.conn.execute(query, chunk):
                out[path] = (size, mtime_ns, ino)
        return out

    def indexed_files(self, version: str) -> list[tuple[str, str, str]]:
        """(path, lang, blob) of recorded files whose content was parsed, by path."""
        return self.conn.execute(
            "SELECT f.path, f.lang, f.blob FROM files f JOIN blobs b"
            " ON b.blob = f.blob AND b.lang = f.lang AND b.version = ? AND b.skip IS NULL ORDER BY f.path",
            (version,),
        ).fetchall()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def get_graph(self, state_key: str, kind: str, key: str, fmt: str) -> bytes | None:
        """The stored ``kind`` blob of ``state_key`` written in format ``fmt``, or None.

        A read that fails (a damaged page) counts as nothing stored: the caller rebuilds.
        """
        try:
            row = self.conn.execute(
                "SELECT data FROM graphs WHERE state_key = ? AND kind = ? AND key = ? AND format = ?",
                (state_key, kind, key, fmt),
            ).fetchone()
        except sqlite3.DatabaseError:
            return None
        return None if row is None else bytes(row[0])

    # -- writes --------------------------------------------------------------

    def put_graph(self, state_key: str, kind: str, key: str, fmt: str, data: bytes, keep: int = 1) -> None:
        """Store a blob for ``state_key``; the last ``keep`` rows of this ``kind`` stay, and
        none of another state (useless once the repository moved on)."""

        def body(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO graphs VALUES (?, ?, ?, ?, ?)", (state_key, kind, key, fmt, data))
            conn.execute("DELETE FROM graphs WHERE kind = ? AND state_key != ?", (kind, state_key))
            conn.execute(
                "DELETE FROM graphs WHERE kind = ? AND rowid NOT IN"
                " (SELECT rowid FROM graphs WHERE kind = ? ORDER BY rowid DESC LIMIT ?)",
                (kind, kind, keep),
            )

        try:
            self._transaction(body)
        except sqlite3.DatabaseError as exc:  # a damaged file: the graph is simply not kept
            self._write_failed(exc)

    def store(
        self,
        version: str,
        blobs: Sequence[tuple[BlobRow, bytes | None, bytes | None]],
        upsert_files: Sequence[FileRow],
        delete_files: Sequence[str],
        meta: dict[str, str],
    ) -> None:
        """Write everything a refresh learned in one transaction (see :meth:`_transaction`)."""
        if not (blobs or upsert_files or delete_files or meta):
            return

        def body(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (b.blob, b.lang, version, b.size, b.skip, int(b.not_utf8), b.ndefs, b.nrefs, d, r)
                    for b, d, r in blobs
                ],
            )
            conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in delete_files])
            conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [(f.path, f.blob, f.lang, f.size, f.mtime_ns, f.ino) for f in upsert_files],
            )
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))

        self._transaction(body)

    def prune(self, version: str, keep: set[tuple[str, str]], limit: int) -> None:
        """Drop blobs of other versions, and unused ones once there are more than ``limit``."""

        def body(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM blobs WHERE version != ?", (version,))
            (count,) = conn.execute("SELECT count(*) FROM blobs").fetchone()
            if count > limit:
                rows = conn.execute("SELECT blob, lang FROM blobs").fetchall()
                stale = [key for key in rows if tuple(key) not in keep]
                conn.executemany("DELETE FROM blobs WHERE blob = ? AND lang = ?", stale)

        self._transaction(body)

    def _transaction(self, body: Callable[[sqlite3.Connection], None]) -> bool:
        """Run ``body`` in a write transaction. A write that fails for an outside reason
        (locked past the busy timeout, disk full, read-only) is dropped with a warning
        in ``write_errors``: the refresh still returns its results, uncached."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._write_failed(exc)
            return False
        try:
            body(self.conn)
            self.conn.execute("COMMIT")
            return True
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._write_failed(exc)
            return False
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _write_failed(self, exc: sqlite3.Error) -> None:
        message = f"index cache not updated ({exc}); results of this run are not cached"
        if message not in self.write_errors:
            self.write_errors.append(message)


def _exclude_from_git(root: Path) -> None:
    """Add the cache files to the repository's own exclude file (never to .gitignore); the listing drops the
    cache directory anyway where it cannot be written."""
    from codeassist.git import exclude_locally

    # Only the cache files: .codeassist/ may also hold the user's tracked instructions.md.
    exclude_locally(root, f"{CACHE_DIR}/{DB_NAME}*")
