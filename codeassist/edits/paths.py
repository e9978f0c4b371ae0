"""Turn the path a model wrote into a safe, repository-relative path.

Models name files loosely (``./p``, ``a/p`` from a diff header, `` `p` ``, a
bare basename). :class:`PathResolver` maps such a name onto the work tree and
refuses, with a reason a model can act on, anything it must not touch: paths
that leave the work tree (``..``, absolute paths elsewhere, symbolic links),
anything under ``.git/``, protected paths (:mod:`codeassist.protected`: git's
and codeassist's own files, secret stores), files the repository's file rule
hides (``.codeassistignore``, secret stores, codeassist's own config), paths
inside a submodule, in git's hooks directory or outside a sparse checkout's
cone, names too long for the file system, files git ignores, and binary or
non-UTF-8 files.

The repository is asked through :class:`RepoFiles` (the Workspace implements
it): this module runs no git itself.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from codeassist.edits.markup import clean_name
from codeassist.errors import TaskFailed
from codeassist.protected import protected_reason

BINARY_SNIFF_BYTES = 8192
NAME_MAX = 255  # bytes of one path component (Linux)
PATH_MAX = 4096
# read_text is for telling a file's rewrite from a snippet; bigger files are not rewritten whole.
READ_TEXT_LIMIT = 4 * 1024 * 1024
# Actions that may name a file that does not exist yet.
CREATING_ACTIONS = frozenset({"create", "write", "append"})


class PathRefused(TaskFailed):
    """An edit names a path codeassist must not or cannot touch."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Resolved:
    """A safe repository-relative path (POSIX separators) and whether it exists."""

    rel: str
    exists: bool


def is_binary(data: bytes) -> bool:
    """NUL in the first 8 KB, or not valid UTF-8 anywhere: not a text file we edit."""
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class RepoFiles(Protocol):
    """What the edits need to know of a repository (:class:`codeassist.workspace.Workspace`)."""

    root: Path

    def files(self) -> list[str]:
        """The files that exist for codeassist, sorted."""
        ...

    def hidden_reason(self, rel: str, *, sniff: bool = True) -> str | None:
        """Why the file rule hides ``rel`` from the model and from edits, or None."""
        ...

    def is_ignored(self, rel: str) -> bool:
        """Whether git ignores ``rel``."""
        ...

    def read_blob(self, sha: str) -> bytes | None:
        """A blob of the repository's object database, or None."""
        ...

    def in_history(self, rel: str) -> bool:
        """Whether a commit reachable from HEAD has ``rel`` (a file deleted since, say)."""
        ...

    def hooks_dir(self) -> str | None:
        """The hooks directory git runs, relative to the root, when it lies in the work tree (husky's .husky/)."""
        ...

    def outside_sparse(self, rel: str) -> bool:
        """Whether ``rel`` lies outside a sparse checkout's cone."""
        ...


class PathResolver:
    """Resolves and vets paths for one repository; caches the file list."""

    def __init__(self, repo: RepoFiles) -> None:
        self.repo = repo
        self.root = repo.root.resolve()
        self._files: list[str] | None = None
        self._by_name: dict[str, list[str]] | None = None  # basename -> files, for unique_file

    # ----- public -------------------------------------------------------

    def resolve(self, raw: str, action: str) -> Resolved:
        """The safe relative path for ``raw``; raises :class:`PathRefused`."""
        name = clean_name(raw)
        if not name:
            raise PathRefused(raw or "(empty)", "the edit names no file")
        _check_length(name, raw, self.root)
        try:
            rel = self._relative(name, raw)
            if not self._exists(rel) and action not in ("create",):
                rel = self._find_existing(rel, name, action) or rel
            self.check(rel, raw)
            exists = self._exists(rel)
        except (OSError, ValueError) as exc:  # a name the file system rejects (NUL byte, ELOOP...)
            raise PathRefused(raw, f"cannot use this path: {getattr(exc, 'strerror', None) or exc}") from None
        # A delete of a missing file is judged by the applier, which knows what the reply did before it.
        if not exists and action not in CREATING_ACTIONS and action != "delete":
            raise PathRefused(raw, "no such file in the repository")
        return Resolved(rel, exists)

    def tracked_ever(self, rel: str) -> bool:
        """Whether git knows ``rel``: in the index, or in a commit reachable from HEAD (deleted since)."""
        if rel in self.files():
            return True
        return self.repo.in_history(rel)

    def check(self, rel: str, raw: str | None = None) -> None:
        """Refuse ``rel`` if editing it would be unsafe; ``raw`` is named in the reason."""
        shown = raw if raw is not None else rel
        try:
            self._check(rel, shown)
        except (OSError, ValueError) as exc:  # a name the file system rejects (too long, NUL byte, ELOOP...)
            raise PathRefused(shown, f"cannot use this path: {getattr(exc, 'strerror', None) or exc}") from None

    def _check(self, rel: str, shown: str) -> None:
        parts = rel.split("/")
        if any(p.lower() == ".git" for p in parts):
            raise PathRefused(shown, "files under .git/ are never edited")
        reason = protected_reason(rel)
        if reason is not None:
            raise PathRefused(shown, reason)
        self._check_links(rel, shown)
        full = self.root / rel
        head = None
        if full.is_file():
            with full.open("rb") as fh:
                head = fh.read(BINARY_SNIFF_BYTES)
        reason = protected_reason(rel, head)  # now by content too: a private key under any name
        if reason is not None:
            raise PathRefused(shown, reason)
        hidden = self.repo.hidden_reason(rel)
        if hidden is not None:
            raise PathRefused(shown, f"{hidden}; codeassist never lets a reply change it")
        self._check_nested_repo(rel, shown)
        hooks = self.repo.hooks_dir()
        if hooks is not None and (rel.lower() + "/").startswith(hooks.lower() + "/"):
            why = "is where git runs hooks from (core.hooksPath); a reply never writes code a commit runs"
            raise PathRefused(shown, f"{hooks}/ {why}")
        if self.repo.outside_sparse(rel):
            raise PathRefused(
                shown,
                "outside this sparse checkout's cone (git sparse-checkout); "
                "the user must add its directory with `git sparse-checkout add DIR` first",
            )
        if self.repo.is_ignored(rel):
            raise PathRefused(shown, "ignored by git (.gitignore); codeassist does not edit ignored files")
        if head is not None:
            if b"\0" in head:
                raise PathRefused(shown, "binary file; binary files are never edited")
        elif full.exists():
            raise PathRefused(shown, "not a regular file")

    def _check_nested_repo(self, rel: str, shown: str) -> None:
        """Refuse a path inside a submodule or another nested repository: its files are not this repository's."""
        parts = rel.split("/")
        known = set(self.files())
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            gitlink = prefix in known and (self.root / prefix).is_dir()  # a directory git lists as one entry
            if gitlink or os.path.lexists(self.root / prefix / ".git"):
                raise PathRefused(
                    shown, f"inside the submodule (nested git repository) {prefix}; edit it in that repository"
                )
            if not (self.root / prefix).is_dir():
                return

    def files(self) -> list[str]:
        """The files that exist for codeassist (the repository's file rule), sorted."""
        if self._files is None:
            self._files = self.repo.files()
        return self._files

    def unique_file(self, name: str) -> str | None:
        """The one existing file ``name`` names: its exact path, else the only file ending with it.

        Part of :class:`codeassist.edits.markup.FileLookup`; never raises for
        a bad name (it names no file), and vets nothing: ``resolve`` does.
        """
        name = clean_name(name)
        if not name or name.startswith("/") or any(p in ("..", "") for p in name.split("/")):
            return None
        if (self.root / name).is_file():
            return name
        if self._by_name is None:
            self._by_name = {}
            for f in self.files():
                self._by_name.setdefault(posixpath.basename(f), []).append(f)
        hits = self._by_name.get(posixpath.basename(name), [])
        if "/" in name:
            hits = [f for f in hits if f.endswith("/" + name)]
        return hits[0] if len(hits) == 1 and (self.root / hits[0]).is_file() else None

    def read_text(self, rel: str) -> str | None:
        """The text of ``rel`` with ``\\n`` line endings, or None if missing, binary, not UTF-8 or huge."""
        path = self.root / rel
        try:
            if self.root not in path.resolve().parents:
                return None  # a link out of the work tree is never read, even to compare lines
            with path.open("rb") as fh:
                data = fh.read(READ_TEXT_LIMIT + 1)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
            return None
        if len(data) > READ_TEXT_LIMIT or is_binary(data):
            return None
        return data.decode("utf-8-sig").replace("\r\n", "\n")

    # ----- steps --------------------------------------------------------

    def _relative(self, name: str, raw: str) -> str:
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            try:
                rel_path = Path(os.path.normpath(name)).relative_to(self.root)
            except ValueError:
                raise PathRefused(raw, "absolute path outside the repository") from None
            name = rel_path.as_posix()
        if any(p == ".." for p in name.split("/")):
            raise PathRefused(raw, "path leaves the repository ('..')")
        norm = posixpath.normpath(name)
        if norm in (".", ""):
            raise PathRefused(raw, "the edit names no file")
        # Diff headers carry a/ and b/ prefixes; drop them unless the repo really has such a directory.
        if norm.startswith(("a/", "b/")) and not self._exists(norm) and not (self.root / norm[0]).is_dir():
            norm = norm[2:]
        return norm

    def _find_existing(self, rel: str, name: str, action: str) -> str | None:
        """A unique file whose path ends with what the model wrote (or its basename)."""
        files = self.files()
        if "/" in rel:
            hits = [f for f in files if f.endswith("/" + rel)]
        else:
            hits = [f for f in files if posixpath.basename(f) == rel]
        hits = [h for h in hits if (self.root / h).is_file()]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:  # even for a whole-file write: a new file beside them would be a guess
            shown = ", ".join(hits[:5]) + (" ..." if len(hits) > 5 else "")
            raise PathRefused(name, f"no such file, and several files match it: {shown}; give the full path")
        return None

    def _exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def _check_links(self, rel: str, shown: str) -> None:
        current = self.root
        parts = rel.split("/")
        for i, part in enumerate(parts):
            current = current / part
            if current.is_symlink():
                target = current.resolve()
                inside = target == self.root or self.root in target.parents
                what = "a parent directory" if i < len(parts) - 1 else "the file"
                if not inside:
                    raise PathRefused(shown, f"{what} is a symbolic link leading outside the repository")
                target_rel = target.relative_to(self.root).as_posix()
                raise PathRefused(shown, f"{what} is a symbolic link; edit its target {target_rel} instead")
            if not current.exists():
                break


def _check_length(name: str, raw: str, root: Path) -> None:
    data = name.encode("utf-8", "surrogateescape")
    if len(data) + len(str(root)) + 1 >= PATH_MAX or any(len(p) > NAME_MAX for p in data.split(b"/")):
        raise PathRefused(raw[:200] + ("..." if len(raw) > 200 else ""), "path too long for the file system")
