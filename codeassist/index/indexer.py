"""Refreshing the index: list, find what changed, parse only that, record.

:func:`refresh_index` is what commands call; :func:`open_snapshot` gives the
repo map the indexed files of the current state and a way to load their tags.
A file whose content (blob id) and language were parsed before, on any
branch, costs a dictionary look-up; a file git vouches for is never read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from codeassist.errors import GitError, UsageError
from codeassist.index.cache import BlobRow, FileRow, IndexCache
from codeassist.index.files import (
    CACHE_DIR,
    DEFAULT_MAX_FILE_BYTES,
    SKIP_TOO_LARGE,
    SKIP_UNKNOWN_LANGUAGE,
    SKIP_VANISHED,
    FileEntry,
    blob_id,
    dirty_paths,
    git_ls_files,
    is_git_work_tree,
    list_files,
    listing_digest,
    path_skip_reason,
    symlink_skip_reason,
)
from codeassist.index.parse import ParseResult, ParseTask, parse_all, tags_version
from codeassist.index.results import IndexedFile, IndexStats, Snapshot

__all__ = ["IndexStats", "IndexedFile", "Progress", "Snapshot", "open_snapshot", "refresh_index", "with_files"]

Progress = Callable[[int, int], None]  # (files parsed so far, files to parse)

_RACY_SECONDS = 2.0  # a file modified this recently may change again within its mtime granularity
_STORE_EVERY = 2000  # parsed rows written per transaction on cold builds (bounds memory)


@dataclass
class _Pass:
    """Mutable bookkeeping of one refresh."""

    skipped: Counter[str] = field(default_factory=Counter)
    current: dict[str, FileRow] = field(default_factory=dict)
    hashed: set[str] = field(default_factory=set)  # paths whose blob id we computed ourselves
    warnings: list[str] = field(default_factory=list)
    dirty: list[str] = field(default_factory=list)


def _check_root(root: Path) -> Path:
    if not root.is_dir():
        raise UsageError(f"not a directory: {root}")
    return root.resolve()


def _fingerprint(st: os.stat_result, now: float) -> tuple[int | None, int | None, int | None]:
    if now - st.st_mtime < _RACY_SECONDS:
        return None, None, None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _resolve_blob(
    root: Path, entry: FileEntry, lang: str, old: FileRow | None, now: float, max_bytes: int, run: _Pass
) -> FileRow | None:
    """The content blob of a file git does not vouch for: from the stat fingerprint, or by hashing.

    The bytes are not kept (a cold walk of a large tree would hold them all);
    the parser re-reads the file and checks it still has this blob id.
    """
    full = os.path.join(root, entry.path)
    try:
        st = os.stat(full)
        if (
            old is not None
            and old.mtime_ns is not None
            and (old.size, old.mtime_ns, old.ino)
            == (
                st.st_size,
                st.st_mtime_ns,
                st.st_ino,
            )
        ):
            return FileRow(entry.path, old.blob, lang, old.size, old.mtime_ns, old.ino)
        if st.st_size > max_bytes:
            run.skipped[SKIP_TOO_LARGE] += 1
            return None
        with open(full, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        run.skipped[SKIP_VANISHED] += 1
        return None
    except OSError as exc:
        run.skipped[SKIP_VANISHED] += 1
        run.warnings.append(f"{entry.path}: {exc.strerror or exc}")
        return None
    size, mtime_ns, ino = _fingerprint(st, now)
    run.hashed.add(entry.path)
    return FileRow(entry.path, blob_id(data), lang, size, mtime_ns, ino)


def _classify(root: Path, entries: tuple[FileEntry, ...], old: dict[str, FileRow], max_bytes: int, run: _Pass) -> None:
    from codeassist.index.languages import language_for_path

    now = time.time()
    for entry in entries:
        if entry.dirty:
            run.dirty.append(entry.path)
        lang = language_for_path(entry.path)
        reason = SKIP_UNKNOWN_LANGUAGE if lang is None else path_skip_reason(entry.path)
        if reason is None and entry.symlink:
            reason = symlink_skip_reason(root, entry.path)
        if reason is not None or lang is None:
            run.skipped[reason or SKIP_UNKNOWN_LANGUAGE] += 1
            continue
        if entry.blob is not None:
            run.current[entry.path] = FileRow(entry.path, entry.blob, lang)
            continue
        row = _resolve_blob(root, entry, lang, old.get(entry.path), now, max_bytes, run)
        if row is not None:
            run.current[entry.path] = row


def _select_tasks(run: _Pass, blobs: dict[tuple[str, str], BlobRow], max_bytes: int) -> list[ParseTask]:
    """Files whose (blob, language) has no usable row yet, one task per distinct key."""
    tasks: dict[tuple[str, str], ParseTask] = {}
    for path, row in run.current.items():
        key = (row.blob, row.lang)
        known = blobs.get(key)
        if known is not None and not (known.skip == SKIP_TOO_LARGE and known.size <= max_bytes):
            continue
        if key not in tasks:
            tasks[key] = ParseTask(path, row.lang, row.blob, verify=path in run.hashed)
    return list(tasks.values())


def _parse_and_store(
    root: Path,
    cache: IndexCache,
    version: str,
    tasks: list[ParseTask],
    blobs: dict[tuple[str, str], BlobRow],
    run: _Pass,
    *,
    max_bytes: int,
    timeout_ms: int,
    jobs: int | None,
    progress: Progress | None,
) -> None:
    buffer: list[tuple[BlobRow, bytes | None, bytes | None]] = []
    done = 0
    if progress is not None:
        progress(0, len(tasks))

    def on_batch(results: list[ParseResult]) -> None:
        nonlocal done
        for res in results:
            if res.error:
                run.warnings.append(res.error)
            if res.row is None:  # vanished or changed while read: drop this path, keep no row
                run.current.pop(res.path, None)
                run.skipped[SKIP_VANISHED] += 1
                continue
            blobs[(res.row.blob, res.row.lang)] = res.row
            buffer.append((res.row, res.defs, res.refs))
        done += len(results)
        if len(buffer) >= _STORE_EVERY:
            cache.store(version, buffer, (), (), {})
            buffer.clear()
        if progress is not None:
            progress(done, len(tasks))

    parse_all(root, tasks, max_bytes=max_bytes, timeout_ms=timeout_ms, jobs=jobs, on_batch=on_batch)
    if buffer:
        cache.store(version, buffer, (), (), {})


def _state_key(version: str, files: list[IndexedFile]) -> str:
    h = hashlib.sha1(version.encode())
    for f in files:
        h.update(f"{f.path}\0{f.blob}\0{f.lang}\n".encode())
    return h.hexdigest()


def _listing_key(digest: str | None, version: str, max_bytes: int) -> str | None:
    if digest is None:
        return None
    return hashlib.sha1(f"{digest}\0{version}\0{max_bytes}".encode()).hexdigest()


def _unchanged(root: Path, cache: IndexCache, dirty: list[str], key: str | None) -> dict[str, Any] | None:
    """The counts of the last refresh if nothing changed since: the same ``git ls-files``
    output and every indexable file git does not vouch for still has its recorded
    stat fingerprint. Only the dirty files are looked at, never the whole listing."""
    from codeassist.index.languages import language_for_path

    if key is None or cache.get_meta("listing_key") != key:
        return None
    raw = cache.get_meta("last_counts")
    if raw is None:
        return None
    relevant = [p for p in dirty if language_for_path(p) is not None and path_skip_reason(p) is None]
    stored = cache.fingerprints(relevant)
    for path in relevant:
        fp = stored.get(path)
        if fp is None or fp[0] is None:
            return None
        try:
            st = os.stat(os.path.join(root, path))
        except OSError:
            return None
        if fp != (st.st_size, st.st_mtime_ns, st.st_ino):
            return None
    counts: dict[str, Any] = json.loads(raw)
    return counts


def _git_output(root: Path) -> bytes | None:
    """Raw ``git ls-files`` output, or None outside git (a plain walk lists the files)."""
    if not is_git_work_tree(root):
        return None
    try:
        return git_ls_files(root)
    except GitError:
        return None


def _stats(counts: dict[str, Any], cache: IndexCache, timings: dict[str, float], warnings: list[str]) -> IndexStats:
    return IndexStats(
        files=counts["files"],
        languages=counts["languages"],
        defs=counts["defs"],
        refs=counts["refs"],
        skipped=counts["skipped"],
        not_utf8=counts["not_utf8"],
        parsed=counts["parsed"],
        reused=counts["reused"],
        git=counts["git"],
        cache_path=f"{CACHE_DIR}/index.sqlite" if cache.path is not None else None,
        cache_bytes=cache.size_bytes(),
        timings={k: round(v, 4) for k, v in timings.items()},
        warnings=_capped(warnings),
    )


def _refresh(
    root: Path,
    cache: IndexCache,
    *,
    progress: Progress | None,
    jobs: int | None,
    max_bytes: int,
    timeout_ms: int,
    force: bool = False,
) -> tuple[IndexStats, Snapshot | None, tuple[str, ...]]:
    """Refresh; also the dirty paths, and the snapshot unless nothing changed
    (then read it with :func:`_stored_snapshot`)."""
    t0 = time.perf_counter()
    version = tags_version()
    out = _git_output(root)
    key = None if out is None else _listing_key(listing_digest(root, out), version, max_bytes)
    if out is not None and not force:
        dirty_now = dirty_paths(out)
        same = _unchanged(root, cache, dirty_now, key)
        if same is not None:
            t = time.perf_counter()
            timings = {"list": t - t0, "hash": 0.0, "parse": 0.0, "store": 0.0, "total": t - t0}
            same.update(parsed=0, reused=same["files"])
            return _stats(same, cache, timings, list(cache.warnings)), None, tuple(dirty_now)
    listing = list_files(root, git=out is not None, git_output=out)
    t_list = time.perf_counter()
    previous_version = cache.get_meta("tags_version")
    run = _Pass(skipped=Counter(reason for _, reason in listing.skipped), warnings=list(cache.warnings))
    old = cache.file_rows()
    blobs = cache.blob_rows(version)
    _classify(root, listing.entries, old, max_bytes, run)
    t_hash = time.perf_counter()
    tasks = _select_tasks(run, blobs, max_bytes)
    _parse_and_store(
        root, cache, version, tasks, blobs, run,
        max_bytes=max_bytes, timeout_ms=timeout_ms, jobs=jobs, progress=progress,
    )
    t_parse = time.perf_counter()
    indexed, counts = _tally(run, blobs, max_bytes)
    counts.update(skipped=dict(sorted(run.skipped.items())), git=listing.git)
    upserts = [row for path, row in run.current.items() if old.get(path) != row]
    deletes = sorted(set(old) - set(run.current))
    state = _state_key(version, indexed)
    meta = {"state_key": state, "tags_version": version, "last_counts": json.dumps(counts)}
    # A listing with racy (unfingerprinted) files must be looked at again next time.
    racy = any(run.current[p].mtime_ns is None for p in run.hashed if p in run.current)
    meta["listing_key"] = "" if key is None or racy or run.warnings else key
    cache.store(version, (), upserts, deletes, meta)
    if len(blobs) > 4 * len(run.current) + 5000 or previous_version not in (None, version):
        cache.prune(version, {(r.blob, r.lang) for r in run.current.values()}, 2 * len(run.current) + 1000)
    t_store = time.perf_counter()
    timings = {
        "list": t_list - t0,
        "hash": t_hash - t_list,
        "parse": t_parse - t_hash,
        "store": t_store - t_parse,
        "total": t_store - t0,
    }
    counts.update(parsed=len(tasks), reused=len(run.current) - len(tasks))
    snap = Snapshot(tuple(indexed), tuple(sorted(run.dirty)), state, version, _capped(run.warnings))
    run.warnings.extend(cache.write_errors)
    return _stats(counts, cache, timings, run.warnings), snap, snap.dirty


def _capped(warnings: list[str], limit: int = 5) -> tuple[str, ...]:
    """The first few warnings and a count of the rest: one broken grammar must not flood the terminal."""
    if len(warnings) <= limit:
        return tuple(warnings)
    return (*warnings[:limit], f"... and {len(warnings) - limit} more like these")


def _tally(
    run: _Pass, blobs: dict[tuple[str, str], BlobRow], max_bytes: int
) -> tuple[list[IndexedFile], dict[str, Any]]:
    """Indexed files in path order, and the counts --stats reports; adds content skips to ``run``."""
    languages: Counter[str] = Counter()
    defs = refs = not_utf8 = 0
    indexed: list[IndexedFile] = []
    for path in sorted(run.current):
        row = run.current[path]
        b = blobs.get((row.blob, row.lang))
        if b is None:  # its parse result vanished with another path; count it once here
            continue
        skip = SKIP_TOO_LARGE if b.size > max_bytes else b.skip
        not_utf8 += b.not_utf8
        if skip is not None:
            run.skipped[skip] += 1
            continue
        languages[row.lang] += 1
        defs += b.ndefs
        refs += b.nrefs
        indexed.append(IndexedFile(path, row.lang, row.blob))
    counts = {"files": len(indexed), "languages": dict(sorted(languages.items()))}
    return indexed, {**counts, "defs": defs, "refs": refs, "not_utf8": not_utf8}


def refresh_index(
    root: Path,
    *,
    progress: Progress | None = None,
    jobs: int | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    timeout_ms: int = 5000,
) -> IndexStats:
    """Bring the index of ``root`` up to date, parsing only content not seen before.

    ``progress(done, total)`` is called as files are parsed; ``jobs`` caps the
    worker processes (default: one per core). Never fails because of the cache
    or of a bad file: those come back as ``warnings`` and ``skipped`` counts.
    """
    root = _check_root(root)
    cache = IndexCache.open(root)
    try:
        cache, (stats, _, _) = _guarded(
            cache,
            lambda c: _refresh(
                root, c, progress=progress, jobs=jobs, max_bytes=max_file_bytes, timeout_ms=timeout_ms
            ),
        )
    finally:
        cache.close()
    return stats


_T = TypeVar("_T")


def _guarded(cache: IndexCache, work: Callable[[IndexCache], _T]) -> tuple[IndexCache, _T]:
    """Run ``work``; if the cache file turns out corrupt mid-way (SQLite reports it
    only when it reads a bad page), run it again on an in-memory cache, with a warning."""
    try:
        return cache, work(cache)
    except sqlite3.DatabaseError as exc:
        cache.close()
        spare = IndexCache.in_memory(f"index cache is damaged ({exc}); using a temporary in-memory index")
        return spare, work(spare)


def _stored_snapshot(
    cache: IndexCache, version: str, dirty: tuple[str, ...] = (), *, files: bool = True
) -> Snapshot | None:
    """The indexed files recorded by the last refresh, or None if there is no usable record.

    With ``files=False`` the file list is not read (on a large tree that is most of a warm
    start): the snapshot says so (``listed``) and :func:`with_files` reads it when needed.
    """
    state = cache.get_meta("state_key")
    if state is None or cache.get_meta("tags_version") != version:
        return None
    if not files:
        return Snapshot((), dirty, state, version, cache.warnings, listed=False)
    indexed = tuple(IndexedFile(*row) for row in cache.indexed_files(version))
    return Snapshot(indexed, dirty, state, version, cache.warnings)


def with_files(cache: IndexCache, snap: Snapshot) -> Snapshot:
    """``snap`` with its indexed files read, if :func:`open_snapshot` left them out."""
    if snap.listed:
        return snap
    import dataclasses

    indexed = tuple(IndexedFile(*row) for row in cache.indexed_files(snap.version))
    return dataclasses.replace(snap, files=indexed, listed=True)


def _refresh_default(
    root: Path, cache: IndexCache, *, force: bool
) -> tuple[IndexStats, Snapshot | None, tuple[str, ...]]:
    return _refresh(
        root, cache, progress=None, jobs=None, max_bytes=DEFAULT_MAX_FILE_BYTES, timeout_ms=5000, force=force
    )


def open_snapshot(root: Path, *, refresh: bool = True, files: bool = True) -> tuple[IndexCache, Snapshot]:
    """The cache (caller closes it) and the indexed files of ``root``.

    With ``refresh=False`` the state recorded by the last refresh is used as is
    (a refresh happens anyway when there is none). With ``files=False`` the file
    list may be left out when nothing changed (see :func:`with_files`).
    """
    root = _check_root(root)
    cache = IndexCache.open(root)
    try:
        version = tags_version()
        snap = None if refresh else _stored_snapshot(cache, version, files=files)
        for force in (False, True):
            if snap is not None:
                break
            # force: the record vanished under us (another process rebuilt the cache)
            cache, (_, snap, dirty) = _guarded(cache, functools.partial(_refresh_default, root, force=force))
            snap = snap or _stored_snapshot(cache, version, dirty, files=files)
        assert snap is not None  # a forced refresh always returns one
        return cache, snap
    except BaseException:
        cache.close()
        raise
