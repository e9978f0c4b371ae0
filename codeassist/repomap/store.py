"""The repo map's query-independent data, kept in the index cache between processes.

Two kinds of rows, both keyed by the index's state key (which changes exactly
when a path, its content or the tags version changes):

* ``graph``: the whole file graph (:class:`~codeassist.repomap.graph.RepoGraph`
  without its rustworkx copy, built from the edges when first ranked). A
  request with words re-ranks on it. The parts a request reads only a little
  of (each file's definitions and incoming links, each identifier's definers
  and links, the files by base name and stem) stay serialised per entry and
  are decoded when read (:mod:`codeassist.repomap.packed`); neither needs the
  index's file list, since the state key vouches for the paths.
* ``view``: the ranking for seeds without words (no query, no lexical seeds:
  what ``codeassist map`` shows), with the definitions of the files it
  scored. A map for those seeds then needs neither the graph nor a PageRank.

Rows are ``marshal`` data tagged with :data:`FORMAT` and the Python version
(marshal's format may change between versions). Anything that does not load
or does not match the snapshot's files is treated as absent, so the caller
rebuilds it and stores it again: a damaged or old row is never fatal. A view
row carries a CRC-32 of its bytes, checked when loaded (it is small, and all
of it is used); the graph's lazily decoded parts carry one each, checked when
read (:class:`~codeassist.repomap.packed.DamagedGraph`: the map then calls
:func:`rebuild_graph` and starts again). Floats
round-trip exactly, and dicts keep their order, so a stored graph renders the
same bytes as a freshly built one.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import zlib
from array import array
from typing import Any

from codeassist.index.cache import IndexCache
from codeassist.index.results import Snapshot
from codeassist.repomap.graph import Edges, LazyDefs, RepoGraph, build_graph, forget_all, remember, remembered
from codeassist.repomap.mentions import PathNames
from codeassist.repomap.packed import Decoded, NameTable, Records, Table, pack, pack_names, pack_table
from codeassist.repomap.rank import Ranking, Seeds

__all__ = [
    "FORMAT",
    "graph_for",
    "load_graph",
    "load_view",
    "rebuild_graph",
    "save_graph",
    "save_view",
    "seeds_key",
    "wordless",
]

# 4: a CRC-32 per record and bucket, and one per view row.
FORMAT = f"4:py{sys.version_info[0]}.{sys.version_info[1]}:m{marshal.version}:{sys.byteorder}"
_VIEWS_KEPT = 4  # rankings kept for the current state (chat files or recent files differ)


def wordless(seeds: Seeds) -> bool:
    """Seeds whose ranking depends on the repository state alone (and the chat and recent files)."""
    return not seeds.query.strip() and not seeds.lexical


def seeds_key(seeds: Seeds) -> str:
    return hashlib.sha1(marshal.dumps((seeds.chat, seeds.query, seeds.recent, seeds.lexical))).hexdigest()


def graph_for(cache: IndexCache, snap: Snapshot) -> RepoGraph:
    """The graph of ``snap``'s state: held by this process, stored in the cache, or built (and stored)."""
    graph = remembered(snap.state_key)
    if graph is None:
        graph = load_graph(cache, snap)
        if graph is None:
            from codeassist.index.indexer import with_files

            graph = build_graph(cache, with_files(cache, snap))
            save_graph(cache, graph)
        remember(graph)
    return graph


def rebuild_graph(cache: IndexCache, snap: Snapshot) -> RepoGraph:
    """The graph of ``snap``'s state built from the index, stored over a damaged one and held.

    Every graph this process held is forgotten first: the damaged one may be among them.
    """
    from codeassist.index.indexer import with_files

    forget_all()
    graph = build_graph(cache, with_files(cache, snap))
    save_graph(cache, graph)
    remember(graph)
    return graph


def _array(code: str, raw: bytes) -> array[Any]:
    out = array(code)
    out.frombytes(raw)
    return out


def save_graph(cache: IndexCache, graph: RepoGraph) -> None:
    # Parts a request reads a little of stay serialised (codeassist.repomap.packed): a warm
    # process decodes the paths and counts, and only the entries the request asks for.
    defs = pack(graph.defs.blobs())
    incoming = pack([marshal.dumps(x) for x in graph.incoming])
    buckets, linked = pack_names(graph.definers, graph.contribs)
    bases, stems = PathNames.tables(graph.paths)
    e = graph.edges
    data = marshal.dumps(
        (
            graph.paths,
            graph.ndefs,
            graph.out_weight,
            defs,
            incoming,
            buckets,
            len(graph.definers),
            linked,
            pack_table(bases),
            pack_table(stems),
            array("q", e.src).tobytes(),
            array("q", e.dst).tobytes(),
            array("d", e.weight).tobytes(),
        )
    )
    cache.put_graph(graph.state_key, "graph", "", FORMAT, data)


def load_graph(cache: IndexCache, snap: Snapshot) -> RepoGraph | None:
    """The stored graph of ``snap``'s state, or None (absent, old format, damaged).

    The paths are the stored ones: the state key vouches for them, so ``snap``
    need not have read its file list.
    """
    data = cache.get_graph(snap.state_key, "graph", "", FORMAT)
    if data is None:
        return None
    try:
        paths, ndefs, out_weight, defs, incoming, buckets, names, linked, bases, stems, *edges = marshal.loads(data)
        n = len(paths)
        if not isinstance(paths, tuple) or (snap.listed and paths != tuple(f.path for f in snap.files)):
            return None
        def_records, in_records = Records(*defs), Records(*incoming)
        src, dst, weight = (_array(code, raw) for code, raw in zip("qqd", edges, strict=True))
        if not len(ndefs) == len(out_weight) == len(def_records) == len(in_records) == n:
            return None
        if not len(src) == len(dst) == len(weight) or not isinstance(names, int) or not isinstance(linked, tuple):
            return None
        if src and (min(src) < 0 or min(dst) < 0 or max(src) >= n or max(dst) >= n):
            return None
        if not def_records.whole() or not in_records.whole():
            return None
        table = NameTable(buckets, names, linked)
        path_names = PathNames(Table(bases), Table(stems))
    except (ValueError, EOFError, TypeError, OverflowError):
        return None
    return RepoGraph(
        state_key=snap.state_key,
        paths=paths,
        defs=LazyDefs(def_records),
        ndefs=ndefs,
        definers=table.definers,
        contribs=table.contribs,
        incoming=Decoded(in_records, marshal.loads, ()),
        edges=Edges(src, dst, weight),
        out_weight=out_weight,
        stored_path_names=path_names,
    )


def save_view(cache: IndexCache, graph: RepoGraph, seeds: Seeds, ranking: Ranking) -> None:
    scored = sorted({f for f, _ in ranking.def_score})
    data = marshal.dumps(
        (
            graph.paths,
            graph.ndefs,
            ranking.file_rank,
            ranking.def_score,
            tuple(sorted(ranking.mentioned)),
            tuple(sorted(ranking.words)),
            {f: graph.defs.blob(f) for f in scored},
        )
    )
    data = zlib.crc32(data).to_bytes(4, "little") + data
    cache.put_graph(graph.state_key, "view", seeds_key(seeds), FORMAT, data, keep=_VIEWS_KEPT)


def load_view(cache: IndexCache, snap: Snapshot, seeds: Seeds) -> tuple[RepoGraph, Ranking] | None:
    """A graph holding what a map needs for ``seeds`` (no links) and its ranking, or None.

    The paths are the stored ones: the state key vouches for them, so ``snap``
    need not have read its file list.

    The graph's definitions are there for the files the ranking scored only:
    enough to render the map, not to rank again.
    """
    data = cache.get_graph(snap.state_key, "view", seeds_key(seeds), FORMAT)
    if data is None or zlib.crc32(data[4:]) != int.from_bytes(data[:4], "little"):
        return None
    try:
        paths, ndefs, file_rank, def_score, mentioned, words, held = marshal.loads(data[4:])
        n = len(paths)
        if not isinstance(paths, tuple) or (snap.listed and paths != tuple(f.path for f in snap.files)):
            return None
        if len(ndefs) != n or len(file_rank) != n or not isinstance(def_score, dict) or not isinstance(held, dict):
            return None
        if any(not 0 <= f < n for f in held) or any(f not in held for f, _ in def_score):
            return None
    except (ValueError, EOFError, TypeError, OverflowError):
        return None
    blobs: list[bytes | None] = [None] * n
    for f, blob in held.items():
        blobs[f] = blob
    graph = RepoGraph(
        state_key=snap.state_key,
        paths=paths,
        defs=LazyDefs(blobs),
        ndefs=ndefs,
        definers={},
        contribs={},
        incoming=(),
        edges=Edges(),
        out_weight=(),
    )
    return graph, Ranking(file_rank, def_score, frozenset(mentioned), frozenset(words))
