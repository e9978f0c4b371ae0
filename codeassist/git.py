"""Git access for codeassist.

Plain ``git`` subprocesses on hot paths; GitPython where it adds something,
always closed after use (it leaves ``git cat-file`` children otherwise).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from codeassist.errors import GitError


def run_git(
    root: Path,
    *args: str,
    input: bytes | None = None,
    check: bool = True,
    literal_paths: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C root args...``; raise GitError with git's message on failure.

    ``literal_paths`` makes pathspecs plain file names (a file called ``*.py``
    is that file, not a glob); ``env`` adds variables to the environment.
    """
    full_env = None
    if literal_paths or env:
        full_env = {**os.environ, **(env or {})}
        if literal_paths:
            full_env["GIT_LITERAL_PATHSPECS"] = "1"
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input,
            capture_output=True,
            check=False,
            env=full_env,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(f"git {args[0]}: {msg}")
    return proc


def find_repo_root(start: Path, environ: Mapping[str, str] | None = None) -> Path | None:
    """The work tree root containing ``start``, or None outside a git repository."""
    found = find_git_dirs(start, environ)
    return found[0] if found else None


def find_git_dirs(start: Path, environ: Mapping[str, str] | None = None) -> tuple[Path, Path] | None:
    """(work tree root, git dir) for ``start``, or None outside a work tree.

    Walks up to the nearest ``.git`` directory or ``gitdir:`` file (worktrees,
    submodules) without a subprocess; when git is steered by ``GIT_DIR`` or
    ``GIT_WORK_TREE``, git itself is asked.
    """
    env = os.environ if environ is None else environ
    if env.get("GIT_DIR") or env.get("GIT_WORK_TREE"):
        return _ask_git(start)
    try:
        current = start.resolve()
    except (OSError, RuntimeError):
        return None
    for folder in (current, *current.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            if (dot_git / "HEAD").is_file():
                return folder, dot_git
            return None
        if dot_git.is_file():
            try:
                text = dot_git.read_text("utf-8", "replace").strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            git_dir = Path(text[len("gitdir:") :].strip())
            git_dir = git_dir if git_dir.is_absolute() else (folder / git_dir).resolve()
            return (folder, git_dir) if git_dir.is_dir() else None
    return None


def _ask_git(start: Path) -> tuple[Path, Path] | None:
    proc = run_git(start, "rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 or len(lines) != 2:
        return None
    return Path(lines[0]), Path(lines[1])


_SHA_HEX = frozenset("0123456789abcdef")


def common_dir(git_dir: Path) -> Path:
    """Where a work tree's shared refs and ``info/`` live (a linked worktree's ``commondir``)."""
    try:
        text = (git_dir / "commondir").read_text("utf-8").strip()
    except OSError:
        return git_dir
    path = Path(text)
    return path if path.is_absolute() else (git_dir / path).resolve()


def exclude_locally(root: Path, line: str) -> None:
    """Add ``line`` to the repository's own exclude file (``info/exclude``, never ``.gitignore``), once.

    Best effort: a read-only git directory leaves the file as it is, and callers that care also drop
    their paths from the listing.
    """
    found = find_git_dirs(root)
    if found is None:
        return
    exclude = common_dir(found[1]) / "info" / "exclude"
    try:
        existing = exclude.read_text(encoding="utf-8", errors="replace") if exclude.exists() else ""
        if line in existing.splitlines():
            return
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with open(exclude, "a", encoding="utf-8") as fh:
            fh.write(("" if not existing or existing.endswith("\n") else "\n") + line + "\n")
    except OSError:
        pass


def read_head(git_dir: Path) -> str | None:
    """The commit HEAD points at, read from git's files without a subprocess.

    None before the first commit. Raises LookupError when the refs are stored
    in a way this reader does not know (reftable): then ask git.
    """
    common = common_dir(git_dir)
    name = "HEAD"
    for _ in range(10):  # symbolic refs nest rarely; a loop is git's error, not ours
        where = git_dir if name == "HEAD" else common
        try:
            text = (where / name).read_text("ascii").strip()
        except FileNotFoundError:
            return _packed_ref(common, name)
        except (OSError, UnicodeDecodeError) as exc:
            raise LookupError(name) from exc
        if text.startswith("ref:"):
            name = text[4:].strip()
            if name.startswith("refs/heads/.invalid"):  # reftable stub
                raise LookupError(name)
            continue
        if len(text) in (40, 64) and set(text) <= _SHA_HEX:
            return text
        raise LookupError(name)
    raise LookupError(name)


def _packed_ref(common: Path, name: str) -> str | None:
    try:
        lines = (common / "packed-refs").read_text("ascii", "replace").splitlines()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LookupError(name) from exc
    for line in lines:
        sha, _, ref = line.partition(" ")
        if ref == name:
            return sha
    return None


def head_of(root: Path, git_dir: Path | None = None) -> str | None:
    """HEAD's commit: from git's files when they can be read, else from ``git rev-parse``."""
    if git_dir is None:
        found = find_git_dirs(root)
        git_dir = found[1] if found else None
    if git_dir is not None:
        try:
            return read_head(git_dir)
        except LookupError:
            pass
    return head_sha(root)


def require_repo(start: Path) -> Path:
    """The work tree root containing ``start``; GitError (exit 5) outside a repository."""
    root = find_repo_root(start)
    if root is None:
        raise GitError(f"not a git repository: {start}", hint="run `git init` or pass -C PATH of a repository")
    return root


def git_path(root: Path, name: str) -> Path:
    """Where git keeps ``name`` (``index.lock``, ``MERGE_HEAD``...) for this work tree."""
    out = run_git(root, "rev-parse", "--git-path", name).stdout.decode("utf-8", "surrogateescape").strip()
    path = Path(out)
    return path if path.is_absolute() else root / path


def check_not_locked(root: Path, git_dir: Path | None = None) -> None:
    """GitError naming the lock file when another git process holds (or left) the index lock."""
    if git_dir is None:
        found = find_git_dirs(root)
        git_dir = found[1] if found else None
    lock = git_dir / "index.lock" if git_dir is not None else git_path(root, "index.lock")
    if lock.exists():
        raise GitError(
            f"the git index is locked: {lock} exists",
            hint=f"if no other git process is running, remove {lock} and try again",
        )


def head_sha(root: Path) -> str | None:
    """The commit HEAD points at, or None in a repository with no commits yet."""
    proc = run_git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def upstream_of_head(root: Path) -> str | None:
    """The upstream branch (``origin/main``) of the current branch, if it has one."""
    proc = run_git(root, "rev-parse", "-q", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False)
    out = proc.stdout.decode("utf-8", "surrogateescape").strip()
    return out if proc.returncode == 0 and out else None


def is_ancestor(root: Path, commit: str, of: str) -> bool:
    return run_git(root, "merge-base", "--is-ancestor", commit, of, check=False).returncode == 0


def dirty_paths(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` whose index or work-tree content differs from HEAD, or that are untracked.

    Ignored files are not reported (codeassist never edits them).
    """
    if not paths:
        return []
    out = run_git(
        root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths, literal_paths=True
    ).stdout
    dirty: set[str] = set()
    entries = out.split(b"\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:].decode("utf-8", "surrogateescape")
        dirty.add(name)
        if code[:1] in (b"R", b"C"):
            dirty.add(entries[i].decode("utf-8", "surrogateescape"))  # the rename's source
            i += 1
    wanted = set(paths)
    return sorted(dirty & wanted)


def index_entries(root: Path, paths: list[str]) -> list[str]:
    """``git ls-files -s`` lines (``mode sha stage\\tpath``) of ``paths`` in the index."""
    if not paths:
        return []
    out = run_git(root, "ls-files", "-s", "-z", "--", *paths, literal_paths=True).stdout
    return [e.decode("utf-8", "surrogateescape") for e in out.split(b"\0") if e]


def commit_subject(root: Path, rev: str) -> str:
    return run_git(root, "log", "-1", "--format=%s", rev).stdout.decode("utf-8", "replace").strip()


def commit_parents(root: Path, rev: str) -> list[str]:
    out = run_git(root, "rev-list", "--parents", "-n", "1", rev).stdout.decode().split()
    return out[1:]


def stash_backup(root: Path, message: str) -> str | None:
    """Record the tracked files' uncommitted changes as a stash entry, leaving the work tree alone.

    Returns the stash commit, or None when there was nothing to record.
    ``git stash list`` shows it; ``git stash apply`` brings it back.
    """
    sha = run_git(root, "stash", "create", message).stdout.decode().strip()
    if not sha:
        return None
    run_git(root, "stash", "store", "-m", message, sha)
    return sha
