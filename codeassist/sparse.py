"""Which paths a sparse checkout leaves out of the work tree.

In a sparse checkout (``git sparse-checkout``) a tracked file outside the
cone is absent from the work tree but present in the index with the
skip-worktree bit: writing it would look like creating a new file, and the
commit would silently replace the tracked content. Such paths, and new files
outside the cone (``git add`` refuses them), are refused instead.

:func:`load` reads the state once per repository; :meth:`Sparse.outside`
answers per path without running git again. The sparse-checkout file uses
gitignore syntax in both cone and non-cone mode, with "included" for
"ignored", so one matcher serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from codeassist.git import run_git


@dataclass(frozen=True)
class Sparse:
    """The skip-worktree paths and the sparse-checkout patterns of one work tree."""

    skipped: frozenset[str]
    patterns: tuple[str, ...]

    def outside(self, rel: str) -> bool:
        """True when ``rel`` is outside the sparse checkout (tracked but skipped, or not in the patterns)."""
        if rel in self.skipped:
            return True
        if not self.patterns:
            return False
        return not _spec(self.patterns).match_file(rel)


@lru_cache(maxsize=8)
def _spec(patterns: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def load(root: Path) -> Sparse | None:
    """The sparse state of the work tree at ``root``, or None when it is not a sparse checkout."""
    proc = run_git(root, "config", "--bool", "core.sparseCheckout", check=False)
    if proc.stdout.decode("ascii", "replace").strip() != "true":
        return None
    out = run_git(root, "ls-files", "-t", "-z", check=False).stdout
    skipped = frozenset(
        entry[2:].decode("utf-8", "surrogateescape") for entry in out.split(b"\0") if entry.startswith(b"S ")
    )
    path = run_git(root, "rev-parse", "--git-path", "info/sparse-checkout", check=False).stdout
    file = Path(path.decode("utf-8", "surrogateescape").strip())
    if not file.is_absolute():
        file = root / file
    try:
        lines = file.read_text("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    patterns = tuple(line for line in lines if line.strip() and not line.startswith("#"))
    return Sparse(skipped, patterns)
