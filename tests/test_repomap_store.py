"""The map's graph and ranks kept with the index: the same bytes as a cold build, never fatal."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from repomap_fixture import make_shop_with_plugins

from codeassist.index.cache import IndexCache
from codeassist.repomap import build_repo_map, rank_files
from codeassist.repomap.graph import _GRAPHS
from codeassist.repomap.store import FORMAT

QUERY = "apply_discount to the ShoppingCart total"


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return make_shop_with_plugins(git_repo)


def rows(root: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        return sorted(conn.execute("SELECT kind, key, format FROM graphs").fetchall())
    finally:
        conn.close()


def states(root: Path) -> set[str]:
    """The index states the stored graphs and views belong to (recent commits are kept by HEAD instead)."""
    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        return {s for (s,) in conn.execute("SELECT state_key FROM graphs WHERE kind != 'recent'")}
    finally:
        conn.close()


def execute(root: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def maps(root: Path) -> tuple[str, str, str]:
    """A wordless map, a map for a request, and the ranked file list, in a process with no graph held."""
    _GRAPHS.clear()
    plain = build_repo_map(root, tokens=1024).text
    worded = build_repo_map(root, tokens=1024, query=QUERY, seed_files=("shop/pricing.py",)).text
    ranked = repr(rank_files(root, query=QUERY))
    return plain, worded, ranked


def test_stored_graph_and_ranks_render_the_cold_bytes(shop: Path) -> None:
    cold = maps(shop)
    kinds = [kind for kind, _, _ in rows(shop)]
    assert kinds == ["graph", "recent", "view"]
    assert maps(shop) == cold  # read back: the stored graph for the request, the stored view without one
    # ... and from a fresh process (another interpreter, another hash seed).
    child = (
        "import sys; from pathlib import Path; from codeassist.repomap import build_repo_map; "
        "sys.stdout.write(build_repo_map(Path(sys.argv[1]), tokens=1024).text)"
    )
    out = subprocess.run([sys.executable, "-c", child, str(shop)], capture_output=True, text=True, check=True)
    assert out.stdout == cold[0]


def test_a_new_state_replaces_the_stored_graph(shop: Path) -> None:
    maps(shop)
    before = states(shop)
    (shop / "shop" / "pricing.py").write_text(
        (shop / "shop" / "pricing.py").read_text() + "\n\ndef loyalty_bonus(total: int) -> int:\n    return total\n"
    )
    after_edit = maps(shop)
    assert [kind for kind, _, _ in rows(shop)] == ["graph", "recent", "view"]
    assert len(states(shop)) == 1 and states(shop) != before  # the old state's rows are gone
    execute(shop, "DELETE FROM graphs")
    assert maps(shop) == after_edit


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", b"\xe9" * 64])
def test_a_damaged_stored_graph_is_rebuilt(shop: Path, damage: bytes) -> None:
    cold = maps(shop)
    execute(shop, "UPDATE graphs SET data = ?", damage)
    assert maps(shop) == cold
    # Rebuilt and stored again: the next process reads a good row.
    conn = sqlite3.connect(shop / ".codeassist" / "index.sqlite")
    try:
        sizes = [len(d) for (d,) in conn.execute("SELECT data FROM graphs")]
    finally:
        conn.close()
    assert all(size > len(damage) for size in sizes)


def test_a_graph_of_another_shape_is_rebuilt(shop: Path) -> None:
    import marshal

    cold = maps(shop)
    # Valid marshal data, wrong shape: as an older codeassist with the same format tag might leave.
    execute(shop, "UPDATE graphs SET data = ?", marshal.dumps((("x.py",), (None,), (0,), {}, {}, (), {}, (0.0,))))
    assert maps(shop) == cold
    execute(shop, "UPDATE graphs SET data = ?", marshal.dumps([1, 2, 3]))
    assert maps(shop) == cold


def test_a_row_of_another_format_is_ignored_and_replaced(shop: Path) -> None:
    cold = maps(shop)
    execute(shop, "UPDATE graphs SET format = 'old-format'")
    assert maps(shop) == cold
    from codeassist.repomap import recent

    assert {(kind, fmt) for kind, _, fmt in rows(shop)} == {
        ("graph", FORMAT),
        ("view", FORMAT),
        ("recent", recent.FORMAT),
    }


def test_a_cache_from_before_the_graphs_table_is_migrated(shop: Path) -> None:
    cold = maps(shop)
    execute(shop, "DROP TABLE graphs")
    execute(shop, "DELETE FROM migrations WHERE name = 'm2_graphs'")
    cache = IndexCache.open(shop)
    try:
        assert cache.warnings == ()
        assert cache.get_graph("x", "graph", "", FORMAT) is None
    finally:
        cache.close()
    assert maps(shop) == cold
    assert [kind for kind, _, _ in rows(shop)] == ["graph", "recent", "view"]


def test_a_mass_commit_does_not_count_as_recent_work(shop: Path) -> None:
    from codeassist.repomap import _recent_files
    from codeassist.repomap.recent import RECENT_MAX_FILES as _RECENT_MAX_FILES

    (shop / "shop" / "pricing.py").write_text((shop / "shop" / "pricing.py").read_text() + "\n# touched\n")
    git(shop, "commit", "-qam", "small change")
    assert _recent_files(shop, ()) == tuple(sorted({"shop/pricing.py", *_recent_files(shop, ())}))
    assert "shop/pricing.py" in _recent_files(shop, ())
    vendor = shop / "vendor"
    vendor.mkdir()
    for i in range(_RECENT_MAX_FILES + 1):
        (vendor / f"v{i:03}.txt").write_text(f"{i}\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "vendor everything")
    recent = _recent_files(shop, ("dirty.py",))
    assert "shop/pricing.py" in recent and "dirty.py" in recent
    assert not any(p.startswith("vendor/") for p in recent)


def test_a_request_map_in_a_new_process_is_the_cold_bytes(shop: Path) -> None:
    cold = maps(shop)
    child = (
        "import sys; from pathlib import Path; from codeassist.repomap import build_repo_map; "
        "sys.stdout.write(build_repo_map(Path(sys.argv[1]), tokens=1024, query=sys.argv[2],"
        " seed_files=('shop/pricing.py',)).text)"
    )
    for seed in ("1", "2"):  # other hash seeds: bucket and dict orders must not leak into the bytes
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", child, str(shop), QUERY], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout == cold[1]


def test_a_stored_graph_needs_no_file_list_and_must_match_one(shop: Path) -> None:
    import dataclasses

    from codeassist.index.indexer import open_snapshot
    from codeassist.repomap.store import load_graph

    maps(shop)
    cache, snap = open_snapshot(shop, refresh=False)
    try:
        unlisted = dataclasses.replace(snap, files=(), listed=False)
        graph = load_graph(cache, unlisted)
        assert graph is not None and graph.paths == tuple(f.path for f in snap.files)
        assert graph.definers["ShoppingCart"] == (graph.index["shop/cart.py"],)
        other = dataclasses.replace(snap, files=snap.files[1:])  # a listing that disagrees: not this graph
        assert load_graph(cache, other) is None
    finally:
        cache.close()


def test_a_stored_graph_with_inconsistent_parts_is_rebuilt(shop: Path) -> None:
    import marshal

    cold = maps(shop)
    conn = sqlite3.connect(shop / ".codeassist" / "index.sqlite")
    try:
        (data,) = conn.execute("SELECT data FROM graphs WHERE kind = 'graph'").fetchone()
    finally:
        conn.close()
    parts = list(marshal.loads(data))
    records, bounds, missing, crcs = parts[3]  # each file's definitions: bounds that overrun the bytes
    parts[3] = (records[:-1], bounds, missing, crcs)
    execute(shop, "UPDATE graphs SET data = ? WHERE kind = 'graph'", marshal.dumps(tuple(parts)))
    execute(shop, "DELETE FROM graphs WHERE kind = 'view'")
    assert maps(shop) == cold


@pytest.mark.parametrize("two_processes", [False, True])
def test_a_warm_map_notices_every_kind_of_change(
    shop: Path, two_processes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codeassist.index import gitls

    if two_processes:  # the listing of a large repository: untracked walk and tracked stat at once
        monkeypatch.setattr(gitls, "_LARGE_INDEX_BYTES", 0)

    def shown() -> dict[str, tuple[str, ...]]:
        _GRAPHS.clear()
        build_repo_map(shop, tokens=4096, query="loyalty")  # the stored graph and ranks are current
        return {r.path: r.symbols for r in rank_files(shop, query="loyalty")}

    assert "shop/pricing.py" in shown()
    (shop / "shop" / "loyalty.py").write_text("def loyalty_points(total: int) -> int:\n    return total // 10\n")
    assert shown()["shop/loyalty.py"] == ("loyalty_points",)  # a new untracked file
    pricing = shop / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef loyalty_bonus(total: int) -> int:\n    return total\n")
    assert "loyalty_bonus" in shown()["shop/pricing.py"]  # an edited tracked file
    (shop / "shop" / "plugin_00.py").unlink()
    assert "shop/plugin_00.py" not in shown()  # a deleted tracked file
    (shop / ".gitignore").write_text("shop/loyalty.py\n")
    assert "shop/loyalty.py" not in shown()  # a changed .gitignore
    (shop / ".gitignore").write_text("")
    assert "shop/loyalty.py" in shown()


def test_the_graph_read_while_git_lists_is_used_only_for_its_own_state(shop: Path) -> None:
    from codeassist.index.indexer import open_snapshot
    from codeassist.repomap.graph import remembered
    from codeassist.repomap.prefetch import GraphPrefetch

    cold = maps(shop)
    cache, snap = open_snapshot(shop, refresh=False)
    cache.close()
    _GRAPHS.clear()
    GraphPrefetch(shop).use("another state")
    assert remembered(snap.state_key) is None  # read, but not the state the refresh ended in: dropped
    GraphPrefetch(shop).use(snap.state_key)
    held = remembered(snap.state_key)
    assert held is not None and held.paths == tuple(f.path for f in snap.files)
    assert maps(shop) == cold


def test_the_read_only_cache_is_never_created_nor_taken_from_a_link(shop: Path, tmp_path: Path) -> None:
    from codeassist.repomap.prefetch import GraphPrefetch

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert IndexCache.open_read_only(fresh) is None and not (fresh / ".codeassist").exists()
    GraphPrefetch(fresh).use("x")  # nothing to read: nothing happens
    maps(shop)
    elsewhere = tmp_path / "elsewhere"
    (shop / ".codeassist").rename(elsewhere)
    (shop / ".codeassist").symlink_to(elsewhere)
    assert IndexCache.open_read_only(shop) is None
    (shop / ".codeassist").unlink()
    elsewhere.rename(shop / ".codeassist")
    cache = IndexCache.open_read_only(shop)
    assert cache is not None
    try:
        assert cache.get_meta("state_key") is not None
        with pytest.raises(sqlite3.OperationalError):
            cache.conn.execute("DELETE FROM graphs")  # read only
    finally:
        cache.close()
