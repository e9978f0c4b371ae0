"""A stored graph damaged inside a lazily decoded part: the map and context still give the cold bytes.

Loading a stored graph checks the row's shape; the parts a request reads a
little of (each file's definitions and incoming links, the identifiers'
buckets, the files by base name) are decoded only when ranked or rendered.
Each is damaged here by one byte inside a real stored row whose outer
marshal still loads, once so that it no longer decodes and once so that it
decodes to other values (a changed name): both must be caught and rebuilt.
"""

from __future__ import annotations

import marshal
import sqlite3
import subprocess
import sys
from array import array
from pathlib import Path

import pytest
from repomap_fixture import make_shop_with_plugins

from codeassist.index.indexer import open_snapshot
from codeassist.repomap import build_repo_map, rank_files
from codeassist.repomap.graph import _GRAPHS, remembered
from codeassist.repomap.packed import _bucket
from codeassist.repomap.prefetch import GraphPrefetch
from codeassist.repomap.store import load_graph

QUERY = "apply_discount to the ShoppingCart total in cart.py"
NAME = b"ShoppingCart"
# Where each lazily decoded part sits in the stored graph row (codeassist.repomap.store.save_graph).
RECORDS = {"definitions": 3, "incoming": 4}
TABLES = {"names": 5, "bases": 8}


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return make_shop_with_plugins(git_repo)


def stored_row(root: Path) -> bytes:
    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        (data,) = conn.execute("SELECT data FROM graphs WHERE kind = 'graph'").fetchone()
    finally:
        conn.close()
    return bytes(data)


def replace_row(root: Path, data: bytes) -> None:
    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        conn.execute("UPDATE graphs SET data = ? WHERE kind = 'graph'", (data,))
        conn.execute("DELETE FROM graphs WHERE kind = 'view'")  # the map must read the graph
        conn.commit()
    finally:
        conn.close()


def flip(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 0x20]) + raw[at + 1 :]


def damage(root: Path, part: str, how: str) -> None:
    """One byte flipped inside ``part`` of the stored graph: its first byte ("code": it no longer
    decodes) or a letter of a name it holds ("name": it decodes, to something else)."""
    parts = list(marshal.loads(stored_row(root)))
    paths: tuple[str, ...] = parts[0]
    if part in RECORDS:
        data, bounds_raw, missing, crcs = parts[RECORDS[part]]
        bounds = array("q")
        bounds.frombytes(bounds_raw)
        f = paths.index("shop/cart.py")
        start, end = bounds[f], bounds[f + 1]
        at = start if how == "code" else data.index(NAME, start, end) + 1
        parts[RECORDS[part]] = (flip(data, at), bounds_raw, missing, crcs)
    else:
        buckets = list(parts[TABLES[part]])
        key = "ShoppingCart" if part == "names" else "cart.py"
        b = _bucket(key, len(buckets))
        at = 4 if how == "code" else buckets[b].index(key.encode()) + 1  # 4: after the bucket's CRC
        buckets[b] = flip(buckets[b], at)
        parts[TABLES[part]] = tuple(buckets)
    replace_row(root, marshal.dumps(tuple(parts)))


def maps(root: Path) -> tuple[str, str, str]:
    plain = build_repo_map(root, tokens=1024).text
    worded = build_repo_map(root, tokens=1024, query=QUERY).text
    return plain, worded, repr(rank_files(root, query=QUERY))


def assert_intact(root: Path) -> None:
    """Every record and bucket of the stored graph decodes (each is checked against its CRC)."""
    cache, snap = open_snapshot(root, refresh=False)
    try:
        graph = load_graph(cache, snap)
        assert graph is not None
        assert [graph.defs[f] for f in range(len(graph.paths))] and list(graph.incoming)
        assert list(graph.definers) and graph.path_names.bases.get("cart.py") is not None
    finally:
        cache.close()


@pytest.mark.parametrize("how", ["code", "name"])
@pytest.mark.parametrize("part", [*RECORDS, *TABLES])
def test_a_damaged_lazy_part_is_rebuilt_with_the_cold_bytes(shop: Path, part: str, how: str) -> None:
    _GRAPHS.clear()
    cold = maps(shop)
    damage(shop, part, how)
    _GRAPHS.clear()  # a new process: the graph comes from the damaged row
    assert maps(shop) == cold
    assert_intact(shop)  # stored again, rebuilt: the next process reads a good row
    _GRAPHS.clear()
    assert maps(shop) == cold


def test_a_held_damaged_graph_is_forgotten_in_a_long_lived_process(shop: Path) -> None:
    _GRAPHS.clear()
    cold = maps(shop)
    damage(shop, "incoming", "code")
    _GRAPHS.clear()
    cache, snap = open_snapshot(shop, refresh=False)
    cache.close()
    GraphPrefetch(shop).use(snap.state_key)  # loading checks the row's shape only: it is held
    damaged = remembered(snap.state_key)
    assert damaged is not None  # as a chat holds it between requests
    assert maps(shop) == cold
    assert remembered(snap.state_key) is not damaged
    assert_intact(shop)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "codeassist", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("part", [*RECORDS, *TABLES])
def test_map_and_context_commands_survive_a_damaged_stored_graph(shop: Path, part: str) -> None:
    commands = [("map", "-q", QUERY, "--tokens", "1024"), ("context", QUERY, "--json")]
    cold = [run(shop, *c) for c in commands]
    assert all(p.returncode == 0 for p in cold), [p.stderr for p in cold]
    for command, before in zip(commands, cold, strict=True):
        damage(shop, part, "code")
        after = run(shop, *command)
        assert "Traceback" not in after.stderr and after.returncode == 0, after.stderr
        assert after.stdout == before.stdout


def test_a_view_row_damaged_inside_a_definition_is_ranked_again(shop: Path) -> None:
    _GRAPHS.clear()
    cold = build_repo_map(shop, tokens=1024).text  # stores the view: the ranking and its files' definitions
    conn = sqlite3.connect(shop / ".codeassist" / "index.sqlite")
    try:
        (view,) = conn.execute("SELECT data FROM graphs WHERE kind = 'view'").fetchone()
        view = bytes(view)
        paths, *_, held = marshal.loads(view[4:])  # after the row's CRC
        blob = held[paths.index("shop/cart.py")]
        at = view.index(blob)  # the first byte of cart.py's definitions: they no longer decode
        conn.execute("UPDATE graphs SET data = ? WHERE kind = 'view'", (flip(view, at),))
        conn.commit()
    finally:
        conn.close()
    _GRAPHS.clear()
    assert build_repo_map(shop, tokens=1024).text == cold


@pytest.mark.parametrize("part", [*RECORDS, "names"])
def test_the_agents_symbol_tools_rebuild_a_damaged_graph(shop: Path, part: str) -> None:
    from codeassist.agent.symbols import find_references, find_symbol

    _GRAPHS.clear()
    found, used = find_symbol(shop, "ShoppingCart"), find_references(shop, "ShoppingCart")
    damage(shop, part, "code")
    _GRAPHS.clear()  # a new process: the damaged row is what it reads
    assert find_symbol(shop, "ShoppingCart") == found
    assert find_references(shop, "ShoppingCart") == used
    if part != "incoming":  # read by the look-ups, so found damaged and rebuilt (incoming links they never read)
        assert_intact(shop)
