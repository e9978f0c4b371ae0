"""The git history signal: reading, caching and scoring past commits, on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git

from codeassist import history
from codeassist.history import (
    CACHE_KEY,
    History,
    PastCommit,
    parse_log,
    rank_by_messages,
    read_history,
)
from codeassist.index.cache import IndexCache


def commit(root: Path, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def shop(git_repo: Path) -> Path:
    commit(git_repo, "Add the cart", {"shop/cart.py": "class Cart: ...\n", "tests/test_cart.py": "1\n"})
    commit(git_repo, "Fix rounding of discounts in prices", {"shop/prices.py": "def price(): ...\n"})
    commit(git_repo, "Docs: explain installation", {"docs/install.md": "pip install\n"})
    commit(git_repo, "Round discounts half up", {"shop/prices.py": "def price(): return 1\n"})
    return git_repo


def test_reads_non_merge_commits_newest_first_with_their_files(shop: Path) -> None:
    h = read_history(shop)
    assert h.head == git(shop, "rev-parse", "HEAD").strip()
    assert [c.message for c in h.commits] == [
        "Round discounts half up",
        "Docs: explain installation",
        "Fix rounding of discounts in prices",
        "Add the cart",
        "initial",
    ]
    assert h.commits[3].files == ("shop/cart.py", "tests/test_cart.py")


def test_only_history_of_head_is_read(shop: Path) -> None:
    """An older checkout sees nothing later than itself, even with a newer cache entry around."""
    newest = read_history(shop)
    old = git(shop, "rev-parse", "HEAD~2").strip()
    git(shop, "checkout", "-q", "--detach", old)
    h = read_history(shop)
    assert h.head == old
    assert {c.sha for c in h.commits} == {c.sha for c in newest.commits[2:]}
    assert "Round discounts half up" not in [c.message for c in h.commits]


def test_messages_rank_the_files_of_matching_commits(shop: Path) -> None:
    h = read_history(shop)
    known = git(shop, "ls-files").split()
    ranked = [p for p, _ in rank_by_messages(h, "discounts are rounded wrong", known)]
    assert ranked[0] == "shop/prices.py"
    assert "docs/install.md" not in ranked
    assert rank_by_messages(h, "nothing in common zzz", known) == []


def test_files_no_longer_in_the_tree_are_not_ranked(shop: Path) -> None:
    h = read_history(shop)
    assert rank_by_messages(h, "discounts", ["README.md"]) == []


def test_limit_and_zero_disable(shop: Path) -> None:
    assert len(read_history(shop, 2).commits) == 2
    assert read_history(shop, 0) == History("", ())


def test_cache_is_keyed_by_head_and_extended_incrementally(shop: Path) -> None:
    first = read_history(shop)
    cache = IndexCache.open(shop)
    stored = json.loads(cache.get_meta(CACHE_KEY) or "{}")
    cache.close()
    assert stored["head"] == first.head
    new = commit(shop, "Cart totals include tax", {"shop/cart.py": "class Cart: tax = 1\n"})
    second = read_history(shop)
    assert second.head == new
    assert second.commits[1:] == first.commits
    assert second == read_history(shop, use_cache=False)


def test_a_cache_read_with_a_smaller_limit_is_not_reused(shop: Path) -> None:
    assert len(read_history(shop, 1).commits) == 1
    assert len(read_history(shop, 10).commits) == 5


def test_a_corrupt_cache_entry_is_replaced(shop: Path) -> None:
    cache = IndexCache.open(shop)
    cache.store("", [], [], [], {CACHE_KEY: "{not json"})
    cache.close()
    assert len(read_history(shop).commits) == 5


def test_no_git_no_commits_and_shallow_clones(tmp_path: Path, shop: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert read_history(plain).commits == ()
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    assert read_history(empty).commits == ()
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{shop}", str(shallow))
    h = read_history(shallow)
    assert [c.message for c in h.commits] == ["Round discounts half up", "Docs: explain installation"]


def test_big_commits_do_not_vote(shop: Path) -> None:
    many = {f"gen/f{i}.py": "x\n" for i in range(history.MAX_FILES_PER_COMMIT + 1)}
    commit(shop, "Reformat discounts everywhere", many)
    h = read_history(shop)
    known = git(shop, "ls-files").split()
    ranked = [p for p, _ in rank_by_messages(h, "discounts", known)]
    assert ranked == ["shop/prices.py"]


def test_parse_log_skips_malformed_records_and_drops_trailers() -> None:
    sha = "a" * 40
    text = (
        f"\x01{sha} 1700000000\x02Fix it\n\nSigned-off-by: A <a@b>\x03\0\nsrc/a.py\0src/b.py\0"
        "\x01nonsense 1\x02x\x03\0"
        f"\x01{'c' * 40} soon\x02x\x03\0"
        f"\x01{'b' * 40} 1\x02no end marker"
    )
    assert parse_log(text) == (PastCommit(sha, "Fix it", ("src/a.py", "src/b.py"), 1_700_000_000),)


def test_scoring_is_deterministic(shop: Path) -> None:
    h = read_history(shop)
    known = git(shop, "ls-files").split()
    first = rank_by_messages(h, "discounts cart docs", known)
    history._indexes.clear()
    assert rank_by_messages(h, "discounts cart docs", list(reversed(known))) == first


def test_a_cached_head_that_is_not_an_object_name_is_ignored(shop: Path) -> None:
    cache = IndexCache.open(shop)
    entry = {"head": "--output=/tmp/x", "limit": 5000, "commits": [["a" * 40, "Discounts", ["shop/prices.py"], 1]]}
    cache.store("", [], [], [], {CACHE_KEY: json.dumps(entry)})
    cache.close()
    assert read_history(shop) == read_history(shop, use_cache=False)
    assert len(read_history(shop).commits) == 5


def test_a_history_longer_than_the_limit_is_read_again_not_extended(shop: Path) -> None:
    assert len(read_history(shop, 3).commits) == 3
    commit(shop, "Cart totals include tax", {"shop/cart.py": "class Cart: tax = 1\n"})
    assert read_history(shop, 3) == read_history(shop, 3, use_cache=False)


def test_a_merged_branch_scores_the_same_cached_or_not(shop: Path) -> None:
    read_history(shop)  # cache the history before the merge
    git(shop, "checkout", "-q", "-b", "side", "HEAD~2")
    commit(shop, "Discounts for members", {"shop/members.py": "x\n"})
    git(shop, "checkout", "-q", "main")
    commit(shop, "Discounts for staff", {"shop/staff.py": "x\n"})
    git(shop, "merge", "-q", "--no-edit", "side")
    known = git(shop, "ls-files").split()
    cached, fresh = read_history(shop), read_history(shop, use_cache=False)
    assert {c.sha for c in cached.commits} == {c.sha for c in fresh.commits}
    ranked = rank_by_messages(cached, "discounts", known)
    history._indexes.clear()
    assert rank_by_messages(fresh, "discounts", known) == ranked
