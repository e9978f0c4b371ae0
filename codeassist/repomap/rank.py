"""Personalised PageRank over the file graph, and scores for each definition.

Seeds (the personalisation vector): every file a little, so a request with
no hints shows the most central code; then the files in the chat, the files
the request names, the files defining identifiers it names, and recently
changed files, and files the caller found by the request's words (ranked).
Identifiers the request names also weigh more on the edges.
All iteration is in sorted order and ranks are rounded before any sort, so
the result does not depend on hash seeds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codeassist.repomap.graph import RepoGraph
from codeassist.repomap.mentions import mentioned_files

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
MENTION_BOOST = 10.0  # edge weight multiplier for code-like identifiers the request names
WORD_BOOST = 3.0  # ... and for plain words that happen to be identifiers ("table", "upsert")
_CODE_LIKE = re.compile(r"[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]|\d")
_DECIMALS = 12  # kept before ranks are compared
# Definitions are scored in this many of the best files only: a definition's
# score is bounded by its file's rank, so the rest could not reach a map.
CANDIDATE_FILES = 600
CANDIDATE_DEFS = 12_000  # ... and in no more files than it takes to hold this many definitions


@dataclass(frozen=True)
class Seeds:
    chat: tuple[str, ...] = ()
    query: str = ""
    recent: tuple[str, ...] = ()
    lexical: tuple[str, ...] = ()  # files the caller found by the request's words, best first


@dataclass(frozen=True)
class Ranking:
    file_rank: tuple[float, ...]  # per file index, rounded
    def_score: dict[tuple[int, str], float]  # (file index, identifier) -> score, rounded
    mentioned: frozenset[str]  # code-like identifiers the request names (parse_config, RepoMap)
    words: frozenset[str] = frozenset()  # plain words of the request that are also identifiers


def _round(x: float) -> float:
    # Ranks are at most 1: twelve decimals keep every real difference and drop float noise.
    return round(x, _DECIMALS)


def query_identifiers(query: str, graph: RepoGraph) -> tuple[frozenset[str], frozenset[str]]:
    """Identifiers the request names that the repository defines: (code-like, plain words).

    A code-like name (snake_case, camelCase, digits) is almost surely meant as
    code; a plain word ("table", "raw") may only be English, so it counts less.
    """
    names = {w for w in _IDENT.findall(query) if w in graph.definers}
    strong = frozenset(w for w in names if _CODE_LIKE.search(w))
    return strong, frozenset(names - strong)


def _spread(p: list[float], files: Iterable[int], mass: float) -> None:
    chosen = sorted(set(files))
    for i in chosen:
        p[i] += mass / len(chosen)


def personalization(
    graph: RepoGraph, seeds: Seeds, mentioned: frozenset[str], words: frozenset[str], named: list[int]
) -> list[float]:
    n = len(graph.paths)
    p = [1.0] * n
    _spread(p, graph.positions(seeds.chat), float(n))
    _spread(p, named, float(n))
    _spread(p, (d for name in sorted(mentioned) for d in graph.definers[name]), n / 2)
    _spread(p, (d for name in sorted(words) for d in graph.definers[name]), n / 8)
    _spread(p, graph.positions(seeds.recent), n / 4)
    # Files the caller found by the request's words: the better ones weigh more (1/(i+2)).
    lexical = graph.positions(seeds.lexical)
    total = sum(1.0 / (i + 2) for i in range(len(lexical)))
    for i, f in enumerate(lexical):
        p[f] += n * (1.0 / (i + 2)) / total
    return p


def _pagerank(graph: RepoGraph, changes: dict[tuple[int, int], float], p: list[float]) -> list[float]:
    import rustworkx as rx

    g = graph.digraph
    if changes:
        g = g.copy()
        for (s, d), w in changes.items():
            g.update_edge(s, d, w)
    n = len(graph.paths)
    try:
        ranks = rx.pagerank(g, alpha=0.85, weight_fn=float, personalization=dict(enumerate(p)), max_iter=200)
    except rx.FailedToConverge:
        total = sum(p)
        return [x / total for x in p]
    return [ranks[i] for i in range(n)]


def best_first(graph: RepoGraph, file_rank: Sequence[float], files: list[int]) -> list[int]:
    """``files`` (ascending) by rank, best first, ties by path."""
    if graph.paths_ascending:  # then index order is path order, and a stable sort keeps it for ties
        return sorted(files, key=file_rank.__getitem__, reverse=True)
    return sorted(files, key=lambda f: (-file_rank[f], graph.paths[f]))


def rank(graph: RepoGraph, seeds: Seeds, *, with_defs: bool = True) -> Ranking:
    """File ranks and, when ``with_defs``, a score for (file, identifier) definitions of the best files."""
    n = len(graph.paths)
    if n == 0:
        return Ranking((), {}, frozenset())
    mentioned, words = query_identifiers(seeds.query, graph)
    boosts = {**{w: WORD_BOOST for w in words}, **{m: MENTION_BOOST for m in mentioned}}
    changes: dict[tuple[int, int], float] = {}
    out_weight = list(graph.out_weight)
    for name in sorted(boosts):
        for s, d, w in graph.contribs.get(name, ()):
            extra = w * (boosts[name] - 1.0)
            changes[(s, d)] = changes.get((s, d), graph.digraph.get_edge_data(s, d)) + extra
            out_weight[s] += extra
    named = mentioned_files(seeds.query, graph.paths, graph.path_names)
    ranks = _pagerank(graph, changes, personalization(graph, seeds, mentioned, words, named))
    file_rank = tuple([round(r, _DECIMALS) for r in ranks])
    scores: dict[tuple[int, str], float] = {}
    if with_defs:
        order = best_first(graph, file_rank, [f for f, count in enumerate(graph.ndefs) if count])
        held = 0
        # Files the caller found by the request's words count as named: their own definitions show.
        named_set = set(named) | set(graph.positions(seeds.lexical))
        incoming, boost = graph.incoming, boosts.get
        for f in order[:CANDIDATE_FILES]:
            if held >= CANDIDATE_DEFS:
                break
            held += graph.ndefs[f]
            raw: dict[str, float] = {}
            for name, sources, weights in incoming[f]:
                # Summed in the edges' order, and x * 1.0 is x: the floats do not depend on the boost test.
                total = 0.0
                b = boost(name)
                if b is None:
                    for s, w in zip(sources, weights, strict=True):
                        total = total + ranks[s] * w / out_weight[s]
                else:
                    for s, w in zip(sources, weights, strict=True):
                        total = total + ranks[s] * w * b / out_weight[s]
                raw[name] = total
            defs = graph.defs[f]
            # Definitions nobody references still order by their file's rank, below
            # referenced ones, unless the request names their file: then they count fully.
            floor = ranks[f] / math.sqrt(1 + len(defs)) if f in named_set else ranks[f] * 0.01 / (1 + len(defs))
            for name in sorted({d[0] for d in defs}):
                bonus = 1.0 if name in mentioned else 0.0  # ranks sum to 1: named ones come first
                scores[(f, name)] = _round(raw.get(name, 0.0) + floor + bonus)
    return Ranking(file_rank, scores, mentioned, words)
