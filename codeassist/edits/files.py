"""In-memory text files for a transactional apply: read, edit, write back faithfully.

A :class:`TextFile` holds the file's content with line endings normalised to
``\\n`` (so edits written with ``\\n`` match a CRLF file) and remembers what it
must put back: the byte-order mark, CRLF endings, whether the file ended with
a newline, and its permission bits.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from codeassist.edits.paths import PathRefused, is_binary

BOM = b"\xef\xbb\xbf"


@dataclass
class TextFile:
    """One file's state during an apply; ``text`` is None when the file does not exist (any more)."""

    rel: str
    original: bytes | None
    text: str | None
    mode: int | None = None
    bom: bool = False
    crlf: bool = False
    final_newline: bool = True

    @classmethod
    def load(cls, root: Path, rel: str) -> TextFile:
        path = root / rel
        try:
            data = path.read_bytes()
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            return cls(rel, None, None)
        except OSError as exc:
            raise PathRefused(rel, f"cannot read: {exc.strerror}") from exc
        if is_binary(data):
            raise PathRefused(rel, "binary or not UTF-8 text; such files are never edited")
        bom = data.startswith(BOM)
        text = data[len(BOM) :].decode("utf-8") if bom else data.decode("utf-8")
        lines = text.count("\n")
        crlf = lines > 0 and text.count("\r\n") == lines
        if crlf:
            text = text.replace("\r\n", "\n")
        final_newline = text == "" or text.endswith("\n")
        if not final_newline:
            # Matching works on whole lines; the missing newline is put back on write.
            text += "\n"
        return cls(rel, data, text, mode, bom, crlf, final_newline)

    @property
    def exists(self) -> bool:
        return self.text is not None

    def encode(self) -> bytes:
        """The bytes to write: the file's own BOM, line endings and final-newline habit."""
        assert self.text is not None
        text = self.text
        if self.original is not None and not self.final_newline and text.endswith("\n"):
            text = text[:-1]
        if self.crlf:
            text = text.replace("\n", "\r\n")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (a reply's JSON "\ud800" escape) has no UTF-8 form: U+FFFD, as a decoder writes.
            data = _SURROGATE.sub("\ufffd", text).encode("utf-8")
        return BOM + data if self.bom else data

    def changed(self) -> bool:
        if self.text is None:
            return self.original is not None
        return self.original is None or self.encode() != self.original


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(text: str) -> str:
    """Edit text with CRLF endings folded to LF, to match normalised file content."""
    return text.replace("\r\n", "\n")


def write_atomic(path: Path, data: bytes, mode: int | None) -> None:
    """Write via a temporary file in the same directory and ``os.replace``; keep ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".codeassist-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
