"""Secrets taken out of text before anything is stored.

The patterns are anchored on the documented shapes of provider keys (a
prefix, then the key's own alphabet and length), so ordinary code is left
alone. They are looser than the review's (:mod:`codeassist.secrets`: a false
match here only hides a string, there it blocks a commit), and the review's
detector runs after them, so whatever a commit would be blocked for (a
high-entropy value assigned to ``password``, ``token``..., a Slack webhook)
is taken out too. A match is replaced by ``[REDACTED:<kind>]``, which keeps
the text readable for training and tells a reader what was there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codeassist.secrets import secret_spans

# kind -> pattern; checked in this order (the longer prefixes first).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r".*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            re.DOTALL,
        ),
    ),
    ("anthropic", re.compile(r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}")),
    ("openai-project", re.compile(r"(?<![A-Za-z0-9_-])sk-proj-[A-Za-z0-9_-]{20,}")),
    ("stripe", re.compile(r"(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{16,}")),
    ("openai", re.compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{20,}(?:T3BlbkFJ[A-Za-z0-9]{20,})?")),
    ("google", re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}")),
    ("github-pat", re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}")),
    ("github", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}")),
    ("aws-access-key", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("slack", re.compile(r"(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,}")),
)


@dataclass(frozen=True)
class Scrubbed:
    """The text with secrets replaced, and the kinds found (sorted, each once)."""

    text: str
    kinds: tuple[str, ...]


def scrub_text(text: str) -> Scrubbed:
    """Replace every secret in ``text`` by ``[REDACTED:<kind>]``."""
    found: set[str] = set()
    for kind, pattern in _PATTERNS:
        text, count = pattern.subn(f"[REDACTED:{kind}]", text)
        if count:
            found.add(kind)
    parts: list[str] = []
    end = 0
    for start, stop, kind in secret_spans(text):
        if start < end:  # inside a span already taken out
            continue
        label = kind.lower().replace(" ", "-")
        parts += [text[end:start], f"[REDACTED:{label}]"]
        found.add(label)
        end = stop
    if parts:
        text = "".join(parts) + text[end:]
    return Scrubbed(text, tuple(sorted(found)))


def scrub(text: str) -> str:
    """``text`` without its secrets."""
    return scrub_text(text).text


def scrub_json(value: object) -> object:
    """Every string inside a JSON-like value (dicts, lists, strings), scrubbed; keys included."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(v) for v in value]
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_json(v) for k, v in value.items()}
    return value
