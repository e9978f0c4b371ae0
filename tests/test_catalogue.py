"""The shipped model catalogue, lookups by every common spelling, config overrides, cost."""

from __future__ import annotations

import pytest

from codeassist.backends.base import Usage
from codeassist.backends.catalogue import (
    APIS,
    DEFAULT_CONTEXT_WINDOW,
    EDIT_FORMATS,
    catalogue,
    cost_usd,
    lookup_model,
    prices_as_of,
)
from codeassist.errors import ConfigError
from codeassist.tokens import FAMILY_RATIOS


def test_every_entry_is_valid() -> None:
    entries = catalogue()
    assert len(entries) >= 30
    for name, info in entries.items():
        assert name == info.name.lower()
        assert info.edit_format in EDIT_FORMATS and info.api in APIS
        assert 0 < info.max_output_tokens <= info.context_window
        assert info.family in FAMILY_RATIOS
        assert (info.input_price is None) == (info.output_price is None), name
    assert prices_as_of()[:4].isdigit()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt-4.1", "gpt-4.1"),
        ("GPT-4o", "gpt-4o"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("openrouter/anthropic/claude-sonnet-4", "claude-sonnet-4"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("anthropic/claude-3-7-sonnet-latest", "claude-3-7-sonnet"),
        ("ollama/qwen2.5-coder:7b", "qwen2.5-coder"),
        ("groq/meta-llama/llama-4-maverick-17b-128e-instruct", "llama-4-maverick"),
        ("o3-mini-high", "o3-mini"),
        ("o3", "o3"),
        ("mistral/codestral-2501", "codestral-latest"),
        ("gemini/gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash"),
        ("deepseek/deepseek-chat", "deepseek-chat"),
    ],
)
def test_lookup_spellings(name: str, expected: str) -> None:
    info = lookup_model(name)
    assert info.known and info.name == expected


def test_api_and_edit_format_choices() -> None:
    assert lookup_model("gpt-5").api == "responses" and lookup_model("gpt-5").edit_format == "patch"
    assert lookup_model("o4-mini").reasoning
    assert lookup_model("gpt-4.1").edit_format == "patch"
    assert lookup_model("claude-sonnet-4").api == "chat"


def test_unknown_model_gets_conservative_defaults() -> None:
    info = lookup_model("ollama/my-finetune:3b")
    assert not info.known
    assert info.context_window == DEFAULT_CONTEXT_WINDOW and info.api == "chat"
    assert info.edit_format == "search-replace" and info.input_price is None


def test_overrides_merge_on_top() -> None:
    overrides = {
        "gpt-4o": {"input_price": 2.0, "context_window": 64000},
        "ollama/my-finetune:3b": {"context-window": 32768, "edit_format": "whole", "input_price": 0, "output_price": 0},
    }
    info = lookup_model("gpt-4o-2024-08-06", overrides)
    assert (info.input_price, info.context_window, info.output_price) == (2.0, 64000, 10.0)
    mine = lookup_model("ollama/my-finetune:3b", overrides)
    assert mine.known and (mine.context_window, mine.edit_format, mine.input_price) == (32768, "whole", 0.0)
    assert lookup_model("gpt-4o").input_price == 2.5  # the shipped data is untouched


def test_the_exact_name_overrides_win_over_general_ones() -> None:
    overrides = {"qwen2.5-coder": {"context_window": 16384}, "ollama/qwen2.5-coder:7b": {"context_window": 8000}}
    assert lookup_model("ollama/qwen2.5-coder:7b", overrides).context_window == 8000
    assert lookup_model("ollama/qwen2.5-coder:14b", overrides).context_window == 16384


@pytest.mark.parametrize(
    "bad",
    [
        {"context_window": "big"},
        {"api": "soap"},
        {"edit_format": "magic"},
        {"colour": "red"},
        {"input_price": -1},
        {"reasoning": "yes"},
    ],
)
def test_bad_overrides_are_config_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as info:
        lookup_model("gpt-4o", {"gpt-4o": bad})
    assert info.value.exit_code == 3 and "gpt-4o" in info.value.message


def test_cost() -> None:
    info = lookup_model("gpt-4.1")  # $2 in, $0.50 cached, $8 out
    assert cost_usd(Usage(1_000_000, 0, 0), info) == pytest.approx(2.0)
    assert cost_usd(Usage(1_000_000, 400_000, 100_000), info) == pytest.approx(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8)
    assert cost_usd(Usage(10, 0, 10), lookup_model("some-unknown-model")) is None
    no_cache_price = lookup_model("codestral-latest")
    assert cost_usd(Usage(1000, 500, 0), no_cache_price) == pytest.approx(1000 * 0.3 / 1e6)
