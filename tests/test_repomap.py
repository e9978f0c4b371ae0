"""Ranking and budgeted rendering of the repo map."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from repomap_fixture import make_shop

from codeassist.repomap import RankedFile, build_repo_map, rank_files
from codeassist.repomap.render import fit
from codeassist.tokens import estimate_tokens


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return make_shop(git_repo)


def test_rank_files_lists_every_indexed_file(shop: Path) -> None:
    ranked = rank_files(shop)
    assert sorted(f.path for f in ranked) == sorted(
        ["cli.py", "shop/cart.py", "shop/checkout.py", "shop/models.py", "shop/pricing.py", "tests/test_cart.py"]
    )
    assert all(isinstance(f, RankedFile) for f in ranked)
    ranks = [f.rank for f in ranked]
    assert ranks == sorted(ranks, reverse=True)
    assert abs(sum(ranks) - 1.0) < 1e-3
    # The most referenced code is the most central.
    assert {ranked[0].path, ranked[1].path} == {"shop/cart.py", "shop/models.py"}


def test_chat_files_seed_the_ranking_and_are_not_rendered(shop: Path) -> None:
    plain = [f.path for f in rank_files(shop)]
    seeded = [f.path for f in rank_files(shop, chat_files=["cli.py"])]
    assert seeded.index("cli.py") < plain.index("cli.py")
    result = build_repo_map(shop, chat_files=["shop/cart.py"], tokens=4000)
    assert "shop/cart.py" not in [f.path for f in result.files]
    assert "shop/cart.py:" not in result.text
    shown = build_repo_map(shop, chat_files=["shop/cart.py"], tokens=4000, exclude_chat_files=False)
    assert "shop/cart.py:" in shown.text
    absolute = build_repo_map(shop, chat_files=[str(shop / "shop" / "cart.py")], tokens=4000)
    assert absolute == result


def test_query_identifier_comes_first(shop: Path) -> None:
    result = build_repo_map(shop, query="what does format_receipt do", tokens=40)
    assert result.files[0].path == "shop/checkout.py"
    assert result.files[0].symbols[0] == "format_receipt"
    assert "def format_receipt(" in result.text


def test_rendering_shows_scopes_and_elides(shop: Path) -> None:
    text = build_repo_map(shop, tokens=4000).text
    block = text.split("shop/models.py:\n", 1)[1].split("\n\n", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "⋮"
    assert lines.index("class LineItem:") < lines.index("    def subtotal(self) -> int:")
    # A multi-line signature is shown whole.
    assert "def format_receipt(\n    cents: int,\n    currency: str = \"EUR\",\n) -> str:\n" in text
    assert "return" not in text


@pytest.mark.parametrize("budget", [0, 1, 5, 12, 30, 60, 100, 150, 250, 400, 10_000])
def test_budget_is_never_exceeded(shop: Path, budget: int) -> None:
    result = build_repo_map(shop, tokens=budget, query="cart totals")
    assert result.tokens == estimate_tokens(result.text) <= budget
    if budget >= 60:
        assert result.files  # a real budget shows something


def test_budget_fill_is_maximal(shop: Path) -> None:
    small = build_repo_map(shop, tokens=100)
    large = build_repo_map(shop, tokens=10_000)
    assert small.tokens <= 100 < large.tokens
    assert small.tokens > 100 - 30  # one more definition would not have fitted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.integers(min_value=0, max_value=600), model=st.sampled_from([None, "gpt-4o", "claude-3-5-sonnet"]))
def test_budget_property(shop: Path, budget: int, model: str | None) -> None:
    result = build_repo_map(shop, tokens=budget, model=model, refresh=False)
    assert estimate_tokens(result.text, model) == result.tokens <= budget


def test_fit_never_returns_an_oversized_rendering() -> None:
    # A cost that is not monotonic in n must still never be over budget.
    costs = [0, 5, 9, 30, 12, 40, 41, 90]

    def render(n: int) -> str:
        return str(n)

    n, text, cost = fit(lambda t: costs[int(t)], render, len(costs) - 1, 35)
    assert cost <= 35 and costs[n] == cost and text == str(n)


def test_map_follows_edits(shop: Path) -> None:
    before = build_repo_map(shop, tokens=4000)
    (shop / "shop" / "pricing.py").write_text("def brand_new_pricing(total: int) -> int:\n    return total\n")
    after = build_repo_map(shop, tokens=4000)
    assert "brand_new_pricing" in after.text and "brand_new_pricing" not in before.text
    stale = build_repo_map(shop, tokens=4000, refresh=False)
    assert stale == after


_CHILD = """
import json, sys
from pathlib import Path
from codeassist.repomap import build_repo_map, rank_files
root = Path(sys.argv[1])
m = build_repo_map(root, query="checkout total with discount", tokens=300)
r = rank_files(root, chat_files=["cli.py"])
print(json.dumps({"text": m.text, "files": [[f.path, f.rank, f.symbols] for f in m.files],
                  "ranked": [[f.path, f.rank, f.symbols] for f in r]}))
"""


def test_deterministic_across_processes_and_hash_seeds(shop: Path) -> None:
    # More files with colliding names make ties and set ordering matter.
    for i in range(30):
        (shop / "shop" / f"plugin_{i:02}.py").write_text(
            f"from shop.cart import ShoppingCart\n\n\ndef run(cart: ShoppingCart) -> int:\n"
            f"    return cart.total_cents()\n\n\nclass Plugin{i % 3}:\n    name = 'p{i}'\n"
        )
    git(shop, "add", ".")
    git(shop, "commit", "-qm", "plugins")
    outputs = []
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(shop)], capture_output=True, env=env, check=True, timeout=120
        )
        outputs.append(proc.stdout)
    assert len(set(outputs)) == 1
    assert json.loads(outputs[0])["text"]


def test_plain_words_count_less_than_code_names(shop: Path) -> None:
    from codeassist.index.indexer import open_snapshot
    from codeassist.repomap.rank import query_identifiers
    from codeassist.repomap.store import graph_for

    cache, snap = open_snapshot(shop)
    try:
        graph = graph_for(cache, snap)
    finally:
        cache.close()
    strong, weak = query_identifiers("please checkout with apply_discount and ShoppingCart now", graph)
    assert strong == {"apply_discount", "ShoppingCart"}
    assert weak == {"checkout"}


def test_a_named_file_shows_its_definitions(shop: Path) -> None:
    result = build_repo_map(shop, query="something is off in pricing.py", tokens=120)
    assert result.files[0].path == "shop/pricing.py"
    assert set(result.files[0].symbols) >= {"apply_discount", "_round_half_up"}


def test_max_files_spends_the_budget_on_the_best_files(shop: Path) -> None:
    wide = build_repo_map(shop, query="cart totals", tokens=10_000)
    narrow = build_repo_map(shop, query="cart totals", tokens=10_000, max_files=2)
    assert len(wide.files) > 2
    # The same best files, in the same order, and every definition of theirs the wide map shows.
    assert [f.path for f in narrow.files] == [f.path for f in wide.files][:2]
    for kept, full in zip(narrow.files, wide.files, strict=False):
        assert set(full.symbols) <= set(kept.symbols)
    assert all(f"{f.path}:" not in narrow.text for f in wide.files[2:])
    assert narrow.tokens == estimate_tokens(narrow.text) < wide.tokens
    assert build_repo_map(shop, query="cart totals", tokens=10_000, max_files=0).text == ""
    tight = build_repo_map(shop, query="cart totals", tokens=60, max_files=2)
    assert tight.tokens <= 60 and 1 <= len(tight.files) <= 2
