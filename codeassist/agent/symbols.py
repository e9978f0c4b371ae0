"""``find_symbol``, ``find_references`` and ``repo_map``: the tree-sitter index as tools.

Definitions come from the index's tags (name, kind, line span), references
from its reference counts (which files use a name), located to the line by a
word match in those files. Files are ranked by the repo map's importance
(personalised PageRank seeded by the name asked for), so the code that
matters comes first. The index holds only what the file rule shows, so a
hidden file is never named here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from codeassist.agent.result import ToolResult, bounded

if TYPE_CHECKING:
    from codeassist.repomap.graph import RepoGraph
    from codeassist.repomap.rank import Ranking

MAX_DEFINITIONS = 30
MAX_REFERENCES = 60
MAX_PER_FILE = 8
MAX_SIGNATURE_LINES = 6
DEFAULT_MAP_TOKENS = 2048
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


def _graph(root: Path, refresh: bool) -> RepoGraph:
    from codeassist.index.indexer import open_snapshot
    from codeassist.repomap.store import graph_for

    # Refreshed when the files may have changed since the last look (the model's own edits are indexed at once).
    cache, snap = open_snapshot(root, refresh=refresh)
    try:
        return graph_for(cache, snap)
    finally:
        cache.close()


def _ranked(graph: RepoGraph, query: str) -> Ranking:
    from codeassist.repomap.rank import Seeds, rank

    return rank(graph, Seeds(query=query), with_defs=False)


def _by_importance(graph: RepoGraph, name: str, files: list[int]) -> list[int]:
    """``files`` (graph indices) most important first; one file needs no ranking (a PageRank of the whole graph)."""
    if len(files) <= 1:
        return files
    ranking = _ranked(graph, name)
    return sorted(files, key=lambda f: (-ranking.file_rank[f], graph.paths[f]))


def _lines(root: Path, rel: str) -> list[str]:
    try:
        return (root / rel).read_bytes().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def _signature(lines: list[str], line: int, end: int) -> str:
    """The definition's first line and, while its brackets stay open, the next ones."""
    out: list[str] = []
    depth = 0
    for ln in range(line, min(end, line + MAX_SIGNATURE_LINES - 1, len(lines) - 1) + 1):
        text = lines[ln].rstrip()
        out.append(text.strip() if not out else "    " + text.strip())
        depth += text.count("(") + text.count("[") - text.count(")") - text.count("]")
        if depth <= 0:
            break
    return " ".join(out)[:300]


def _bad_name(name: str) -> ToolResult | None:
    if not _IDENT.match(name.strip()):
        return ToolResult.error(f"{name!r} is not an identifier; use search for text or patterns")
    return None


def find_symbol(root: Path, name: str, *, refresh: bool = True) -> ToolResult:
    if (bad := _bad_name(name)) is not None:
        return bad
    from codeassist.repomap import rebuilt_if_damaged

    # A stored graph damaged where only a look-up decodes it is rebuilt, as for the map.
    return rebuilt_if_damaged(root, lambda: _find_symbol(root, name.strip(), refresh))


def _find_symbol(root: Path, name: str, refresh: bool) -> ToolResult:
    graph = _graph(root, refresh)
    files = graph.definers.get(name, ())
    if not files:
        return ToolResult(
            f"no definition of {name} in the index (it may come from a dependency); "
            "find_references or search can show where it is used",
            f"{name}: not defined in the repository",
        )
    order = _by_importance(graph, name, list(files))
    out: list[str] = []
    for f in order:
        if len(out) >= MAX_DEFINITIONS:
            break  # the files after these are not read at all
        lines = _lines(root, graph.paths[f])
        for d in graph.defs[f]:
            if d[0] == name and len(out) < MAX_DEFINITIONS:
                sig = _signature(lines, d[2], d[4]) if d[2] < len(lines) else name
                out.append(f"{graph.paths[f]}:{d[2] + 1}: {sig}  ({d[1]}, lines {d[3] + 1}-{d[4] + 1})")
    more = (
        f"\n[{len(files)} files define it; the first {MAX_DEFINITIONS} definitions are shown]"
        if len(out) >= MAX_DEFINITIONS
        else ""
    )
    return ToolResult("\n".join(out) + more, f"{name}: {len(out)} definition(s) in {len(files)} file(s)")


def find_references(root: Path, name: str, *, refresh: bool = True) -> ToolResult:
    if (bad := _bad_name(name)) is not None:
        return bad
    from codeassist.repomap import rebuilt_if_damaged

    # A stored graph damaged where only a look-up decodes it is rebuilt, as for the map.
    return rebuilt_if_damaged(root, lambda: _find_references(root, name.strip(), refresh))


def _find_references(root: Path, name: str, refresh: bool) -> ToolResult:
    graph = _graph(root, refresh)
    users = _users(root, graph, name)
    word = re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])")
    index = graph.index
    order = [graph.paths[f] for f in _by_importance(graph, name, [index[p] for p in users if p in index])]
    out: list[str] = []
    files_with = 0
    for rel in order:
        defined_at = {d[2] for d in graph.defs[index[rel]] if d[0] == name} if rel in index else set()
        found = [(n, t) for n, t in enumerate(_lines(root, rel)) if n not in defined_at and word.search(t)]
        if not found:
            continue
        files_with += 1
        for n, text in found[:MAX_PER_FILE]:
            out.append(f"{rel}:{n + 1}: {text.strip()[:200]}")
        if len(found) > MAX_PER_FILE:
            out.append(f"{rel}: [{len(found) - MAX_PER_FILE} more in this file]")
        if len(out) >= MAX_REFERENCES:
            out.append("[more files use it; search with a glob narrows them]")
            break
    if not out:
        return ToolResult(f"no references to {name} in the indexed files", f"{name}: no references")
    return ToolResult(bounded("\n".join(out)), f"{name}: references in {files_with} file(s)")


def _users(root: Path, graph: RepoGraph, name: str) -> list[str]:
    """The indexed files whose references name ``name`` (the index counts them per file).

    For a name the graph links (defined in a few files), its edges say who refers to it, and the
    defining files may use it themselves; other names (from dependencies, or defined everywhere)
    need a pass over every file's stored references.
    """
    edges = graph.contribs.get(name)
    if edges is not None:
        files = {src for src, _, _ in edges} | set(graph.definers.get(name, ()))
        return sorted(graph.paths[f] for f in files)
    from codeassist.index.indexer import open_snapshot
    from codeassist.index.parse import load_refs

    cache, snap = open_snapshot(root, refresh=False)
    try:
        stored = cache.tags_for([(f.blob, f.lang) for f in snap.files], snap.version)
        needle = name.encode("utf-8")
        out = []
        for f in snap.files:
            tags = stored.get((f.blob, f.lang))
            # The serialized refs hold each name as bytes: skip the decode for files that cannot match.
            if tags is not None and needle in tags[1] and any(n == name for n, _ in load_refs(tags[1])):
                out.append(f.path)
        return out
    finally:
        cache.close()


def repo_map(
    root: Path,
    query: str = "",
    path_prefix: str = "",
    tokens: int | None = None,
    *,
    model: str | None = None,
    refresh: bool = True,
) -> ToolResult:
    """The map ranked for ``query``, of the files under ``path_prefix`` only when given."""
    from codeassist.repomap.rank import Seeds, rank
    from codeassist.repomap.render import fit, order_items, render_items
    from codeassist.tokens import estimate_tokens

    budget = min(8192, max(256, tokens or DEFAULT_MAP_TOKENS))
    prefix = path_prefix.strip().strip("/")
    graph = _graph(root, refresh)
    inside = [f for f, p in enumerate(graph.paths) if not prefix or p == prefix or p.startswith(prefix + "/")]
    if not inside:
        return ToolResult.error(f"no indexed file under {prefix!r}; list_files shows the repository's directories")
    keep = set(inside)
    ranking = rank(graph, Seeds(query=query, lexical=tuple(graph.paths[f] for f in inside) if prefix else ()))
    items = [it for it in order_items(graph, ranking, set()) if it.file in keep]

    def order(f: int) -> tuple[float, str]:
        return (-ranking.file_rank[f], graph.paths[f])

    n, text, cost = fit(
        lambda t: estimate_tokens(t, model),
        lambda k: render_items(root, graph, items[:k], order)[0],
        len(items),
        budget,
    )
    if not n:
        return ToolResult.error(
            f"the map does not fit in {budget} tokens; ask for more tokens or a narrower path_prefix"
        )
    where = f" under {prefix}" if prefix else ""
    files = len({it.file for it in items[:n]})
    return ToolResult(text, f"map{where}: {files} file(s), {cost} tokens")
