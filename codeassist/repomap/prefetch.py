"""Reading the stored graph while git lists the work tree.

A warm map for a request with words reads the stored graph of the
repository's state, and which state that is the index's refresh says only
after git's listing (0.45 s at 100k files, in git's own processes). So the
graph of the state the last refresh recorded is read meanwhile, on a thread
with its own read-only connection, and is used only if the refresh ends in
that same state: a change the refresh finds costs the read and nothing else.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from codeassist.index.cache import IndexCache
from codeassist.index.results import Snapshot
from codeassist.repomap.graph import RepoGraph, remember, remembered


class GraphPrefetch:
    """A read of the last recorded state's stored graph, started at once; :meth:`use` waits for it."""

    def __init__(self, root: Path) -> None:
        self._graphs: list[RepoGraph] = []
        self._thread = threading.Thread(target=self._read, args=(root,), daemon=True)
        self._thread.start()

    def _read(self, root: Path) -> None:
        from codeassist.repomap.store import load_graph

        cache = IndexCache.open_read_only(root)
        if cache is None:
            return
        try:
            state = cache.get_meta("state_key")
            if state is None or remembered(state) is not None:  # this process already holds it
                return
            graph = load_graph(cache, Snapshot((), (), state, "", listed=False))
            if graph is not None:
                self._graphs.append(graph)
        except sqlite3.Error:
            return  # only a head start: the map reads the graph itself
        finally:
            cache.close()

    def use(self, state_key: str) -> None:
        """Hold the graph read for the process (see :func:`remember`) if it is ``state_key``'s."""
        self._thread.join()
        for graph in self._graphs:
            if graph.state_key == state_key:
                remember(graph)
