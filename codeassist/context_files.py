"""Files as the prompt shows them: safe repository paths, read once, fenced with their path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codeassist.errors import CodeassistError, UsageError
from codeassist.filerule import MAX_FILE_BYTES
from codeassist.instructions import fence_for


@dataclass(frozen=True)
class FileText:
    """One file as it goes into the prompt; ``block`` is the exact text sent."""

    path: str
    block: str
    detail: str
    auto: bool = False  # offered read-only because it tops the repo map


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
