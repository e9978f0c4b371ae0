"""What a review reports: :class:`Finding` values, their severities and the JSON shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("warning", "error")  # ascending
# Where a finding comes from; each offline check is also a rule name that config and
# the inline marker (``codeassist: allow secret``) can switch off.
SOURCES = ("syntax", "conflict-marker", "secret", "large-file", "debug-leftover", "model")


@dataclass(frozen=True)
class Finding:
    """One problem at ``path``:``line`` (1-based; 0 when it concerns the whole file)."""

    path: str
    line: int
    end_line: int
    severity: Severity
    rule: str
    message: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            str(data["path"]),
            int(data["line"]),
            int(data["end_line"]),
            "error" if data["severity"] == "error" else "warning",
            str(data["rule"]),
            str(data["message"]),
            str(data["source"]),
        )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable, deterministic order: by path, line, then rule and message; duplicates dropped."""
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.end_line, f.rule, f.message, f.severity))


def blocks(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding is at or above ``fail_on`` (``error``, ``warning`` or ``never``)."""
    if fail_on == "never":
        return False
    threshold = SEVERITIES.index("error" if fail_on == "error" else "warning")
    return any(SEVERITIES.index(f.severity) >= threshold for f in findings)
