"""The repo map: a ranked, budgeted outline of the code that matters for a request.

Callers may rely on:

* :func:`build_repo_map` -> :class:`RepoMap` (text within the token budget,
  its token count, the files shown in rank order);
* :func:`rank_files` -> every indexed file as :class:`RankedFile`, best first;
* both refresh the index first (only changed content is parsed) unless told
  not to, and both are deterministic: the same repository state and request
  give the same result, byte for byte, in any process.

Paths in and out are repository-relative POSIX strings (absolute paths under
the root are accepted as chat files);
``seed_files`` are files the caller found for the request some other way
(its words), best first: they seed the ranking and their definitions show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported lazily at run time: importing the package must stay cheap
    from codeassist.index.cache import IndexCache
    from codeassist.index.indexer import Snapshot
    from codeassist.repomap.graph import RepoGraph
    from codeassist.repomap.rank import Ranking, Seeds
    from codeassist.repomap.render import Item

__all__ = ["RankedFile", "RepoMap", "build_repo_map", "rank_files"]

_SYMBOLS_PER_FILE = 20  # names listed per file by rank_files
T = TypeVar("T")


@dataclass(frozen=True)
class RankedFile:
    path: str
    rank: float
    symbols: tuple[str, ...]


@dataclass(frozen=True)
class RepoMap:
    text: str
    tokens: int
    files: tuple[RankedFile, ...]  # files shown in the text, in rank order
    warnings: tuple[str, ...] = ()


def _relative(root: Path, paths: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(_relative_ordered(root, paths))))


def _relative_ordered(root: Path, paths: Sequence[str]) -> list[str]:
    """``paths`` made repository-relative, in the order given (absolute ones outside the root dropped)."""
    out = []
    for p in paths:
        candidate = Path(p)
        if candidate.is_absolute():
            try:
                candidate = candidate.resolve().relative_to(root)
            except (ValueError, OSError):
                continue
        out.append(candidate.as_posix().removeprefix("./"))
    return out


def _recent_files(root: Path, dirty: Sequence[str], cache: IndexCache | None = None) -> tuple[str, ...]:
    """Dirty files and files touched by the last few commits (none outside git)."""
    from codeassist.repomap.recent import recent_files

    return recent_files(root, dirty, cache)


def _open(root: Path, refresh: bool, files: bool = True) -> tuple[Path, IndexCache, Snapshot]:
    from codeassist.index.indexer import open_snapshot

    root = root.resolve()
    cache, snap = open_snapshot(root, refresh=refresh, files=files)
    return root, cache, snap


def _ranked(cache: IndexCache, snap: Snapshot, seeds: Seeds) -> tuple[RepoGraph, Ranking]:
    """The graph and its ranking for ``seeds``; for seeds without words, both as stored when they are.

    Neither needs the index's file list when stored (the state key vouches for their paths).
    """
    from codeassist.repomap.rank import rank
    from codeassist.repomap.store import graph_for, load_view, save_view, wordless

    if wordless(seeds):
        view = load_view(cache, snap, seeds)
        if view is not None:
            return view
    graph = graph_for(cache, snap)
    ranking = rank(graph, seeds)
    if wordless(seeds):
        save_view(cache, graph, seeds, ranking)
    return graph, ranking


def _seeds(
    root: Path,
    snap: Snapshot,
    chat_files: Sequence[str],
    query: str,
    seed_files: Sequence[str] = (),
    cache: IndexCache | None = None,
) -> Seeds:
    from codeassist.repomap.rank import Seeds

    lexical = tuple(dict.fromkeys(_relative_ordered(root, seed_files)))
    return Seeds(_relative(root, chat_files), query, _recent_files(root, snap.dirty, cache), lexical)


def _round6(x: float) -> float:
    return float(f"{x:.6g}")


def rebuilt_if_damaged(root: Path, run: Callable[[], T]) -> T:
    """``run()``; if it read a damaged part of a stored graph, the graph rebuilt from the index and ``run()`` again.

    The damage shows only when a lazily decoded part is read (ranking, rendering), after the
    row has loaded, so the whole request starts again on the rebuilt graph, which is then
    stored over the damaged one: the next process finds it intact.
    """
    from codeassist.repomap.packed import DamagedGraph

    try:
        return run()
    except DamagedGraph:
        from codeassist.repomap.store import rebuild_graph

        # Rebuilt for the state the first try's refresh recorded (no second git listing for it);
        # the second try then refreshes, or not, as the first did.
        _, cache, snap = _open(root, refresh=False)
        try:
            rebuild_graph(cache, snap)
        finally:
            cache.close()
        return run()


def rank_files(
    root: Path,
    *,
    chat_files: Sequence[str] = (),
    query: str = "",
    seed_files: Sequence[str] = (),
    refresh: bool = True,
) -> list[RankedFile]:
    """Every indexed file, best first, with its most important definitions."""
    return rebuilt_if_damaged(root, lambda: _rank_files(root, chat_files, query, seed_files, refresh))


def _rank_files(
    root: Path, chat_files: Sequence[str], query: str, seed_files: Sequence[str], refresh: bool
) -> list[RankedFile]:
    from codeassist.repomap.rank import rank
    from codeassist.repomap.store import graph_for

    root, cache, snap = _open(root, refresh)
    try:
        graph = graph_for(cache, snap)
        seeds = _seeds(root, snap, chat_files, query, seed_files, cache)
    finally:
        cache.close()
    ranking = rank(graph, seeds)
    order = sorted(range(len(graph.paths)), key=lambda f: (-ranking.file_rank[f], graph.paths[f]))
    out = []
    for f in order:
        names = sorted({d[0] for d in graph.defs.peek(f)}, key=lambda n: (-ranking.def_score.get((f, n), 0.0), n))
        out.append(RankedFile(graph.paths[f], _round6(ranking.file_rank[f]), tuple(names[:_SYMBOLS_PER_FILE])))
    return out


def _best_files(items: Sequence[Item], count: int, order: Callable[[int], tuple[float, str]]) -> list[Item]:
    """The items of the ``count`` best files (by ``order``) among those in ``items``, in their order."""
    kept = set(sorted({it.file for it in items}, key=order)[:count])
    return [it for it in items if it.file in kept]


def _leaders_first(items: Sequence[Item], order: Callable[[int], tuple[float, str]]) -> list[Item]:
    """Each file's best item first, files in ``order``; then the rest as they were.

    A small budget then shows every chosen file (the seeds first) before more
    of any one file's code.
    """
    first: dict[int, Item] = {}
    for it in items:
        first.setdefault(it.file, it)
    leaders = sorted(first.values(), key=lambda it: order(it.file))
    taken = set(leaders)
    return leaders + [it for it in items if it not in taken]


def build_repo_map(
    root: Path,
    *,
    chat_files: Sequence[str] = (),
    query: str = "",
    seed_files: Sequence[str] = (),
    tokens: int = 2048,
    model: str | None = None,
    exclude_chat_files: bool = True,
    refresh: bool = True,
    max_files: int | None = None,
) -> RepoMap:
    """The map of ``root`` for a request, at most ``tokens`` by :func:`estimate_tokens`.

    ``max_files`` caps how many files it shows: the budget left then goes to
    more of those files' definitions instead of more files.
    """
    return rebuilt_if_damaged(
        root,
        lambda: _build_repo_map(
            root, chat_files, query, seed_files, tokens, model, exclude_chat_files, refresh, max_files
        ),
    )


def _build_repo_map(
    root: Path,
    chat_files: Sequence[str],
    query: str,
    seed_files: Sequence[str],
    tokens: int,
    model: str | None,
    exclude_chat_files: bool,
    refresh: bool,
    max_files: int | None,
) -> RepoMap:
    from codeassist.repomap.render import fit, order_items, render_items
    from codeassist.tokens import estimate_tokens

    prefetch = None
    if refresh and (query.strip() or seed_files):  # words: the graph is read while git lists files
        from codeassist.repomap.prefetch import GraphPrefetch

        prefetch = GraphPrefetch(root.resolve())
    root, cache, snap = _open(root, refresh, files=False)  # a stored view needs no file list
    try:
        if prefetch is not None:
            prefetch.use(snap.state_key)
        seeds = _seeds(root, snap, chat_files, query, seed_files, cache)
        graph, ranking = _ranked(cache, snap, seeds)
    finally:
        cache.close()
    hidden = set(graph.positions(seeds.chat)) if exclude_chat_files else set()
    items = order_items(graph, ranking, hidden)

    # Files the caller found by the request's words lead the map, in the caller's order: they
    # hold the files a change needs more often than the graph's picks (BENCHMARKS.md).
    places = ((graph.position(p), i) for i, p in enumerate(dict.fromkeys(seeds.lexical)))
    lead = {f: i for f, i in places if f is not None}

    def order(f: int) -> tuple[float, str]:
        place = lead.get(f)
        return (place - len(lead) - 1.0, "") if place is not None else (-ranking.file_rank[f], graph.paths[f])

    if max_files is not None:
        items = _best_files(items, max_files, order)
    if lead:
        items = _leaders_first(items, order)

    def render(n: int) -> str:
        return render_items(root, graph, items[:n], order)[0]

    n, text, cost = fit(lambda t: estimate_tokens(t, model), render, len(items), tokens)
    shown = render_items(root, graph, items[:n], order)[1] if n else []
    names: dict[int, list[str]] = {f: [] for f in shown}
    for it in items[:n]:
        if it.defn is not None:
            name = graph.defs[it.file][it.defn][0]
            if name not in names[it.file]:
                names[it.file].append(name)
    files = tuple(RankedFile(graph.paths[f], _round6(ranking.file_rank[f]), tuple(names[f])) for f in shown)
    return RepoMap(text, cost, files, snap.warnings)
