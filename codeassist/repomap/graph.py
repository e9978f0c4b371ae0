"""The file graph of one repository state: files linked by identifiers.

A reference in file A to an identifier that file B defines adds weight to
the edge A -> B. Nothing here depends on the request, so one graph serves
every query on the same state (see :func:`codeassist.repomap.store.graph_for`); re-ranking with other
seeds is cheap, rebuilding is not.
"""

from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, overload

from codeassist.index.cache import IndexCache
from codeassist.index.indexer import Snapshot
from codeassist.index.parse import load_defs, load_refs
from codeassist.repomap.mentions import PathNames

# Identifiers defined in more files than this are generic (``get``, ``run``,
# ``__init__``): they link everything to everything, carry little signal and
# would make the graph quadratic in size on large repositories.
MAX_DEFINERS = 10
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z][a-z]")
_GRAPH_CACHE_SIZE = 2

Def = tuple[str, str, int, int, int]  # name, category, line, start_line, end_line
Incoming = tuple[str, tuple[int, ...], tuple[float, ...]]  # identifier, source files, their edges' weights


class LazyDefs(Sequence[tuple[Def, ...]]):
    """Each file's definitions, kept serialized and decoded on first use.

    Ranking needs only names and counts for most files; only the few files
    that can reach a map are ever decoded, which keeps a large graph small.
    """

    def __init__(self, blobs: Sequence[bytes | None]) -> None:
        self._blobs = blobs
        self._decoded: dict[int, tuple[Def, ...]] = {}

    def __len__(self) -> int:
        return len(self._blobs)

    def blobs(self) -> tuple[bytes | None, ...]:
        """The serialized definitions of every file (None: no tags), as stored."""
        return tuple(self._blobs)

    def blob(self, i: int) -> bytes | None:
        """The serialized definitions of file ``i`` (None: no tags)."""
        return self._blobs[i]

    def peek(self, i: int) -> tuple[Def, ...]:
        """Decode without keeping the result (for one pass over every file)."""
        held = self._decoded.get(i)
        if held is not None:
            return held
        blob = self._blobs[i]
        return () if blob is None else tuple(load_defs(blob))

    @overload
    def __getitem__(self, i: int) -> tuple[Def, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[Def, ...]]: ...
    def __getitem__(self, i: int | slice) -> tuple[Def, ...] | Sequence[tuple[Def, ...]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        held = self._decoded.get(i)
        if held is None:
            blob = self._blobs[i]
            held = () if blob is None else tuple(load_defs(blob))
            self._decoded[i] = held
        return held


@dataclass(frozen=True)
class Edges:
    """The graph's weighted links in the order they were first made (PageRank's input order)."""

    src: Sequence[int] = ()
    dst: Sequence[int] = ()
    weight: Sequence[float] = ()

    @classmethod
    def of(cls, base: Mapping[tuple[int, int], float]) -> Edges:
        return cls(tuple(s for s, _ in base), tuple(d for _, d in base), tuple(base.values()))


@dataclass
class RepoGraph:
    """Query-independent data of one repository state (shared, never mutated after build).

    ``definers``, ``contribs`` and ``incoming`` read like dicts and tuples but a
    stored graph decodes only the entries asked for (:mod:`codeassist.repomap.packed`).
    """

    state_key: str
    paths: tuple[str, ...]
    defs: LazyDefs  # per file, in line order
    ndefs: tuple[int, ...]  # per file
    definers: Mapping[str, tuple[int, ...]]  # identifier -> files defining it, ascending
    # identifier -> (source file, target file, weight) for each reference edge it makes
    contribs: Mapping[str, tuple[tuple[int, int, float], ...]]
    # per target file: for each identifier (sorted), the source files and weights of its edges into it
    incoming: Sequence[tuple[Incoming, ...]]
    edges: Edges
    out_weight: tuple[float, ...]
    stored_path_names: PathNames | None = None  # as stored with the graph; else made when first asked
    lines: dict[int, list[str]] = field(default_factory=dict)  # source lines, read when rendered
    parents: dict[int, list[int]] = field(default_factory=dict)  # enclosing definition of each, when rendered

    @cached_property
    def path_names(self) -> PathNames:
        """The files by base name and stem (for the files a request names)."""
        return self.stored_path_names or PathNames.of(self.paths)

    @cached_property
    def index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.paths)}

    def position(self, path: str) -> int | None:
        """The index of ``path`` among the graph's files, or None (no dict of every path when sorted)."""
        if not self.paths_ascending:
            return self.index.get(path)
        i = bisect_left(self.paths, path)
        return i if i < len(self.paths) and self.paths[i] == path else None

    def positions(self, paths: Iterable[str]) -> list[int]:
        """The index of each of ``paths`` that is one of the graph's files, in the order given."""
        found = (self.position(p) for p in paths)
        return [i for i in found if i is not None]

    @cached_property
    def paths_ascending(self) -> bool:
        """Whether the paths are in sorted order (the index's order: then index order is path order)."""
        return all(map(operator.lt, self.paths, self.paths[1:]))

    @cached_property
    def base_edges(self) -> dict[tuple[int, int], float]:
        """(source, target) -> summed weight, in the order the links were made."""
        e = self.edges
        return dict(zip(zip(e.src, e.dst, strict=True), e.weight, strict=True))

    @cached_property
    def digraph(self) -> Any:
        """A rustworkx.PyDiGraph of the links (built when first ranked), copied when a request changes weights."""
        import rustworkx as rx

        digraph = rx.PyDiGraph(multigraph=False)
        digraph.add_nodes_from(range(len(self.paths)))
        e = self.edges
        digraph.add_edges_from(list(zip(e.src, e.dst, e.weight, strict=True)))
        return digraph


def identifier_weight(name: str, n_definers: int, n_referrers: int, n_files: int) -> float:
    """How much one reference to ``name`` says about the files involved.

    Rare identifiers (few files refer to them: an idf-like factor) and long
    compound ones (``parse_config``, ``RepoMap``) say more; private ``_x`` and
    dunder names, very short names and names defined in many files say less.
    """
    w = math.log((n_files + 1) / (n_referrers + 0.5))
    w = max(w, 0.1)
    bare = name.strip("_")
    if name.startswith("__") and name.endswith("__"):
        w *= 0.05
    elif name.startswith("_"):
        w *= 0.1
    if len(bare) >= 8 and ("_" in bare or _CAMEL.search(bare)):
        w *= 3.0
    elif len(bare) <= 2:
        w *= 0.2
    if n_definers > 5:
        w *= 0.1
    return w


def build_graph(cache: IndexCache, snap: Snapshot) -> RepoGraph:
    """Load the tags of every indexed file of ``snap`` and link the files."""
    keys = [(f.blob, f.lang) for f in snap.files]
    raw = cache.tags_for(keys, snap.version)
    paths = tuple(f.path for f in snap.files)
    def_blobs: list[bytes | None] = []
    ndefs: list[int] = []
    definers: dict[str, list[int]] = {}
    stored_refs: list[bytes | None] = []
    for i, key in enumerate(keys):
        stored = raw.get(key)
        if stored is None:
            def_blobs.append(None)
            ndefs.append(0)
            stored_refs.append(None)
            continue
        # Stored in the tags' own order (by line): deterministic, so no sort here.
        defs = load_defs(stored[0])
        def_blobs.append(stored[0])
        ndefs.append(len(defs))
        for name in sorted({d[0] for d in defs}):
            definers.setdefault(name, []).append(i)
        stored_refs.append(stored[1])
    del raw
    # Only references that can make an edge are kept: most name builtins or
    # other packages, and holding them all would double the memory.
    linkable = {name for name, files in definers.items() if len(files) <= MAX_DEFINERS}
    referrers: dict[str, list[tuple[int, int]]] = {}
    for i, blob in enumerate(stored_refs):
        if blob is None:
            continue
        for name, count in load_refs(blob):
            if name in linkable:
                referrers.setdefault(name, []).append((i, count))
    del stored_refs
    n = len(paths)
    contribs: dict[str, tuple[tuple[int, int, float], ...]] = {}
    incoming: list[list[Incoming]] = [[] for _ in range(n)]
    base: dict[tuple[int, int], float] = {}
    for name in sorted(referrers):
        targets = definers[name]
        refs = referrers[name]
        share = identifier_weight(name, len(targets), len(refs), n) / len(targets)
        edges = []
        into: dict[int, tuple[list[int], list[float]]] = {}
        for src, count in refs:
            w = share * math.sqrt(count)
            for dst in targets:
                if src != dst:
                    edges.append((src, dst, w))
                    sources, weights = into.setdefault(dst, ([], []))
                    sources.append(src)
                    weights.append(w)
                    base[(src, dst)] = base.get((src, dst), 0.0) + w
        for dst, (sources, weights) in into.items():
            incoming[dst].append((name, tuple(sources), tuple(weights)))
        if edges:
            contribs[name] = tuple(edges)
    out_weight = [0.0] * n
    for (s, _), w in base.items():
        out_weight[s] += w
    return RepoGraph(
        state_key=snap.state_key,
        paths=paths,
        defs=LazyDefs(def_blobs),
        ndefs=tuple(ndefs),
        definers={k: tuple(v) for k, v in definers.items()},
        contribs=contribs,
        incoming=tuple(tuple(x) for x in incoming),
        edges=Edges.of(base),
        out_weight=tuple(out_weight),
    )


_GRAPHS: OrderedDict[str, RepoGraph] = OrderedDict()


def remembered(state_key: str) -> RepoGraph | None:
    """The graph this process already holds for ``state_key``, if any."""
    graph = _GRAPHS.get(state_key)
    if graph is not None:
        _GRAPHS.move_to_end(state_key)
    return graph


def remember(graph: RepoGraph) -> None:
    """Hold ``graph`` for the rest of the process (the last few states only)."""
    _GRAPHS[graph.state_key] = graph
    while len(_GRAPHS) > _GRAPH_CACHE_SIZE:
        _GRAPHS.popitem(last=False)


def forget_all() -> None:
    """Hold no graph any more (one of them was found damaged)."""
    _GRAPHS.clear()
