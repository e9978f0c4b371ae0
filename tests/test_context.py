"""Context assembly: files, order, budget and what is dropped when it does not fit."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import git
from context_fixtures import FakeMapProvider, write_fixture

from codeassist.backends.base import Message
from codeassist.context import ContextRequest, build_context, files_named_in
from codeassist.errors import ContextTooLongError, TaskFailed, UsageError
from codeassist.workspace import typed_path


@pytest.fixture
def shop(git_repo: Path) -> Path:
    write_fixture(git_repo)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "shop")
    return git_repo


def _req(root: Path, **kw: object) -> ContextRequest:
    base: dict[str, object] = {"root": root, "request": "make the cart total apply a discount"}
    base.update(kw)
    return ContextRequest(**base)  # type: ignore[arg-type]


HISTORY = tuple(
    Message(role, text)  # type: ignore[arg-type]
    for i in range(6)
    for role, text in (("user", f"question {i} " + "words " * 200), ("assistant", f"answer {i} " + "words " * 200))
)


def test_message_order_static_parts_first_request_last(shop: Path) -> None:
    built = build_context(
        _req(shop, chat_files=("shop/cart.py",), read_only_files=("shop/prices.py",), history=HISTORY[:2]),
        map_provider=FakeMapProvider(),
    )
    roles = [m.role for m in built.messages]
    assert roles[0] == "system" and roles.count("system") == 1
    assert built.messages[-1] == Message("user", "make the cart total apply a discount")
    contents = [m.content for m in built.messages]
    idx = {
        "instructions": next(i for i, c in enumerate(contents) if "project's instructions from AGENTS.md" in c),
        "map": next(i for i, c in enumerate(contents) if c.startswith("This is a map of the repository")),
        "read_only": next(i for i, c in enumerate(contents) if c.startswith("These files are for reference")),
        "chat": next(i for i, c in enumerate(contents) if c.startswith("These are the files in the chat")),
        "history": contents.index(HISTORY[0].content),
    }
    assert list(idx.values()) == sorted(idx.values())
    assert [p.name for p in built.parts] == [
        "system", "format", "instructions", "repo map", "related files", "read-only: shop/prices.py",
        "file: shop/cart.py", "history", "request", "framing",
    ]
    assert built.total_tokens == sum(p.tokens for p in built.parts) <= built.budget
    assert built.files == ("shop/cart.py",) and built.read_only == ("shop/prices.py",)


def test_nested_instructions_follow_the_files_in_play(shop: Path) -> None:
    near = build_context(_req(shop, chat_files=("shop/cart.py",)), map_provider=FakeMapProvider())
    assert next(p for p in near.parts if p.name == "instructions").detail == "AGENTS.md, shop/AGENTS.md, CONVENTIONS.md"
    far = build_context(_req(shop, chat_files=("cli/main.py",)), map_provider=FakeMapProvider())
    assert next(p for p in far.parts if p.name == "instructions").detail == "AGENTS.md, CONVENTIONS.md"


def test_files_named_in_the_request_join_the_chat(shop: Path) -> None:
    built = build_context(
        _req(shop, request="In shop/cart.py and cart, use price_of from ./shop/prices.py:4, see `main.py`."),
        map_provider=FakeMapProvider(),
    )
    assert built.files == ("shop/cart.py", "shop/prices.py", "cli/main.py")
    assert built.read_only == ()  # something was named, so no map files are offered


def test_files_named_in_matching_rules() -> None:
    known = ["a/util.py", "b/util.py", "src/app.py", "Makefile", "docs/x.md"]
    assert files_named_in("fix util.py and app.py", known) == ["src/app.py"]  # util.py is ambiguous
    assert files_named_in("src/app.pyc or mysrc/app.py or app", known) == []
    assert files_named_in("see the Makefile", known) == ["Makefile"]  # a root file's path is its name
    assert files_named_in("(docs/x.md), 'src/app.py'!", known) == ["docs/x.md", "src/app.py"]


def test_top_ranked_files_offered_read_only_when_no_file_given(shop: Path) -> None:
    provider = FakeMapProvider()
    built = build_context(_req(shop, map_files=2), map_provider=provider)
    assert built.files == ()
    # The request's words (cart, total) rank these first; the map's order breaks near-ties.
    assert built.read_only == ("cli/main.py", "shop/cart.py")
    assert provider.calls[0]["query"] == "make the cart total apply a discount"
    assert "No files are in the chat yet" in "".join(m.content for m in built.messages)
    # Instruction files are already in the prompt, so they are never suggested again.
    assert not {"AGENTS.md", "CONVENTIONS.md"} & set(built.related)
    none = build_context(_req(shop, map_files=0), map_provider=FakeMapProvider())
    assert none.read_only == ()


def test_large_files_are_listed_not_offered_whole(shop: Path) -> None:
    from codeassist.context import SUGGESTED_FILE_TOKENS, SUGGESTED_TOKENS
    from codeassist.tokens import estimate_tokens

    # A changelog that matches every word of the request, far larger than a file offered unasked may be.
    entry = "- make the cart total apply a discount correctly\n"
    (shop / "CHANGELOG.md").write_text(entry * (SUGGESTED_FILE_TOKENS // 4))
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "changelog")
    built = build_context(_req(shop, context_window=128_000, max_output_tokens=16_000), map_provider=FakeMapProvider())
    assert "CHANGELOG.md" in built.candidates[:3]
    assert "CHANGELOG.md" not in built.read_only and "CHANGELOG.md" in built.related
    assert built.read_only  # the smaller candidates are still offered
    offered = sum(p.tokens for p in built.parts if p.name.startswith("read-only"))
    assert offered <= SUGGESTED_TOKENS
    assert estimate_tokens((shop / "CHANGELOG.md").read_text()) > SUGGESTED_FILE_TOKENS
    # Asked for by name, it is sent whole.
    named = build_context(_req(shop, request="tidy CHANGELOG.md", context_window=128_000, max_output_tokens=16_000))
    assert named.files == ("CHANGELOG.md",)


def test_related_files_listed_by_path_after_the_map(shop: Path) -> None:
    req = _req(shop, request="update the README for the shop tests", chat_files=("shop/cart.py",))
    built = build_context(req, map_provider=FakeMapProvider())
    assert built.related[0] == "README.md"  # not code, so never in the map: found by its words
    map_message = next(m.content for m in built.messages if m.content.startswith("This is a map"))
    assert "Other files that may be relevant" in map_message and "- README.md\n" in map_message
    assert not set(built.related) & (set(built.map_files) | set(built.files))
    assert len(built.related) > 1
    limited = build_context(replace(req, related_files=1), map_provider=FakeMapProvider())
    assert len(limited.related) == 1
    no_map = build_context(_req(shop, chat_files=("shop/cart.py",), map_tokens=0), map_provider=FakeMapProvider())
    assert no_map.related == () and no_map.map_files == ()


def test_dropped_suggestions_stay_listed_by_path(shop: Path) -> None:
    req = _req(shop, map_files=3, map_tokens=300, context_window=100_000)
    probe = build_context(req, map_provider=FakeMapProvider())
    assert len(probe.read_only) == 3
    biggest = sum(p.tokens for p in probe.parts if p.name.startswith("read-only"))
    tight = build_context(
        _req(shop, map_files=3, map_tokens=300, context_window=probe.total_tokens - biggest + 4096 + 5),
        map_provider=FakeMapProvider(),
    )
    assert tight.read_only == ()
    assert tight.related[:3] == probe.read_only


def test_map_budget_scales_with_the_window_unless_given(shop: Path) -> None:
    for window, expected in ((8192, 1024), (64_000, 8000), (1_000_000, 8192)):
        provider = FakeMapProvider()
        build_context(_req(shop, context_window=window, max_output_tokens=1000, related_files=0), map_provider=provider)
        assert provider.calls[0]["tokens"] == expected
        # a larger map shows more files, in depth; a small one outlines at least ten
        assert provider.calls[0]["max_files"] == max(10, expected // 200)
        # By default the paths listed after the map are paid from the map's budget.
        provider = FakeMapProvider()
        build_context(_req(shop, context_window=window, max_output_tokens=1000), map_provider=provider)
        assert expected - 400 < provider.calls[0]["tokens"] < expected  # type: ignore[operator]
    provider = FakeMapProvider()
    build_context(_req(shop, map_tokens=300, related_files=0), map_provider=provider)
    assert provider.calls[0]["tokens"] == 300
    provider = FakeMapProvider()
    build_context(_req(shop, map_tokens=0), map_provider=provider)
    assert provider.calls == []


def test_drop_order_read_only_then_map_then_history(shop: Path) -> None:
    kw = {
        "chat_files": ("shop/cart.py",),
        "read_only_files": ("shop/prices.py", "cli/main.py", "tests/test_cart.py"),
        "history": HISTORY,
        "map_tokens": 1500,
        "max_output_tokens": 1000,
    }
    full = build_context(_req(shop, context_window=100_000, **kw), map_provider=FakeMapProvider(fill=True))
    assert full.dropped == ()
    fixed = sum(p.tokens for p in full.parts if p.name in ("system", "format", "instructions", "request"))
    seen_stages: list[str] = []
    for window in range(full.total_tokens + 1000, 0, -40):
        try:
            provider = FakeMapProvider(fill=True)
            built = build_context(_req(shop, context_window=window, **kw), map_provider=provider)
        except ContextTooLongError:
            assert window - 1000 < fixed + 300  # only fails when the fixed parts cannot fit
            break
        assert built.total_tokens <= built.budget == window - 1000
        # A map shrunk to fit still shows as many files as the budget first asked for.
        assert {c["max_files"] for c in provider.calls} <= {max(10, 1500 // 200)}
        stage = [d.split(":")[0] for d in built.dropped]
        # Read-only files go first (last given first), then the map, then history.
        assert stage == sorted(stage, key=["read-only", "repo map", "history"].index)
        if "repo map" in stage or "history" in stage:
            assert built.read_only == ()
        if "history" in stage:
            assert built.map_text == "" and built.needs_summary
            assert built.history_tokens > next((p.tokens for p in built.parts if p.name == "history"), 0)
        seen_stages.extend(s for s in stage if s not in seen_stages)
    assert seen_stages == ["read-only", "repo map", "history"]


def test_read_only_files_drop_last_given_first(shop: Path) -> None:
    ro = ("shop/prices.py", "cli/main.py", "tests/test_cart.py")
    probe = build_context(_req(shop, read_only_files=ro, map_tokens=0, context_window=100_000))
    need = probe.total_tokens - next(p.tokens for p in probe.parts if p.name == "read-only: tests/test_cart.py")
    built = build_context(_req(shop, read_only_files=ro, map_tokens=0, context_window=need + 4096))
    assert built.read_only == ("shop/prices.py", "cli/main.py")
    assert built.dropped == ("read-only: tests/test_cart.py",)


def test_chat_files_that_do_not_fit_are_a_clear_error(shop: Path) -> None:
    (shop / "big.py").write_text("x = 1\n" * 5000)
    with pytest.raises(ContextTooLongError) as info:
        build_context(_req(shop, chat_files=("big.py",), context_window=8192), map_provider=FakeMapProvider())
    msg = info.value.message
    assert "do not fit" in msg and "4096 are available" in msg and "8192" in msg
    assert info.value.exit_code == 4  # the same as the server refusing the prompt as too long
    assert "context_window" in (info.value.hint or "")
    with pytest.raises(TaskFailed, match="no room"):
        build_context(_req(shop, context_window=4096, max_output_tokens=4096))


def test_named_file_too_large_is_left_out_not_fatal(shop: Path) -> None:
    (shop / "big.py").write_text("x = 1\n" * 5000)
    (shop / "blob.bin").write_bytes(b"\x00\x01binary")
    git(shop, "add", "-A")
    built = build_context(
        _req(shop, request="split big.py; see blob.bin and shop/cart.py", context_window=8192),
        map_provider=FakeMapProvider(),
    )
    assert built.files == ("shop/cart.py",)
    assert built.dropped[0] == "named file: big.py (too large)"
    assert built.total_tokens <= built.budget


def test_bad_files_are_usage_errors(shop: Path, tmp_path: Path) -> None:
    (shop / "blob.bin").write_bytes(b"\x00\x01binary")
    (tmp_path / "outside.py").write_text("secret = 1\n")
    os.symlink(tmp_path / "outside.py", shop / "link.py")
    for kw in (
        {"read_only_files": ("missing.py",)},
        {"chat_files": ("blob.bin",)},
        {"chat_files": ("../outside.py",)},
        {"chat_files": ("/etc/passwd",)},
        {"chat_files": ("link.py",)},
        {"chat_files": ("shop",)},
    ):
        with pytest.raises(UsageError):
            build_context(_req(shop, **kw), map_provider=FakeMapProvider())
    os.symlink("loop_b.py", shop / "loop_a.py")
    os.symlink("loop_a.py", shop / "loop_b.py")
    for kw in ({"chat_files": ("loop_a.py",)}, {"chat_files": ("bad\0name.py",)}):
        with pytest.raises(UsageError):
            build_context(_req(shop, **kw), map_provider=FakeMapProvider())
    with pytest.raises(UsageError):
        typed_path(shop, "loop_a.py", cwd=shop)
    with pytest.raises(UsageError, match="empty"):
        build_context(_req(shop, request="  \n"))


def test_new_and_non_utf8_chat_files(shop: Path) -> None:
    (shop / "latin1.py").write_bytes(b"name = 'caf\xe9'\n")
    built = build_context(_req(shop, chat_files=("new/module.py", "latin1.py"), map_tokens=0))
    details = {p.name: p.detail for p in built.parts}
    assert details["file: new/module.py"] == "new file"
    assert details["file: latin1.py"] == "editable, 1 lines, not valid UTF-8"
    assert "name = 'caf\ufffd'" in built.messages[-3].content


def test_typed_path(shop: Path, tmp_path: Path) -> None:
    assert typed_path(shop, "shop/cart.py", cwd=shop) == "shop/cart.py"
    assert typed_path(shop, "cart.py", cwd=shop / "shop") == "shop/cart.py"
    assert typed_path(shop, shop / "cli" / "main.py", cwd=shop) == "cli/main.py"
    with pytest.raises(UsageError):
        typed_path(shop, tmp_path, cwd=shop)


def test_map_engine_failure_is_noted_not_fatal(shop: Path) -> None:
    def broken(root: Path, **kw: object) -> None:
        raise TaskFailed("index is busy")

    built = build_context(_req(shop, chat_files=("shop/cart.py",)), map_provider=broken)
    assert built.map_text == "" and built.dropped == ("repo map: unavailable (index is busy)",)


def test_works_outside_a_git_repository(tmp_path: Path) -> None:
    write_fixture(tmp_path)
    built = build_context(_req(tmp_path, request="fix shop/cart.py"), map_provider=FakeMapProvider())
    assert built.files == ()  # no git listing: names are not matched, but nothing fails
    assert built.read_only == ("shop/prices.py", "shop/cart.py", "cli/main.py")


def test_files_of_past_commits_like_the_request_are_candidates(shop: Path) -> None:
    """A file whose text shares no word with the request is found through a past commit's message."""
    (shop / "shop" / "ledger.py").write_text("def post(entry):\n    return entry\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "Refunds must reverse the original booking")
    request = "refunds reverse the wrong booking"
    with_history = build_context(_req(shop, request=request), map_provider=FakeMapProvider())
    assert "shop/ledger.py" in with_history.candidates
    assert "shop/ledger.py" in with_history.read_only + tuple(with_history.related)
    without = build_context(_req(shop, request=request, history_commits=0), map_provider=FakeMapProvider())
    assert "shop/ledger.py" not in without.candidates


def test_a_large_map_shows_its_best_files_in_depth_and_lists_more_by_path(git_repo: Path) -> None:
    # A hundred modules, each calling the one before it: more files than a large map may show.
    pkg = git_repo / "pkg"
    pkg.mkdir()
    for i in range(100):
        call = f"    return step_{i - 1}(x) + 1\n" if i else "    return x\n"
        imp = f"from pkg.mod_{i - 1} import step_{i - 1}\n\n\n" if i else ""
        extra = "".join(f"\n\ndef helper_{i}_{j}(y: int) -> int:\n    return y * {j}\n" for j in range(4))
        (pkg / f"mod_{i}.py").write_text(f"{imp}def step_{i}(x: int) -> int:\n{call}{extra}")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "modules")
    req = _req(
        git_repo, request="make step_30 return twice its input", context_window=128_000, max_output_tokens=16_000
    )
    built = build_context(req)
    assert len(built.map_files) == 8192 // 200  # the map's budget at this window, one file per 200 tokens
    assert "pkg/mod_30.py" in built.map_files
    # The files shown carry all their definitions, not one line each.
    assert all(f"def helper_30_{j}(y: int) -> int:" in built.map_text for j in range(4))
    assert len(built.related) > 20  # one path per 128 map tokens at this budget
    assert not set(built.related) & (set(built.map_files) | set(built.read_only))


def _docs_heavy(shop: Path) -> None:
    """Documentation, a changelog and a lock file that match the request's words better than the code."""
    words = "make the cart total apply a discount\n"
    (shop / "docs").mkdir(exist_ok=True)
    (shop / "docs" / "discounts.md").write_text("# Discounts\n\n" + words * 30)
    (shop / "CHANGES.rst").write_text("Changes\n=======\n\n" + ("- " + words) * 30)
    (shop / "package-lock.json").write_text('{"cart": "total", "discount": "apply"}\n' * 30)
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "docs")


def test_prose_comes_with_code_not_instead_of_it(shop: Path) -> None:
    from codeassist.context import is_prose
    from codeassist.index.languages import language_for_path

    _docs_heavy(shop)
    req = _req(shop, context_window=128_000, max_output_tokens=16_000, map_files=3)
    built = build_context(req, map_provider=FakeMapProvider())
    prose_ranked = [p for p in built.candidates[:4] if is_prose(p)]
    assert len(prose_ranked) >= 2  # the words alone would offer documentation first
    offered = list(built.read_only)
    assert sum(is_prose(p) for p in offered) == 1  # one, after the code
    assert offered[-1] in prose_ranked
    assert all(language_for_path(p) is not None for p in offered[:-1])
    assert set(prose_ranked) - set(offered) <= set(built.related)  # the rest stay listed by path


def test_prose_is_offered_when_the_request_is_about_it(shop: Path) -> None:
    from codeassist.context import is_prose

    _docs_heavy(shop)
    for request in ("document how the cart total applies a discount", "note the cart discount in CHANGES"):
        req = _req(shop, request=request, context_window=128_000, max_output_tokens=16_000, map_files=3)
        built = build_context(req, map_provider=FakeMapProvider())
        assert sum(is_prose(p) for p in built.read_only) >= 1
        if "CHANGES" in request:
            assert "CHANGES.rst" in built.read_only


def test_no_prose_offered_without_code(shop: Path) -> None:
    from codeassist.context import is_prose

    _docs_heavy(shop)
    # Only one file may be offered: documentation ranks first, but it does not come alone.
    built = build_context(
        _req(shop, context_window=128_000, max_output_tokens=16_000, map_files=1), map_provider=FakeMapProvider()
    )
    assert built.read_only and not any(is_prose(p) for p in built.read_only)


def test_is_prose() -> None:
    from codeassist.context import is_prose

    for path in ("README", "README.md", "docs/api.html", "CHANGES.rst", "Cargo.lock", "yarn.lock", "go.sum", "x/NEWS"):
        assert is_prose(path), path
    for path in ("src/app.py", "docs.py", "src/changes.py", "package.json", "Makefile", "src/readme_test.go"):
        assert not is_prose(path), path


def _large(path: Path, tokens: int, line: str) -> None:
    from codeassist.tokens import estimate_tokens

    per = estimate_tokens(line.format(i=1000))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line.format(i=i) for i in range(1000, 1000 + tokens // per + 1)))


def test_a_candidate_too_large_keeps_its_slot(shop: Path) -> None:
    # The best candidate is over the cap for one file offered unasked (12k tokens at a 32k window).
    _large(shop / "shop" / "discount.py", 15_000, "def cart_total_discount_{i}(total: int) -> int:\n    return total\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "discounts")
    req = _req(shop, context_window=32_768, max_output_tokens=4_096, map_files=3)
    built = build_context(req, map_provider=FakeMapProvider())
    at = built.candidates.index("shop/discount.py")
    assert at < 3  # among the three best
    # It is listed by path, and the files ranked before it are shown whole; no weaker one takes its place.
    assert "shop/discount.py" not in built.read_only and "shop/discount.py" in built.related
    assert built.read_only == tuple(p for p in built.candidates[:3] if p != "shop/discount.py")


def test_a_large_code_file_does_not_hold_back_documentation_asked_for(shop: Path) -> None:
    # The map cannot show documentation, so the slot a large module keeps does not push it out.
    _large(shop / "shop" / "discount.py", 15_000, "def cart_total_discount_{i}(total: int) -> int:\n    return total\n")
    (shop / "docs").mkdir()
    (shop / "docs" / "notes.md").write_text("# Notes\n\nWhat applies.\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "discounts")
    req = _req(shop, request="docs: how the cart total applies a discount", context_window=32_768)
    probe = build_context(req, map_provider=FakeMapProvider())
    at = probe.candidates.index("shop/discount.py")
    assert probe.candidates[at + 1 : at + 3] == ("docs/notes.md", "tests/test_cart.py")
    # Slots for the files before it, itself, and the documentation; the next code file waits.
    built = build_context(replace(req, map_files=at + 2), map_provider=FakeMapProvider())
    assert built.read_only == (*probe.candidates[:at], "docs/notes.md")


def test_a_request_about_tests_may_see_one_large_test_file(shop: Path) -> None:
    # Over the cap for one source file offered unasked at 128k (a quarter of the budget), under half of it.
    line = "def test_cart_total_discount_{i}() -> None:\n    assert Cart().total() == 0\n"
    _large(shop / "tests" / "test_discount.py", 35_000, line)
    _large(shop / "tests" / "test_discount_more.py", 35_000, line)
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "tests")
    window = {"context_window": 128_000, "max_output_tokens": 16_000, "map_files": 3}
    about_tests = build_context(_req(shop, request="test: cover the cart total discount", **window))
    large = {"tests/test_discount.py", "tests/test_discount_more.py"}
    assert set(about_tests.candidates[:2]) == large
    assert len(large & set(about_tests.read_only)) == 1  # one, the better ranked; the other is listed
    assert about_tests.read_only[0] == about_tests.candidates[0]
    assert about_tests.total_tokens <= about_tests.budget
    code_change = build_context(_req(shop, request="make the cart total discount apply", **window))
    assert not large & set(code_change.read_only)
    assert large <= set(code_change.related) | set(code_change.map_files)
