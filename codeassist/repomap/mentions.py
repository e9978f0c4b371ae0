"""Files a request names: by path, path suffix, base name or a distinctive stem.

:func:`mentioned_files` gives the same answer as looking at every path in
turn (:func:`mentioned_files_slowly`, kept as the definition and for the
tests) without that loop, which cost a warm map 0.2-0.4 s at 100k paths:
base names and stems are looked up in :class:`PathNames` (stored with the
graph, so a warm process decodes only the buckets of the request's words),
and the rare word with a slash in it is searched for in all paths at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

_WORD = re.compile(r"[^\s`'\"(),;<>\[\]{}]+")
MIN_STEM = 5  # shorter file stems ("main", "util") are too common to count as a mention


def _words(query: str) -> set[str]:
    words = {w.rstrip(".:!?") for w in _WORD.findall(query)}
    words.discard("")
    return words


def mentioned_files_slowly(query: str, paths: Sequence[str]) -> list[int]:
    """The definition: a file is named when the request holds its path, its base name, a path
    suffix with a slash in it, or (any case) its stem of at least :data:`MIN_STEM` characters."""
    words = _words(query)
    if not words:
        return []
    lowered = {w.lower() for w in words}
    hits = []
    for i, path in enumerate(paths):
        base = path.rsplit("/", 1)[-1]
        stem = base.split(".", 1)[0].lower()
        if path in words or base in words or (len(stem) >= MIN_STEM and stem in lowered):
            hits.append(i)
        elif any("/" in w and path.endswith("/" + w.lstrip("./")) for w in words):
            hits.append(i)
    return hits


class Lookup(Protocol):
    def get(self, key: str, /) -> tuple[int, ...] | None: ...


@dataclass(frozen=True)
class PathNames:
    """File indices by base name, and by lower-cased stem of at least :data:`MIN_STEM` characters."""

    bases: Lookup
    stems: Lookup

    @staticmethod
    def tables(paths: Sequence[str]) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
        bases: dict[str, list[int]] = {}
        stems: dict[str, list[int]] = {}
        for i, path in enumerate(paths):
            base = path.rsplit("/", 1)[-1]
            bases.setdefault(base, []).append(i)
            stem = base.split(".", 1)[0].lower()
            if len(stem) >= MIN_STEM:
                stems.setdefault(stem, []).append(i)
        return _frozen(bases), _frozen(stems)

    @classmethod
    def of(cls, paths: Sequence[str]) -> PathNames:
        bases, stems = cls.tables(paths)
        return cls(bases, stems)


def _frozen(table: Mapping[str, list[int]]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v) for k, v in table.items()}


def mentioned_files(query: str, paths: Sequence[str], names: PathNames | None = None) -> list[int]:
    """Indices of the files the request names (see :func:`mentioned_files_slowly`), ascending.

    ``names`` are ``paths``' :class:`PathNames` (made here when not given).
    """
    words = _words(query)
    if not words:
        return []
    if names is None:
        names = PathNames.of(paths)
    hits: set[int] = set()
    for w in words:
        if "/" not in w:  # a path without a slash is its own base name
            hits.update(names.bases.get(w) or ())
    for w in {w.lower() for w in words}:
        hits.update(names.stems.get(w) or ())
    # A path holds no NUL: a word with one names nothing.
    slashed = [w for w in words if "/" in w and "\0" not in w]
    if slashed:
        hits.update(_slashed_hits(paths, slashed))
    return sorted(hits)


def _slashed_hits(paths: Sequence[str], words: Sequence[str]) -> set[int]:
    """Files whose whole path is one of ``words`` or ends with one (after a slash), found in one string."""
    text = "\0" + "\0".join(paths) + "\0"  # a match that ends at a NUL ends a path
    ends: set[int] = set()
    for w in words:
        at = text.find("\0" + w + "\0")  # the whole path
        if at >= 0:
            ends.add(at + len(w) + 1)
        needle = "/" + w.lstrip("./") + "\0"  # a suffix
        at = text.find(needle)
        while at >= 0:
            ends.add(at + len(needle) - 1)
            at = text.find(needle, at + 1)
    return _indices(text, ends)


def _indices(text: str, ends: set[int]) -> set[int]:
    """The path index of each NUL position in ``ends`` (the NULs before it, less the leading one)."""
    out = set()
    seen, last = 0, 0
    for e in sorted(ends):
        seen += text.count("\0", last, e)
        last = e
        out.add(seen - 1)
    return out
