"""The names a repository defines and the files that define them, from the index (the chat's ``@Symbol`` completion).

Read from the index as its last refresh left it (no parsing here; a
repository never indexed is indexed first). Names map to the files that
define them, sorted; a name defined in many files keeps them all.
"""

from __future__ import annotations

from pathlib import Path

from codeassist.index.indexer import open_snapshot
from codeassist.index.parse import load_defs


def definitions(root: Path) -> dict[str, tuple[str, ...]]:
    """Every defined name in the repository at ``root`` -> the files defining it, in path order."""
    cache, snap = open_snapshot(root, refresh=False)
    try:
        keys = [(f.blob, f.lang) for f in snap.files]
        stored = cache.tags_for(keys, snap.version)
    finally:
        cache.close()
    found: dict[str, set[str]] = {}
    for f, key in zip(snap.files, keys, strict=True):
        tags = stored.get(key)
        if tags is None:
            continue
        for name, *_ in load_defs(tags[0]):
            found.setdefault(name, set()).add(f.path)
    return {name: tuple(sorted(paths)) for name, paths in sorted(found.items())}
