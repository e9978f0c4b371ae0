"""Which rules run, and the inline marker that silences one on a line.

A rule is named after the source of its findings (``syntax``,
``conflict-marker``, ``secret``, ``large-file``, ``debug-leftover``,
``model``). ``review_disabled_rules`` turns rules off for a repository; a
line that carries ``codeassist: allow RULE`` (in any comment syntax, several
rules separated by commas or spaces), or the line just above it, silences that
rule there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codeassist.errors import ConfigError
from codeassist.review.findings import SOURCES, Finding

RULES = SOURCES
_MARKER = re.compile(r"codeassist:\s*allow\s+([a-z\-]+(?:[\s,]+[a-z\-]+)*)")
DEFAULT_MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class ReviewConfig:
    """The review's settings, taken from :class:`codeassist.config.Settings` by :func:`from_settings`."""

    disabled: frozenset[str] = frozenset()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # Globs (gitignore style) of the paths where a console.log or print is a leftover.
    debug_print_paths: tuple[str, ...] = ()
    timeout: float = 20.0
    fail_closed: bool = False
    context_lines: int = 10
    max_diff_chars: int = 60_000

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled

    def fingerprint(self) -> str:
        """What the cached result depends on besides the content."""
        return repr((sorted(self.disabled), self.max_file_bytes, self.debug_print_paths, self.context_lines))


def from_settings(settings: Any) -> ReviewConfig:
    disabled = frozenset(str(r).strip() for r in (settings.review_disabled_rules or []) if str(r).strip())
    unknown = sorted(disabled - set(RULES))
    if unknown:
        raise ConfigError(f"review_disabled_rules: unknown rule {unknown[0]!r}", hint="rules: " + ", ".join(RULES))
    timeout = float(settings.hook_timeout)
    if timeout <= 0:
        raise ConfigError("hook_timeout must be more than 0 seconds")
    return ReviewConfig(
        disabled=disabled,
        max_file_bytes=int(settings.review_max_file_bytes),
        debug_print_paths=tuple(settings.debug_leftover_paths or ()),
        timeout=timeout,
        fail_closed=bool(settings.hook_fail_closed),
    )


def allowed_rules(line: str) -> set[str]:
    """The rules a line's ``codeassist: allow ...`` marker names."""
    m = _MARKER.search(line)
    if not m:
        return set()
    return {w for w in re.split(r"[\s,]+", m.group(1)) if w in RULES}


def apply_markers(findings: Iterable[Finding], lines_of: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Drop findings whose line, or the line above, allows their rule."""
    kept = []
    for f in findings:
        lines = lines_of.get(f.path, ())
        allowed: set[str] = set()
        for n in (f.line, f.line - 1):
            if 1 <= n <= len(lines):
                allowed |= allowed_rules(lines[n - 1])
        if f.rule not in allowed:
            kept.append(f)
    return kept
