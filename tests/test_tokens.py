"""Offline token estimates: accuracy against real tokenizer counts, families, calibration."""

from __future__ import annotations

import pytest
from openai_server import OpenAIServer, Text

from codeassist.backends.base import Message, RequestOptions
from codeassist.backends.openai_compat import OpenAICompatBackend, RetryPolicy
from codeassist.backends.presets import Endpoint
from codeassist.tokens import SAFETY, Calibration, estimate_tokens, family_of, features, raw_estimate

# Exact o200k_base counts (gpt-4o, gpt-4.1, o-series), measured offline with an
# exact BPE tokenizer (benchmarks/token_calibration.py explains how).
O200K = {
    "python": (
        'def apply_discount(total: int, percent: float) -> int:\n    """Return total minus percent, rounded half '
        'up."""\n    if not 0 <= percent <= 100:\n        raise ValueError(f"bad percent: {percent}")\n    return '
        "total - round(total * percent / 100)\n",
        60,
    ),
    "prose": (
        "Point codeassist at any OpenAI-compatible endpoint and have a streamed conversation with it. The model is a "
        "commodity that a user swaps freely; the product is everything around it.",
        35,
    ),
    "json": ('{"id": 12345, "name": "widget", "tags": ["a", "b"], "price": 19.99, "in_stock": true}', 36),
    "js": (
        "const fetchUserProfileSettings = async (requestContext) => {\n  return await userProfileRepository."
        "findByIdentifier(requestContext.authenticatedUserIdentifier);\n};\n",
        30,
    ),
    "diff": (
        "--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -10,7 +10,7 @@ class Cart:\n     def total(self) -> int:\n-"
        "        return sum(i.price for i in self.items)\n+        return apply_discount(sum(i.price for i in "
        "self.items), 10)\n",
        62,
    ),
    "cjk": ("这是一个用于测试的中文句子，包含一些常见的词语和标点符号。", 22),
}


@pytest.mark.parametrize("name", sorted(O200K))
def test_estimates_err_high_but_not_by_much(name: str) -> None:
    text, actual = O200K[name]
    estimate = estimate_tokens(text, "gpt-4o")
    assert actual <= estimate <= actual * 1.5, (estimate, actual)


def test_empty_and_deterministic() -> None:
    assert estimate_tokens("") == 0
    text = O200K["python"][0]
    assert estimate_tokens(text, "gpt-4o") == estimate_tokens(text, "gpt-4o")
    assert estimate_tokens(text * 10, "gpt-4o") >= 10 * estimate_tokens(text, "gpt-4o") - 10


def test_family_factors_order() -> None:
    text = O200K["python"][0]
    assert (
        estimate_tokens(text, "gpt-4o") < estimate_tokens(text, "claude-sonnet-4") <= estimate_tokens(text, None) * 1.1
    )
    assert raw_estimate(text, "gpt-4o") * SAFETY == pytest.approx(raw_estimate(text, "o3") * SAFETY)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gpt-4.1", "gpt"),
        ("openrouter/anthropic/claude-sonnet-4", "claude"),
        ("o4-mini", "o"),
        ("ollama/qwen2.5-coder:7b", "qwen"),
        ("codestral-latest", "mistral"),
        ("devstral-small", "mistral"),
        ("deepseek-chat", "deepseek"),
        ("gemini-2.5-pro", "gemini"),
        ("llama3.1", "llama"),
        ("acme", "default"),
        (None, "default"),
    ],
)
def test_family_of(model: str | None, family: str) -> None:
    assert family_of(model) == family


def test_features() -> None:
    # words, letters beyond 8 per word, digits, symbols, newlines, indentation runs, other scripts
    assert features("def f(x):\n    return 12\n") == (4, 0, 2, 3, 2, 1, 0)
    assert features("authenticatedUserIdentifier") == (1, 19, 0, 0, 0, 0, 0)
    assert features("naïve café") == (2, 0, 0, 0, 0, 0, 0)
    assert features("中文🎉") == (0, 0, 0, 0, 0, 0, 4)


def test_calibration_starts_neutral_and_learns_underestimates() -> None:
    cal = Calibration("my-model")
    text = O200K["prose"][0]
    assert cal.factor == 1.0 and cal.calibrated_estimate(text) == estimate_tokens(text, "my-model")
    cal.observe(20_000, 40_000)  # the server counts twice what we estimated
    assert cal.factor == pytest.approx(2.0 * SAFETY)
    assert cal.calibrated_estimate(text) >= 2 * estimate_tokens(text, "my-model")


def test_calibration_trusts_little_evidence_little() -> None:
    cal = Calibration()
    cal.observe(2_000, 4_000)  # a tenth of full trust
    assert 1.0 < cal.factor < 1.2


def test_calibration_keeps_the_margin_when_estimates_are_as_designed() -> None:
    cal = Calibration()
    cal.observe(11_000, 10_000)
    cal.observe(22_000, 20_000)
    assert cal.factor == pytest.approx(1.0)


def test_calibration_bounds_and_ignores_empty_observations() -> None:
    cal = Calibration()
    cal.observe(0, 100)
    cal.observe(100, 0)
    assert cal.pairs == []
    cal.observe(50_000, 1_000_000)
    assert cal.factor == cal.ceiling
    low = Calibration()
    low.observe(50_000, 100)
    assert low.factor == low.floor


def test_calibration_from_reported_usage(openai_server: OpenAIServer) -> None:
    """What the session does: estimate the prompt, read the server's input tokens, scale later estimates."""
    prompt = O200K["python"][0] * 200
    estimate = estimate_tokens(prompt, "my-model")
    openai_server.enqueue(Text("ok", input_tokens=estimate * 3))
    backend = OpenAICompatBackend(
        Endpoint("my-model", openai_server.base_url, "k", "OPENAI_API_KEY"), retry=RetryPolicy(0)
    )
    cal = Calibration("my-model")
    for event in backend.stream([Message("user", prompt)], RequestOptions("my-model")):
        if event.usage is not None and not event.usage.estimated:
            cal.observe(estimate, event.usage.input_tokens)
    assert cal.calibrated_estimate(prompt) > 2 * estimate
