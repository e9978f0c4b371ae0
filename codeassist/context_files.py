"""Files as the prompt shows them: safe repository paths, read once, fenced with their path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codeassist.errors import CodeassistError, UsageError
from codeassist.instructions import fence_for

MAX_FILE_BYTES = 1_000_000  # larger files are refused: they would not fit any useful budget


@dataclass(frozen=True)
class FileText:
    """One file as it goes into the prompt; ``block`` is the exact text sent."""

    path: str
    block: str
    detail: str
    auto: bool = False  # offered read-only because it tops the repo map


def repo_relative(root: Path, path: str | Path, *, cwd: Path | None = None) -> str:
    """``path`` (absolute, or relative to ``cwd``, else to ``root``) as a POSIX path relative to ``root``.

    Raises UsageError for a path outside the repository.
    """
    root = root.resolve()
    p = Path(path)
    if not p.is_absolute():
        p = (cwd or root) / p
    # resolve() follows symlinks, so a link pointing out of the repository is caught here.
    resolved = _resolve(p, str(path))
    try:
        rel = resolved.relative_to(root)
    except ValueError:
        raise UsageError(f"not inside the repository: {path}", hint=f"files must be under {root}") from None
    if str(rel) == ".":
        raise UsageError(f"not a file: {path}")
    return rel.as_posix()


def _resolve(path: Path, shown: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte in the name
        raise UsageError(f"cannot use {shown!r}: {exc}") from None


def _safe_rel(path: str) -> str:
    norm = path.replace("\\", "/")
    while norm.startswith("./"):
        norm = norm[2:]
    pure = PurePosixPath(norm)
    if not norm or pure.is_absolute() or ".." in pure.parts:
        raise UsageError(f"not a path inside the repository: {path!r}")
    return pure.as_posix()


def read_file(root: Path, path: str, *, editable: bool) -> FileText:
    """The prompt block for ``path``; a missing chat file is shown as a new, empty file.

    Raises UsageError for a path outside the repository, a directory, a binary
    or oversized file, or a missing read-only file.
    """
    return _read(root, path, editable=editable)


def try_read_file(root: Path, path: str, *, editable: bool) -> FileText | None:
    """Like :func:`read_file`, for files nobody asked for: None when one cannot be shown."""
    try:
        return _read(root, path, editable=editable)
    except CodeassistError:
        return None


def _read(root: Path, path: str, *, editable: bool) -> FileText:
    rel = _safe_rel(path)
    full = root / rel
    try:
        _resolve(full, rel).relative_to(root.resolve())
    except ValueError:
        raise UsageError(f"{rel} points outside the repository") from None
    if not full.exists():
        if editable:
            return FileText(rel, f"{rel}\n(new file: it does not exist yet)\n", "new file")
        raise UsageError(f"no such file: {rel}")
    if not full.is_file():
        raise UsageError(f"not a file: {rel}")
    try:
        size = full.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{rel} is too large for the prompt ({size} bytes; the limit is {MAX_FILE_BYTES})")
        data = full.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {rel}: {exc.strerror}") from exc
    if b"\0" in data[:8192]:
        raise UsageError(f"{rel} is a binary file and cannot be shown to the model")
    text = data.decode("utf-8", errors="replace")
    note = "" if "\ufffd" not in text or b"\xef\xbf\xbd" in data else ", not valid UTF-8"
    fence = fence_for(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    kind = "editable" if editable else "read-only"
    return FileText(rel, f"{rel}\n{fence}\n{body}{fence}\n", f"{kind}, {lines} lines{note}")


def render_file_blocks(files: Sequence[FileText]) -> str:
    return "\n".join(f.block for f in files)


def repo_files(root: Path) -> list[str]:
    """Tracked and untracked-not-ignored files (sorted); empty outside a git work tree."""
    from codeassist.errors import GitError
    from codeassist.git import run_git

    try:
        proc = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except GitError:
        return []
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    # Names git could not give as UTF-8 cannot be named in a request either; secret stores and
    # codeassist's own config (it may hold a key) are never offered to the model.
    return sorted({n for n in names if n and not any("\udc80" <= c <= "\udcff" for c in n) and not _private(n)})


def _private(rel: str) -> bool:
    from codeassist.protected import CONFIG_FILE, secret_store_reason

    return rel.rsplit("/", 1)[-1].lower() == CONFIG_FILE or secret_store_reason(rel) is not None
