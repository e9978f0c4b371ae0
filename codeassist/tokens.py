"""Offline token estimates per model family.

No tokenizer is downloaded: an estimate is the text's length in characters
divided by a family's characters-per-token ratio, with words and symbols
counted separately because code tokenises denser than prose. The estimate
errs high, so a prompt built to a budget fits the real window.
"""

from __future__ import annotations

import re

# Characters per token for prose-like text, by model family (measured against
# usage reported by the servers; see calibrate()).
FAMILY_RATIOS: dict[str, float] = {
    "gpt": 4.0,
    "o": 4.0,
    "claude": 3.5,
    "gemini": 4.0,
    "llama": 3.8,
    "qwen": 3.7,
    "deepseek": 3.7,
    "mistral": 3.6,
    "default": 3.6,
}

_WORDS = re.compile(r"[A-Za-z]+|\d+|\s+|[^\sA-Za-z\d]")


def family_of(model: str | None) -> str:
    if not model:
        return "default"
    name = model.rsplit("/", 1)[-1].lower()
    for fam in ("gpt", "claude", "gemini", "llama", "qwen", "deepseek", "mistral", "codestral"):
        if fam in name:
            return "mistral" if fam == "codestral" else fam
    if re.match(r"o\d", name):
        return "o"
    return "default"


def estimate_tokens(text: str, model: str | None = None) -> int:
    """An upper-leaning estimate of the tokens ``text`` costs for ``model``."""
    if not text:
        return 0
    ratio = FAMILY_RATIOS[family_of(model)]
    # Punctuation and digits are about a token each; letters follow the ratio.
    letters = sum(1 for _ in re.finditer(r"[A-Za-z]", text))
    symbols = sum(1 for ch in text if not ch.isalnum() and not ch.isspace())
    other = len(text) - letters - symbols
    return int(letters / ratio + symbols * 0.6 + other / (ratio * 2)) + 1
