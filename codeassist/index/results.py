"""What a refresh of the index reports and what the repo map reads from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexedFile:
    path: str
    lang: str
    blob: str


@dataclass(frozen=True)
class IndexStats:
    """What a refresh found and did. Counts are of files unless named otherwise."""

    files: int
    languages: dict[str, int]
    defs: int
    refs: int
    skipped: dict[str, int]
    not_utf8: int
    parsed: int
    reused: int
    git: bool
    cache_path: str | None
    cache_bytes: int
    timings: dict[str, float]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "languages": self.languages,
            "defs": self.defs,
            "refs": self.refs,
            "skipped": self.skipped,
            "not_utf8": self.not_utf8,
            "parsed": self.parsed,
            "reused": self.reused,
            "git": self.git,
            "cache_path": self.cache_path,
            "cache_bytes": self.cache_bytes,
            "timings": self.timings,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Snapshot:
    """The indexed (parsed, not skipped) files of one repository state."""

    files: tuple[IndexedFile, ...]
    dirty: tuple[str, ...]  # modified or untracked paths among all listed files
    state_key: str  # changes exactly when a path, its content or the tags version changes
    version: str
    warnings: tuple[str, ...] = ()
    # False: ``files`` was not read (``open_snapshot(files=False)``); ``with_files`` reads it.
    listed: bool = True
