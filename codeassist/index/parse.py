"""Turning file contents into cached tag rows, in this process or a pool of them.

Kept apart from the indexer so worker processes import only what parsing
needs. A tags row is stored serialized: ``defs`` as a marshalled list of
``(name, category, line, start_line, end_line)`` and ``refs`` as a marshalled
sorted list of ``(name, count)``; marshal is several times faster to load than
JSON, and its format is part of the tags version (see :func:`tags_version`).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from codeassist.index.cache import BlobRow
from codeassist.index.files import (
    SKIP_PARSE_ERROR,
    SKIP_TIMEOUT,
    SKIP_TOO_LARGE,
    blob_id,
    content_skip_reason,
)

_FORMAT = 1  # bump when the serialized layout of defs/refs changes
_MARSHAL_VERSION = 4
_POOL_MIN_FILES = 96  # below this a pool costs more to start than it saves
_BATCH = 24
_GENERATION_FILES = 1200  # files a worker process parses before it is replaced


@dataclass(frozen=True)
class ParseTask:
    path: str
    lang: str
    blob: str
    verify: bool = False  # the blob id is our own hash: check the file still matches it


@dataclass(frozen=True)
class ParseResult:
    path: str
    row: BlobRow | None  # None when the file vanished before it was read
    defs: bytes | None
    refs: bytes | None
    error: str | None = None  # why a parse failed unexpectedly (reported as a warning)


def _source(module: str) -> Path:
    """Where ``module``'s file is, found without running it (importing the tags code and
    tree_sitter cost a warm process 20 ms it otherwise does not spend)."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"no module named {module}")
    return Path(spec.origin)


@cache
def tags_version() -> str:
    """A digest of everything that decides the tags of a blob: our query files and
    extraction code, the grammar wheels installed, the serialization format."""
    h = hashlib.sha1(f"format={_FORMAT};py={sys.version_info[:2]}".encode())
    tags = _source("codeassist.index.tags")
    here = tags.parent
    # files.py and this module decide which contents are skipped, and the rows record that.
    code = (tags, _source("codeassist.index.languages"), _source("codeassist.index.files"), Path(__file__))
    for source in (*code, *sorted((here / "queries").glob("*.scm"))):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    site = _source("tree_sitter").parent.parent
    try:
        wheels = sorted(n for n in os.listdir(site) if n.startswith("tree_sitter") and n.endswith(".dist-info"))
    except OSError:
        wheels = []
    h.update("\n".join(wheels).encode())
    return h.hexdigest()[:16]


def _serialize(tags: Sequence[object]) -> tuple[bytes, bytes, int, int]:
    defs: list[tuple[str, str, int, int, int]] = []
    refs: dict[str, int] = {}
    for t in tags:
        if t.kind == "def":  # type: ignore[attr-defined]
            defs.append((t.name, t.category, t.line, t.start_line, t.end_line))  # type: ignore[attr-defined]
        else:
            refs[t.name] = refs.get(t.name, 0) + 1  # type: ignore[attr-defined]
    ref_items = sorted(refs.items())
    nrefs = sum(refs.values())
    return marshal.dumps(defs, _MARSHAL_VERSION), marshal.dumps(ref_items, _MARSHAL_VERSION), len(defs), nrefs


def load_defs(raw: bytes) -> list[tuple[str, str, int, int, int]]:
    return marshal.loads(raw)  # type: ignore[no-any-return]


def load_refs(raw: bytes) -> list[tuple[str, int]]:
    return marshal.loads(raw)  # type: ignore[no-any-return]


def _read(root: str, path: str, max_bytes: int) -> tuple[bytes | None, int]:
    """The file's bytes (None past ``max_bytes``) and its size; raise OSError if unreadable."""
    with open(os.path.join(root, path), "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            return None, size
        data = fh.read(max_bytes + 1)
    return (None if len(data) > max_bytes else data), len(data)


def parse_one(root: str, task: ParseTask, max_bytes: int, timeout_ms: int) -> ParseResult:
    """Read (if needed), classify and extract the tags of one file. Never raises for bad input."""
    from codeassist.index.tags import ParseTimeout, extract_tags

    try:
        data, size = _read(root, task.path, max_bytes)
    except (FileNotFoundError, NotADirectoryError):
        return ParseResult(task.path, None, None, None)
    except OSError as exc:
        return ParseResult(task.path, None, None, None, f"{task.path}: {exc.strerror or exc}")
    if task.verify and (data is None or blob_id(data) != task.blob):
        return ParseResult(task.path, None, None, None)  # changed since it was hashed: next refresh
    if data is None:
        return ParseResult(task.path, BlobRow(task.blob, task.lang, size, SKIP_TOO_LARGE, False, 0, 0), None, None)
    skip = content_skip_reason(data, max_bytes=max_bytes)
    try:
        data.decode("utf-8")
        not_utf8 = False
    except UnicodeDecodeError:
        not_utf8 = True
    if skip is not None:
        return ParseResult(task.path, BlobRow(task.blob, task.lang, size, skip, not_utf8, 0, 0), None, None)
    try:
        tags = extract_tags(task.lang, data, timeout_ms=timeout_ms)
    except ParseTimeout:
        return ParseResult(task.path, BlobRow(task.blob, task.lang, size, SKIP_TIMEOUT, not_utf8, 0, 0), None, None)
    except Exception as exc:  # noqa: BLE001 - a grammar or query failure on one file must not stop the index
        row = BlobRow(task.blob, task.lang, size, SKIP_PARSE_ERROR, not_utf8, 0, 0)
        return ParseResult(task.path, row, None, None, f"{task.path}: {type(exc).__name__}: {exc}")
    defs, refs, ndefs, nrefs = _serialize(tags)
    return ParseResult(task.path, BlobRow(task.blob, task.lang, size, None, not_utf8, ndefs, nrefs), defs, refs)


def _size(root: Path, path: str) -> int:
    try:
        return os.stat(os.path.join(root, path)).st_size
    except OSError:
        return 0


def _parse_batch(args: tuple[str, list[ParseTask], int, int]) -> list[ParseResult]:
    root, tasks, max_bytes, timeout_ms = args
    return [parse_one(root, t, max_bytes, timeout_ms) for t in tasks]


def parse_all(
    root: Path,
    tasks: Sequence[ParseTask],
    *,
    max_bytes: int,
    timeout_ms: int,
    jobs: int | None,
    on_batch: Callable[[list[ParseResult]], None],
) -> None:
    """Parse ``tasks``, handing results to ``on_batch`` as they come (in task order)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(tasks) >= _POOL_MIN_FILES:
        # Within each generation, biggest files first, so that no worker is left
        # with a large file while the others idle at its end (longest job first).
        # Sorting across generations would give one generation all the big files
        # and its workers several times the memory.
        tasks = [
            t
            for g in range(0, len(tasks), _GENERATION_FILES)
            for t in sorted(tasks[g : g + _GENERATION_FILES], key=lambda t: (-_size(root, t.path), t.path))
        ]
    batches = [list(tasks[i : i + _BATCH]) for i in range(0, len(tasks), _BATCH)]
    args = [(str(root), b, max_bytes, timeout_ms) for b in batches]
    if workers <= 1 or len(tasks) < _POOL_MIN_FILES:
        for a in args:
            on_batch(_parse_batch(a))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the imported grammars and start in milliseconds.
    ctx = multiprocessing.get_context("fork") if sys.platform != "win32" else None
    # A fresh pool per generation of batches bounds what a worker can
    # accumulate: the tree-sitter binding keeps memory after query matches
    # that use predicate callbacks (about 0.1 MB a file), unbounded otherwise.
    per_generation = max(1, _GENERATION_FILES // _BATCH)
    for g in range(0, len(args), per_generation):
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for results in pool.map(_parse_batch, args[g : g + per_generation]):
                on_batch(results)
