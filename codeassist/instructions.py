"""The project's own instruction files, read verbatim for the prompt.

Discovery, in the order the files appear in the prompt:

1. ``AGENTS.md``, ``CLAUDE.md`` and ``GEMINI.md`` in the repository root and
   in every directory between the root and the files in play (chat and
   read-only files). Shallower directories come first and the nearest last,
   so the most specific instructions are read last and take precedence, as
   the AGENTS.md convention intends. Within a directory the order is
   AGENTS.md, CLAUDE.md, GEMINI.md.
2. ``CONVENTIONS.md`` and ``.codeassist/instructions.md`` in the root.
3. The files named by the ``instruction_files`` setting, relative to the root.

A file is included once, even when it is reached twice (a symlink such as
CLAUDE.md -> AGENTS.md, or the same text in two places). A discovered file
whose real path lies outside the repository (a symlink out of it) or is a
secret store (:func:`codeassist.protected.secret_store_reason`) is refused
and reported in :attr:`Instructions.refused`; a configured file that is
missing, outside the repository or a secret store is a :class:`ConfigError`. Text is decoded
as UTF-8 with replacement characters, and capped at ``max_bytes`` per file
with a note saying so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codeassist.errors import ConfigError
from codeassist.protected import secret_store_reason

NESTED_NAMES = ("AGENTS.md", "CLAUDE.md", "GEMINI.md")
ROOT_NAMES = ("CONVENTIONS.md", ".codeassist/instructions.md")
MAX_BYTES = 32_000


@dataclass(frozen=True)
class InstructionFile:
    """One instruction file: ``path`` relative to the root (POSIX form), its text."""

    path: str
    text: str
    truncated: bool = False
    size: int = 0


@dataclass(frozen=True)
class Instructions:
    files: tuple[InstructionFile, ...]
    refused: tuple[str, ...] = ()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _read_capped(path: Path, max_bytes: int) -> tuple[str, bool, int]:
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
        size = path.stat().st_size
    truncated = len(data) > max_bytes
    if truncated:
        data = data[:max_bytes]
        cut = data.rfind(b"\n")
        if cut > max_bytes // 2:  # end on a whole line when that loses little
            data = data[: cut + 1]
    text = data.decode("utf-8", errors="replace")
    if truncated:
        text = text.rstrip("\n") + (
            f"\n\n[codeassist: this file is {size} bytes; only its first {len(data)} bytes are shown]\n"
        )
    return text, truncated, size


def _chain(root: Path, near: Sequence[str]) -> list[Path]:
    """Directories from the root down to each file's directory, shallow first, deduplicated."""
    dirs: set[PurePosixPath] = {PurePosixPath(".")}
    for rel in near:
        parts = PurePosixPath(rel.replace("\\", "/")).parts[:-1]
        if ".." in parts or (parts and parts[0] == "/"):
            continue
        for i in range(1, len(parts) + 1):
            dirs.add(PurePosixPath(*parts[:i]))
    ordered = sorted(dirs, key=lambda p: (0 if str(p) == "." else len(p.parts), str(p)))
    return [root / p for p in ordered]


def find_instruction_files(
    root: Path,
    *,
    near: Sequence[str] = (),
    configured: Sequence[str] = (),
    max_bytes: int = MAX_BYTES,
) -> Instructions:
    """The instruction files for work on the files ``near`` (paths relative to ``root``)."""
    root = root.resolve()
    candidates: list[tuple[Path, bool]] = []  # (path, configured)
    for d in _chain(root, near):
        candidates.extend((d / name, False) for name in NESTED_NAMES)
    candidates.extend((root / name, False) for name in ROOT_NAMES)
    candidates.extend((root / name, True) for name in configured)

    files: list[InstructionFile] = []
    refused: list[str] = []
    seen_real: set[Path] = set()
    seen_text: set[str] = set()
    for path, is_configured in candidates:
        shown = _display(path, root)
        try:
            is_file = path.is_file()
            real = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop or an unusable name
            is_file = False
            real = path
        if not is_file:
            if is_configured:
                raise ConfigError(f"instruction file not found: {shown}", hint="check instruction_files in your config")
            continue
        if not _inside(real, root):
            if is_configured:
                raise ConfigError(f"instruction file is outside the repository: {shown}")
            refused.append(shown)
            continue
        if real in seen_real:
            continue
        seen_real.add(real)
        try:
            text, truncated, size = _read_capped(real, max_bytes)
        except OSError as exc:
            raise ConfigError(f"cannot read instruction file {shown}: {exc.strerror}") from exc
        # A repository's config (or a link named AGENTS.md) must not send a secret store to the model.
        secret = secret_store_reason(real.relative_to(root).as_posix(), text[:8192].encode("utf-8"))
        if secret is not None:
            if is_configured:
                raise ConfigError(f"instruction file {shown} is a secret store ({secret}); it is never sent to a model")
            refused.append(shown)
            continue
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen_text or not text.strip():
            continue
        seen_text.add(digest)
        files.append(InstructionFile(shown, text, truncated, size))
    return Instructions(tuple(files), tuple(refused))


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def render_instructions(files: Sequence[InstructionFile]) -> str:
    """Each file labelled with its path and fenced, so its own markdown stays inside."""
    blocks = []
    for f in files:
        fence = fence_for(f.text)
        body = f.text if f.text.endswith("\n") else f.text + "\n"
        blocks.append(f"The project's instructions from {f.path}:\n{fence}markdown\n{body}{fence}\n")
    return "\n".join(blocks)


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks at the start of a line of ``text``."""
    longest = 2
    for line in text.splitlines():
        stripped = line.lstrip()
        n = len(stripped) - len(stripped.lstrip("`"))
        longest = max(longest, n)
    return "`" * (longest + 1)
