"""The offline checks: fast, in-process, no network. Each looks at one changed file.

Line checks (conflict markers, secrets, debugging leftovers) read only the
lines the change adds, so what is already committed is not blamed on the
committer; syntax errors count only when the new version has problems its old
version did not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from codeassist.review.changes import ChangedFile
from codeassist.review.findings import Finding, Severity
from codeassist.review.rules import ReviewConfig
from codeassist.secrets import secret_in_line

_CONFLICT = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: |$)")
_SEPARATOR = re.compile(r"^={7}$")

# (rule text, pattern, severity) per language: breakpoints stop the program (error); prints are noise (warning).
_BREAKPOINTS: dict[str, tuple[tuple[str, re.Pattern[str], str], ...]] = {
    "python": (
        ("breakpoint()", re.compile(r"(?<![\w.])breakpoint\(\s*\)"), "error"),
        ("pdb.set_trace()", re.compile(r"\b(?:i?pdb|pudb|ipdb)\.set_trace\("), "error"),
    ),
    "javascript": (("debugger;", re.compile(r"^\s*debugger\s*;?\s*$"), "error"),),
    "typescript": (("debugger;", re.compile(r"^\s*debugger\s*;?\s*$"), "error"),),
    "tsx": (("debugger;", re.compile(r"^\s*debugger\s*;?\s*$"), "error"),),
    "rust": (("dbg!", re.compile(r"(?<![\w])dbg!\("), "warning"),),
    "ruby": (("binding.pry", re.compile(r"\bbinding\.(?:pry|irb)\b|^\s*byebug\s*$"), "error"),),
    "go": (("runtime.Breakpoint()", re.compile(r"\bruntime\.Breakpoint\(\)"), "error"),),
    "csharp": (("Debugger.Break()", re.compile(r"\bDebugger\.Break\(\)"), "error"),),
    "php": (("var_dump()", re.compile(r"(?<![\w$>])var_dump\("), "warning"),),
    "elixir": (("IEx.pry", re.compile(r"\bIEx\.pry\b"), "error"),),
}
# Printing is legitimate in most code; it is a leftover only in the paths configured for it.
_PRINTS: dict[str, tuple[str, re.Pattern[str]]] = {
    "javascript": ("console.log", re.compile(r"\bconsole\.(?:log|debug)\(")),
    "typescript": ("console.log", re.compile(r"\bconsole\.(?:log|debug)\(")),
    "tsx": ("console.log", re.compile(r"\bconsole\.(?:log|debug)\(")),
    "python": ("print()", re.compile(r"^\s*print\(")),
}
_COMMENT = re.compile(r"^\s*(?:#|//|--|/\*|\*)")


def conflict_markers(f: ChangedFile, lines: list[str]) -> list[Finding]:
    opened = any(line.startswith("<<<<<<<") for line in lines)
    out = []
    for n in sorted(f.added):
        if n > len(lines):
            continue
        line = lines[n - 1]
        # A lone ======= is a heading underline in Markdown and reStructuredText unless a conflict is open.
        if _CONFLICT.match(line) or (opened and _SEPARATOR.match(line)):
            message = f"merge conflict marker {line[:7]!r}"
            out.append(Finding(f.path, n, n, "error", "conflict-marker", message, "conflict-marker"))
    return out


def secrets(f: ChangedFile, lines: list[str]) -> list[Finding]:
    out = []
    for n in sorted(f.added):
        m = secret_in_line(lines[n - 1], n) if n <= len(lines) else None
        if m is not None:
            message = f"likely secret ({m.kind}): {m.redacted}"
            out.append(Finding(f.path, m.line, m.line, "error", "secret", message, "secret"))
    return out


def large_file(f: ChangedFile, limit: int) -> list[Finding]:
    size = len(f.new or b"")
    if size <= limit or (f.old is not None and len(f.old) > limit):
        return []  # a file that was already over the limit is not this change's doing
    message = f"file is {size:,} bytes, over the {limit:,} byte limit (review_max_file_bytes)"
    return [Finding(f.path, 0, 0, "error", "large-file", message, "large-file")]


def debug_leftovers(
    f: ChangedFile, lines: list[str], language: str | None, print_paths: Callable[[str], bool]
) -> list[Finding]:
    if language is None:
        return []
    patterns = list(_BREAKPOINTS.get(language, ()))
    if language in _PRINTS and print_paths(f.path):
        name, pattern = _PRINTS[language]
        patterns.append((name, pattern, "warning"))
    if not patterns:
        return []
    out = []
    for n in sorted(f.added):
        if n > len(lines) or _COMMENT.match(lines[n - 1]):
            continue
        for name, pattern, severity in patterns:
            if pattern.search(lines[n - 1]):
                sev: Severity = "error" if severity == "error" else "warning"
                message = f"debugging leftover: {name}"
                out.append(Finding(f.path, n, n, sev, "debug-leftover", message, "debug-leftover"))
                break
    return out


def syntax(f: ChangedFile) -> list[Finding]:
    from codeassist.index.syntax import new_syntax_problems

    assert f.new is not None
    problems = new_syntax_problems(f.path, f.old, f.new, limit=20)
    if problems and f.theirs is not None:
        from_them = {str(p) for p in new_syntax_problems(f.path, f.theirs, f.new, limit=20)}
        problems = [p for p in problems if str(p) in from_them]
    return [
        Finding(f.path, p.line, p.line, "error", "syntax", f"{p.message} (column {p.column})", "syntax")
        for p in problems
    ]


def check_file(f: ChangedFile, config: ReviewConfig, print_paths: Callable[[str], bool]) -> list[Finding]:
    """Every enabled offline check on one file (nothing for deletions, symlinks and binary content)."""
    if f.new is None or f.mode in ("120000", "160000"):
        return []
    out: list[Finding] = []
    if config.enabled("large-file"):
        out += large_file(f, config.max_file_bytes)
    if f.is_binary or len(f.new) > max(config.max_file_bytes, 1) * 4:
        return out
    from codeassist.index.languages import language_for_path

    language = language_for_path(f.path)
    lines = f.text().splitlines()
    if config.enabled("conflict-marker"):
        out += conflict_markers(f, lines)
    if config.enabled("secret"):
        out += secrets(f, lines)
    if config.enabled("debug-leftover"):
        out += debug_leftovers(f, lines, language, print_paths)
    if config.enabled("syntax") and language is not None and f.added:
        out += syntax(f)
    return out


def path_matcher(globs: Iterable[str]) -> Callable[[str], bool]:
    """A predicate for gitignore-style ``globs`` (none: matches nothing)."""
    patterns = [g for g in globs if g.strip()]
    if not patterns:
        return lambda path: False
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return lambda path: spec.match_file(path)
