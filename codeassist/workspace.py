"""The repository, as codeassist sees it: one owner for its root, files, paths, git and lock.

A :class:`Workspace` is opened once per command from the directory the user
started in. It holds:

- **the root and the git layer**: the work tree is found by walking up to its
  ``.git`` and HEAD read from git's files (no subprocess); GitPython reads
  blobs through one persistent ``cat-file`` process; writes go through git
  commands so that the user's hooks run;
- **the one file rule** (:mod:`codeassist.filerule`): :meth:`files` lists what
  exists for codeassist (tracked and untracked-not-ignored, minus
  ``.codeassistignore``, codeassist's own state and secret stores), from one
  ``git ls-files`` per request that the index shares; :meth:`hidden_reason`
  says why a path is hidden. The index, the context, the chat's ``/add``,
  ``NEED FILE`` and the edits all ask here;
- **the one path rule**: :meth:`typed` resolves a path the user typed against
  the directory they typed it in, as git does;
- **the lock** (:mod:`codeassist.repo_lock`) that transactions
  (:mod:`codeassist.transaction`) take before they plan and write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.errors import GitError, UsageError
from codeassist.filerule import HEAD_BYTES, IGNORE_FILE, IgnoreRule, hidden_reason
from codeassist.git import find_git_dirs, head_of, run_git
from codeassist.repo_lock import DEFAULT_WAIT_S, RepoLock

if TYPE_CHECKING:
    from codeassist.edits.paths import PathResolver
    from codeassist.index.files import Listing


def typed_path(root: Path, path: str | Path, *, cwd: Path) -> str:
    """The path a user typed (absolute, or relative to ``cwd`` as git reads it) relative to ``root``.

    Raises UsageError for a path outside the repository (also through a link).
    """
    root = root.resolve()
    p = Path(path)
    if not p.is_absolute():
        p = cwd / p
    try:
        resolved = p.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a link loop, a NUL byte in the name
        raise UsageError(f"cannot use {str(path)!r}: {exc}") from None
    try:
        rel = resolved.relative_to(root)
    except ValueError:
        raise UsageError(f"not inside the repository: {path}", hint=f"files must be under {root}") from None
    if str(rel) == ".":
        raise UsageError(f"not a file: {path}")
    return rel.as_posix()


class Workspace:
    """One work tree; see the module docstring. Close it (or use ``with``) to stop git helpers."""

    def __init__(
        self,
        root: Path,
        git_dir: Path,
        *,
        start: Path | None = None,
        lock_wait_s: float = DEFAULT_WAIT_S,
    ) -> None:
        self.root = root.resolve()
        self.git_dir = git_dir
        self.start = (start or root).resolve()
        self.lock = RepoLock(git_dir, wait_s=lock_wait_s)
        self._repo: Any = None
        self._listing: Listing | None = None
        self._ignore: IgnoreRule | None = None
        self._ignored_cache: dict[str, bool] = {}

    # -- opening ---------------------------------------------------------------
    @classmethod
    def find(
        cls, start: Path, *, environ: Mapping[str, str] | None = None, lock_wait_s: float = DEFAULT_WAIT_S
    ) -> Workspace | None:
        found = find_git_dirs(start, environ)
        if found is None:
            return None
        return cls(found[0], found[1], start=start, lock_wait_s=lock_wait_s)

    @classmethod
    def open(
        cls, start: Path, *, environ: Mapping[str, str] | None = None, lock_wait_s: float = DEFAULT_WAIT_S
    ) -> Workspace:
        """The work tree containing ``start``; GitError (exit 5) outside one."""
        ws = cls.find(start, environ=environ, lock_wait_s=lock_wait_s)
        if ws is None:
            raise GitError(f"not a git repository: {start}", hint="run `git init` or pass -C PATH of a repository")
        return ws

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None
        self.lock.release()
        self.forget_listing()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- git reads ---------------------------------------------------------------
    def git(self, *args: str, **kwargs: Any) -> Any:
        """``git -C root args``; GitError with git's message on failure (see :func:`codeassist.git.run_git`)."""
        return run_git(self.root, *args, **kwargs)

    @property
    def repo(self) -> Any:
        """The GitPython ``Repo`` (opened on first use: importing GitPython costs about 0.1 s)."""
        if self._repo is None:
            import git

            try:
                self._repo = git.Repo(self.root)
            except (git.exc.GitError, OSError, ValueError) as exc:
                raise GitError(f"cannot open the repository at {self.root}: {exc}") from exc
        return self._repo

    def head(self) -> str | None:
        """The commit HEAD points at (read from git's files in process), or None before the first commit."""
        return head_of(self.root, self.git_dir)

    def index_entries(self, paths: Sequence[str]) -> list[str]:
        """``mode sha stage\\tpath`` of ``paths`` in git's index.

        One ``git ls-files``: measured, importing GitPython to read the index
        in process costs a one-shot command about 0.1 s (BENCHMARKS.md, git
        processes), far more than the process it saves.
        """
        if not paths:
            return []
        out = self.git("ls-files", "-s", "-z", "--", *paths, literal_paths=True).stdout
        return [e.decode("utf-8", "surrogateescape") for e in out.split(b"\0") if e]

    def read_blob(self, sha: str) -> bytes | None:
        """A blob's bytes (GitPython's persistent ``cat-file``; an abbreviated id asks git), or None."""
        if len(sha) == 40:
            try:
                return bytes(self.repo.odb.stream(bytes.fromhex(sha)).read())
            except Exception:  # GitPython raises its own errors, ValueError and OSError for a missing object
                return None
        proc = self.git("cat-file", "blob", sha, check=False)
        return proc.stdout if proc.returncode == 0 else None

    def in_history(self, rel: str) -> bool:
        """Whether a commit reachable from HEAD touched ``rel`` (asked only for a delete of a missing file)."""
        proc = self.git("log", "-1", "--format=%H", "--", rel, check=False, literal_paths=True)
        return proc.returncode == 0 and bool(proc.stdout.strip())

    def hooks_dir(self) -> str | None:
        """The hooks directory git runs, relative to the root, when it lies in the work tree (husky's .husky/)."""
        if not hasattr(self, "_hooks"):
            self._hooks: str | None = None
            proc = self.git("rev-parse", "--git-path", "hooks", check=False)
            raw = proc.stdout.decode("utf-8", "surrogateescape").strip()
            if proc.returncode == 0 and raw:
                path = Path(raw) if Path(raw).is_absolute() else self.root / raw
                try:
                    rel = Path(os.path.normpath(path)).relative_to(self.root).as_posix()
                    self._hooks = None if rel in (".", "") else rel
                except ValueError:
                    pass  # outside the work tree: no reply can reach it anyway
        return self._hooks

    def outside_sparse(self, rel: str) -> bool:
        """Whether ``rel`` lies outside this sparse checkout's cone (never, without a sparse checkout)."""
        from codeassist import sparse

        if not hasattr(self, "_sparse"):
            self._sparse = sparse.load(self.root)
        return isinstance(self._sparse, sparse.Sparse) and self._sparse.outside(rel)

    def paths(self) -> PathResolver:
        """The path vetting of edits (:class:`codeassist.edits.paths.PathResolver`) on this repository."""
        from codeassist.edits.paths import PathResolver

        return PathResolver(self)

    def dirty_paths(self, paths: Sequence[str]) -> list[str]:
        from codeassist.git import dirty_paths

        return dirty_paths(self.root, list(paths))

    def check_not_locked(self) -> None:
        """GitError naming git's index lock when another git process holds (or left) it."""
        from codeassist.git import check_not_locked

        check_not_locked(self.root, self.git_dir)

    # -- the file rule -------------------------------------------------------------
    def listing(self) -> Listing:
        """The repository's files as the index lists them (one ``git ls-files``, shared with the index)."""
        if self._listing is None:
            from codeassist.index.files import git_ls_files, list_files, share_listing

            out = git_ls_files(self.root)
            share_listing(self.root, out)
            self._listing = list_files(self.root, git_output=out, ignore=self.ignore_rule())
            # What git listed is not ignored: only other paths are worth a `git check-ignore`.
            listed = [e.path for e in self._listing.entries] + [p for p, _ in self._listing.skipped]
            self._ignored_cache.update(dict.fromkeys(listed, False))
        return self._listing

    def forget_listing(self) -> None:
        """The files may have changed (a write, a commit, a new request): list them again when asked."""
        from codeassist.index.files import unshare_listing

        self._listing = None
        self._ignore = None
        self._ignored_cache.clear()
        unshare_listing(self.root)

    def files(self) -> list[str]:
        """Every file that exists for codeassist, sorted (the one file rule)."""
        return [e.path for e in self.listing().entries]

    def ignore_rule(self) -> IgnoreRule:
        if self._ignore is None:
            try:
                raw = (self.root / IGNORE_FILE).read_bytes()
            except OSError:
                raw = None
            self._ignore = IgnoreRule(raw)
        return self._ignore

    def hidden_reason(self, rel: str, *, sniff: bool = True) -> str | None:
        """Why the file rule hides ``rel`` (None: it may be shown); ``sniff`` reads its first bytes."""
        head = self._head_bytes(rel) if sniff else None
        return hidden_reason(rel, self.ignore_rule(), head)

    def is_ignored(self, rel: str) -> bool:
        """Whether git ignores ``rel`` (a listed file is not; others are asked of git once)."""
        self.listing()  # fills the cache with every listed path
        if rel in self._ignored_cache:
            return self._ignored_cache[rel]
        # check-ignore takes no literal pathspecs; "./" keeps a name like ":(exclude)x" a plain name.
        proc = self.git("check-ignore", "-q", "--", "./" + rel, check=False)
        if proc.returncode == 128:  # a path git cannot take: it is no file of this repository
            message = proc.stderr.decode("utf-8", "replace").strip().removeprefix("fatal: ")
            raise ValueError(f"git cannot use this path: {message}")
        self._ignored_cache[rel] = proc.returncode == 0
        return proc.returncode == 0

    def _head_bytes(self, rel: str) -> bytes | None:
        path = self.root / rel
        try:
            if not path.resolve().is_relative_to(self.root):
                return None
            with path.open("rb") as fh:
                return fh.read(HEAD_BYTES)
        except (OSError, RuntimeError, ValueError):
            return None

    # -- the path rule -------------------------------------------------------------
    def typed(self, path: str | Path, *, cwd: Path | None = None) -> str:
        """A path the user typed, relative to the directory they typed it in, as a repository path."""
        return typed_path(self.root, path, cwd=cwd or self.start)
