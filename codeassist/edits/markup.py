"""Reading the markdown around edits: path lines and code fences.

Models name the file an edit targets in many ways (``path``, `` `path` ``,
``**path**``, ``# path``, ``path:``, ``File: path``, a fence info string like
```` ```python:path ````); the parsers share these readers so that every
format tolerates the same variants.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Protocol

from codeassist.edits.types import Edit, ParseIssue

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<marks>`{3,}|~{3,})(?P<info>[^`]*)$")
_LANGS = frozenset(
    "python py js javascript ts typescript tsx jsx go rust rs java c cpp c++ h hpp cs csharp rb ruby php sh bash zsh"
    " shell console text txt diff patch json yaml yml toml ini md markdown html css scss sql kotlin swift scala lua"
    " r perl pl hs haskell ex elixir erl clojure dart vue svelte xml dockerfile makefile make cmake proto graphql"
    " plaintext output none".split()
)
_PREFIXES = re.compile(r"^(?:#{1,6}\s+|[-*]\s+|(?:new |modified |updated |the )?file(?:name|path)?\s*:\s*)", re.I)
_BAD_PATH_CHARS = re.compile(r"[\s<>|\"'*?]")
_DOTFILE = re.compile(r"^\.[A-Za-z0-9_][\w.-]*$")
_SENTENCE_TOKEN = re.compile(r"`([^`\s]+)`")
_KNOWN_NAMES = frozenset(
    "Makefile makefile GNUmakefile Dockerfile Containerfile LICENSE LICENCE COPYING NOTICE AUTHORS CONTRIBUTORS"
    " CODEOWNERS CHANGELOG README VERSION Procfile Gemfile Rakefile Justfile justfile".split()
)
# Jenkinsfile, Vagrantfile, Brewfile, Podfile, Caddyfile, Tiltfile: a capitalised word ending in "file".
_SOMETHINGFILE = re.compile(r"^(?!Profile$)[A-Z][a-z]+file$")


@dataclass(frozen=True)
class Fence:
    """An opening or closing code fence line."""

    marks: str  # the run of backticks or tildes, e.g. "````"
    info: str  # the info string after the marks, stripped ("" when closing)

    def closes(self, other: Fence) -> bool:
        """Whether this bare fence closes ``other`` (same character, at least as long)."""
        return not self.info and self.marks[0] == other.marks[0] and len(self.marks) >= len(other.marks)


def fence(line: str) -> Fence | None:
    """The fence on ``line``, or None if it is not a fence line."""
    head = line[:6]
    if "``" not in head and "~~" not in head:
        return None  # fast path: this runs on every line of a reply
    m = _FENCE.match(line.rstrip())
    if m is None:
        return None
    return Fence(m.group("marks"), m.group("info").strip())


def looks_like_path(text: str) -> bool:
    """Whether ``text`` (already cleaned) is plausibly a file path rather than prose or code."""
    if not text or len(text) > 300 or _BAD_PATH_CHARS.search(text):
        return False
    if text.endswith((":", ",", ";", "(", ")", "{", "}", "=")) or text.startswith(("-", "+", "@", "=", "<", ">")):
        return False
    # Checked before the language names: ``Makefile`` and ``Dockerfile`` are both.
    if is_known_file_name(text):
        return True
    if text.lower() in _LANGS:
        return False
    # A bare word is a path only if it is a well-known extensionless file name.
    dotfile = bool(_DOTFILE.match(text))  # .gitignore, .npmrc
    return "." in text.strip(".") or "/" in text or "\\" in text or dotfile


def is_known_file_name(name: str) -> bool:
    """Whether ``name`` is a well-known extensionless file name (``Makefile``, ``LICENSE``, ``Jenkinsfile``)."""
    return name in _KNOWN_NAMES or bool(_SOMETHINGFILE.match(name))


def _unemphasize(text: str) -> str:
    """``__a.py__`` or ``_a.py_`` to ``a.py``; leading underscores of names (``__init__.py``) stay."""
    for mark in ("__", "_"):
        if len(text) > 2 * len(mark) and text.startswith(mark) and text.endswith(mark):
            return text[len(mark) : -len(mark)]
    return text


def clean_name(raw: str) -> str:
    """Strip the decoration models put around paths: quotes, backquotes, bold, ``./``."""
    name = raw.strip()
    for _ in range(3):
        stripped = name.strip().strip("`'\"*").strip()
        if stripped.endswith(":") and not stripped.endswith("::"):
            stripped = stripped[:-1].rstrip()
        if stripped == name:
            break
        name = stripped
    name = name.replace("\\", "/") if os.sep == "\\" else name
    while name.startswith("./"):
        name = name[2:]
    return name


def path_from_line(line: str, sentence: bool = True) -> str | None:
    """The file path a line names, or None.

    Accepts ``path``, `` `path` ``, ``**path**``, ``# path``, ``path:``,
    ``File: path`` and combinations; with ``sentence``, a sentence ending
    with ``:`` that holds exactly one path-like backticked token also counts
    (``Change `a.py`:``).
    """
    text = line.strip()
    if not text or len(text) > 400:
        return None
    cleaned = _PREFIXES.sub("", text, count=1).strip()
    for _ in range(3):
        before = cleaned
        cleaned = _unemphasize(cleaned.strip("*`").rstrip(":").strip().strip("*`"))
        cleaned = _PREFIXES.sub("", cleaned, count=1).strip()
        if cleaned == before:
            break
    if looks_like_path(cleaned):
        return cleaned
    if sentence and text.endswith(":"):
        tokens = [t for t in _SENTENCE_TOKEN.findall(text) if looks_like_path(t)]
        if len(tokens) == 1:
            return tokens[0]
    return None


def path_from_fence(f: Fence) -> str | None:
    """A path given in a fence info string (```` ```python:src/a.py ```` or ```` ```src/a.py ````)."""
    info = f.info
    if not info:
        return None
    parts = info.split()
    candidates = [parts[0].split(":", 1)[1]] if ":" in parts[0] else []
    candidates += [p for p in parts if p.lower() not in _LANGS]
    for cand in candidates:
        cand = cand.strip("`*")
        if looks_like_path(cand) and ("/" in cand or "." in cand):
            return cand
    return None


_BARE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def path_before(
    lines: list[str], index: int, stop: int = 0, bare: bool = False, sentence: bool = True
) -> str | None:
    """The path named just before line ``index`` (0-based), looking back no further than ``stop``.

    Blank lines are skipped; an opening fence may carry the path itself or sit
    between the path line and ``index``. The first other line decides. With
    ``bare``, a lone extensionless name (``run``, ``configure``) also counts
    when it sits right above ``index`` or its fence, with no blank line between.
    Without ``sentence``, only a line that is a path (decorated or not)
    counts, not a sentence mentioning one (see :func:`path_from_line`).
    """
    i = index - 1
    adjacent = True
    while i >= stop:
        line = lines[i]
        if not line.strip():
            adjacent = False
            i -= 1
            continue
        f = fence(line)
        if f is not None:
            found = path_from_fence(f)
            if found is not None:
                return found
            i -= 1
            continue
        found = path_from_line(line, sentence)
        if found is None and bare and adjacent:
            name = line.strip().strip("`*").strip()
            if _BARE_NAME.match(name) and name.lower() not in _LANGS:
                return name
        return found
    return None


class FileLookup(Protocol):
    """What a parser may ask about the repository a reply is for (``PathResolver`` is one).

    Parsers read text; this only settles names the text alone leaves open
    (a bare ``run`` above a code block).
    """

    def unique_file(self, name: str) -> str | None:
        """The one existing file ``name`` names (its exact path, or its unique basename), else None."""
        ...

    def read_text(self, rel: str) -> str | None:
        """The file's text (``\\n`` line endings), or None when it cannot be read as text."""
        ...


@dataclass
class Parsed:
    """What one parser read from a reply: edits with the line they start on, issues, consumed line spans.

    Spans are 0-based half-open line ranges; ``parse_reply`` blanks them
    before running the next parser so that no text is read twice.
    """

    edits: list[tuple[int, Edit]]
    issues: list[ParseIssue]
    spans: list[tuple[int, int]]

    @classmethod
    def empty(cls) -> Parsed:
        return cls([], [], [])


def join_lines(lines: list[str]) -> str:
    """Lines (without endings) back to text with a final newline, or "" for no lines."""
    return "\n".join(lines) + "\n" if lines else ""
