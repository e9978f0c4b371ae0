"""Offline token estimates per model family, and their calibration from server usage.

No tokenizer is downloaded or loaded: an estimate is a weighted sum of a few
counts that BPE token counts are nearly linear in (words, digits, symbols,
newlines, indentation runs, characters of other scripts), scaled per model
family. The weights were fitted against exact tokenizers (o200k_base,
cl100k_base, Llama 3, Qwen) on code and prose by
``benchmarks/token_calibration.py``; results in BENCHMARKS.md. Families
without a public tokenizer (Claude, Gemini, Mistral...) get a factor from
published comparisons, erring high.

Estimates err high on purpose (:data:`SAFETY`), so that a prompt built to a
budget fits the real window. :class:`Calibration` then learns, from the input
tokens the server reports, how far off the estimates are for the model in use
and scales later ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

FEATURES = ("words", "long_letters", "digits", "symbols", "newlines", "space_runs", "non_ascii")

# Tokens per feature, least-squares fit on o200k_base (cl100k, Llama 3 and
# Qwen fit within 2% of these). long_letters and non_ascii are set by hand:
# the code corpus has too few long words and other scripts to fit them.
WEIGHTS: tuple[float, ...] = (1.2248, 0.25, 1.59, 0.2242, 0.6906, 1.2293, 1.0)

# How many more tokens a family's tokenizer spends than the fitted one.
FAMILY_FACTORS: dict[str, float] = {
    "gpt": 1.0,
    "o": 1.0,
    "llama": 1.0,
    "qwen": 1.0,
    "deepseek": 1.05,
    "gemini": 1.05,
    "mistral": 1.15,
    "claude": 1.25,
    "default": 1.2,
}
# Kept for callers that think in characters per token (about 4.1 for code).
FAMILY_RATIOS: dict[str, float] = {fam: round(4.1 / f, 2) for fam, f in FAMILY_FACTORS.items()}

# The fit's 5th percentile of estimate/actual is 0.905: this brings it to ~1.0.
SAFETY = 1.1

_FAMILY_NAMES = ("gpt", "claude", "gemini", "llama", "qwen", "deepseek", "mistral", "codestral", "devstral")

# Latin (accented included), Greek and Cyrillic words cost about the same as English ones.
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]+")
_WORD_EXTRA = re.compile(r"[\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]")
_DIGIT = re.compile(r"\d")
_SPACE_RUN = re.compile(r"[ \t]{2,}")


def family_of(model: str | None) -> str:
    """The tokenizer family of ``model`` (a key of :data:`FAMILY_FACTORS`)."""
    if not model:
        return "default"
    name = model.rsplit("/", 1)[-1].lower()
    for fam in _FAMILY_NAMES:
        if fam in name:
            return "mistral" if fam in ("codestral", "devstral") else fam
    if re.match(r"o\d", name):
        return "o"
    return "default"


def features(text: str) -> tuple[int, int, int, int, int, int, int]:
    """The counts of :data:`FEATURES` for ``text``."""
    words = _WORD.findall(text)
    lengths = list(map(len, words))
    letters = sum(lengths)
    long_letters = sum(n - 8 for n in lengths if n > 8)
    digits = len(_DIGIT.findall(text))
    spaces = len(text) - len("".join(text.split()))
    # Other scripts (CJK, emoji...) cost about a token a character; astral ones (emoji) two.
    other = len(text) - len(text.encode("ascii", "ignore")) - len(_WORD_EXTRA.findall(text))
    astral = len(text.encode("utf-16-le")) // 2 - len(text)
    symbols = max(0, len(text) - letters - digits - spaces - other)
    newlines = text.count("\n")
    return (len(words), long_letters, digits, symbols, newlines, len(_SPACE_RUN.findall(text)), other + astral)


def raw_estimate(text: str, model: str | None = None) -> float:
    """The fitted estimate before the safety margin (what the tokenizer most likely says)."""
    if not text:
        return 0.0
    counts = features(text)
    return sum(w * c for w, c in zip(WEIGHTS, counts, strict=True)) * FAMILY_FACTORS[family_of(model)]


def estimate_tokens(text: str, model: str | None = None) -> int:
    """An upper-leaning estimate of the tokens ``text`` costs for ``model``."""
    if not text:
        return 0
    return math.ceil(raw_estimate(text, model) * SAFETY)


@dataclass
class Calibration:
    """Learns how far estimates are from what a server counts, for one model in one session.

    Feed it the estimate of each request's input and the input tokens the
    server reported (:meth:`observe`; skip usage marked ``estimated``).
    :meth:`calibrated_estimate` then scales estimates so that they again sit
    :data:`SAFETY` above what the server would count. Evidence is weighted
    by tokens and trusted fully only after ``full_trust_tokens``, so one odd
    request cannot swing it; the factor stays within [floor, ceiling].
    """

    model: str | None = None
    floor: float = 0.5
    ceiling: float = 3.0
    full_trust_tokens: int = 20_000
    pairs: list[tuple[int, int]] = field(default_factory=list)

    def observe(self, estimate: int, actual: int) -> None:
        """Record one request: ``estimate`` by :func:`estimate_tokens`, ``actual`` input tokens reported."""
        if estimate > 0 and actual > 0:
            self.pairs.append((estimate, actual))

    @property
    def factor(self) -> float:
        """What to multiply estimates by; 1.0 until something was observed."""
        if not self.pairs:
            return 1.0
        est = sum(e for e, _ in self.pairs)
        act = sum(a for _, a in self.pairs)
        expected = 1 / SAFETY  # actual/estimate when the estimates are exactly as designed
        confidence = min(1.0, est / self.full_trust_tokens)
        ratio = expected + (act / est - expected) * confidence
        return min(self.ceiling, max(self.floor, ratio * SAFETY))

    def calibrated_estimate(self, text: str) -> int:
        """:func:`estimate_tokens` scaled by what this session observed."""
        return math.ceil(estimate_tokens(text, self.model) * self.factor)
