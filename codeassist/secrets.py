"""Likely secrets in text: provider key shapes and high-entropy values assigned to secret-like names.

``find_secrets(text)`` is the one detector the project shares: the review's
checks report what it finds (never the secret itself: :attr:`SecretMatch.redacted`
keeps a few characters to recognise it by), and the opt-in record
(:mod:`codeassist.learn.scrub`) replaces every span :func:`secret_spans` finds
before anything is stored.

Two kinds of evidence, chosen to keep false alarms rare:

* **anchored key shapes**: prefixes providers put on their keys (``sk-proj-``,
  ``ghp_``, ``AKIA``...) followed by enough key characters, matched on word
  boundaries so ``task-manager`` or a base64 blob does not match;
* **entropy gated by a name**: a quoted or bare value of 16+ characters with
  high Shannon entropy, assigned to a name like ``password``, ``token`` or
  ``secret``. Values that look like placeholders (``changeme``, ``<token>``,
  ``${VAR}``, ``os.environ[...]``) are skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["SecretMatch", "find_secrets", "redact", "secret_in_line", "secret_spans"]


@dataclass(frozen=True)
class SecretMatch:
    """A likely secret on ``line`` (1-based) starting at ``column`` (1-based); ``kind`` names its shape."""

    line: int
    column: int
    kind: str
    redacted: str


# Anchored on a non-key character (or line start) on both sides.
_B = r"(?<![A-Za-z0-9_\-])"
_E = r"(?![A-Za-z0-9_\-])"
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("Anthropic API key", _B + r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,}" + _E),
        ("OpenAI API key", _B + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}" + _E),
        ("OpenAI API key", _B + r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _E),
        ("OpenAI API key", _B + r"sk-(?!ant-)[A-Za-z0-9]{40,}" + _E),
        ("Google API key", _B + r"AIza[0-9A-Za-z_\-]{35}" + _E),
        ("GitHub token", _B + r"gh[pousr]_[A-Za-z0-9]{36,255}" + _E),
        ("GitHub token", _B + r"github_pat_[A-Za-z0-9_]{70,}" + _E),
        ("AWS access key id", r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
        ("Slack token", _B + r"xox[abposr]-[A-Za-z0-9\-]{10,}" + _E),
        ("Slack webhook", r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
        ("Stripe key", _B + r"(?:sk|rk)_live_[A-Za-z0-9]{20,}" + _E),
        ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    )
)

_NAME = (
    r"[A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|auth|credential"
    r"|private[_\-]?key)[A-Za-z0-9_.\-]*"
)
# name = "value" / name: value / "name": "value" / NAME=value (shell, .env)
_ASSIGNED = re.compile(
    r"(?i)(?P<name>[\"']?" + _NAME + r"[\"']?)\s*(?::=|=>|[:=])\s*(?P<q>[\"'`]?)(?P<value>[^\s\"'`,;)]{16,})(?P=q)"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|<.*>|\{.*\}|\$\{?.*|%\(.*|changeme.*|your[_\-].*|example.*|dummy.*|test.*|fake.*|"
    r"placeholder.*|redacted.*|none|null|true|false)$"
)
_CODE_LIKE = re.compile(r"[()\[\]]|^(?:os\.|env\.|process\.|self\.|settings\.|config\.)|\.get$")
# Every shape above and every name _ASSIGNED accepts contains one of these.
_HINT = re.compile(
    r"sk-|AIza|gh[pousr]_|github_pat_|AKIA|ASIA|xox|hooks\.slack|_live_|PRIVATE KEY"
    r"|(?i:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|auth|credential|private[_\-]?key)"
)
_MIN_ENTROPY = 3.5  # bits per character; hex digests of 32+ characters reach 3.7, English words stay under 3.3


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def redact(secret: str) -> str:
    """The first four characters and the length: enough to find it, not to use it."""
    return f"{secret[:4]}...({len(secret)} chars)"


def find_secrets(text: str) -> list[SecretMatch]:
    """Every likely secret in ``text``, in order; at most one per line."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        match = secret_in_line(line, number)
        if match is not None:
            out.append(match)
    return out


def secret_in_line(line: str, number: int = 1) -> SecretMatch | None:
    """The likely secret on one line (numbered ``number``), or None."""
    if len(line) > 4000:  # minified bundles and data lines: too costly, and keys there are not hand-written
        line = line[:4000]
    if not _HINT.search(line):  # most lines: one cheap search instead of a dozen
        return None
    for kind, pattern in _SHAPES:
        m = pattern.search(line)
        if m:
            return SecretMatch(number, m.start() + 1, kind, redact(m.group(0)))
    m = _ASSIGNED.search(line)
    if m and _looks_secret(m.group("value")):
        name = m.group("name").strip("\"'")
        return SecretMatch(number, m.start("value") + 1, f"high-entropy value for {name}", redact(m.group("value")))
    return None


def _looks_secret(value: str) -> bool:
    """A value assigned to a secret-like name that is not a placeholder, code, or a plain word."""
    return (
        not _PLACEHOLDER.match(value)
        and not _CODE_LIKE.search(value)
        and entropy(value) >= _MIN_ENTROPY
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


def secret_spans(text: str) -> list[tuple[int, int, str]]:
    """Every key shape and every secret-looking assigned value in ``text``: (start, end, kind), by offset.

    Unlike :func:`find_secrets` (one finding a line, for a report), every
    match of every line, so that a caller can take them all out; long lines
    are searched whole.
    """
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if _HINT.search(line):
            for kind, pattern in _SHAPES:
                spans += [(offset + m.start(), offset + m.end(), kind) for m in pattern.finditer(line)]
            for m in _ASSIGNED.finditer(line):
                if _looks_secret(m.group("value")):
                    spans.append((offset + m.start("value"), offset + m.end("value"), "assigned-secret"))
        offset += len(line)
    return sorted(spans)
