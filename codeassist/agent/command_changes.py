"""What a command the model ran changed in the work tree, and what each changed file held before.

Before and after each ``run`` the work tree (tracked files, and untracked ones
git does not ignore) is written as a git tree through a private index: a copy
of git's index in a temporary directory (``GIT_INDEX_FILE``), kept for the
request, so a file unchanged since the last look is not read again and the
user's index, stash and history are never touched. The difference of the two
trees is what the command changed, whether or not a file was already modified
(the git status of an already modified file does not change when it is
modified again); the first tree holds every changed file's content before, so
the request's transaction can take the change in (and put it back). A file
git converts (line endings, LFS) is put back as git would check it out.

Ignored files (build output, caches, ``.env`` when ignored) are not part of
it, as git does not track them; symbolic links and submodules are left as the
command left them (the transaction restores regular files: their content and
executable bit). Untracked
files larger than the file rule's limit that were there before the first
command (a downloaded data set nobody ignored) are left out too: hashing them
into git's object store on every command would cost more than they are worth.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeassist.filerule import MAX_FILE_BYTES

if TYPE_CHECKING:
    from codeassist.workspace import Workspace

# git's empty tree: what an unborn HEAD is compared with.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_PLAIN_FILES = ("100644", "100755")


@dataclass(frozen=True)
class Change:
    path: str
    before: bytes | None  # None: the file did not exist
    plain: bool  # a regular file before and after (not a symbolic link or a submodule)
    mode: int = 0  # its git mode before (0o100644, 0o100755; 0: it did not exist)


class WorkTreeTracker:
    """Snapshots of one work tree as git trees; see the module docstring."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _index(self) -> str:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="codeassist-run-")
            index = self.ws.git_dir / "index"
            if index.is_file():
                shutil.copyfile(index, f"{self._tmp.name}/index")
        return f"{self._tmp.name}/index"

    def state(self) -> str | None:
        """The work tree as a git tree id; None when git cannot write it (the change is then not taken in)."""
        env = {"GIT_INDEX_FILE": self._index()}
        spec = ["--pathspec-from-file", self._pathspecs(), "--pathspec-file-nul"]
        added = self.ws.git("add", "-A", "--ignore-errors", *spec, env=env, check=False)
        if added.returncode not in (0, 1):  # 1: some file could not be read (it is left out), the rest is in
            return None
        tree = self.ws.git("write-tree", env=env, check=False)
        if tree.returncode != 0:
            return None
        return tree.stdout.decode().strip() or None

    def _pathspecs(self) -> str:
        """The file of pathspecs every snapshot takes: the whole tree, minus the large untracked files."""
        assert self._tmp is not None
        path = f"{self._tmp.name}/pathspecs"
        if not os.path.exists(path):
            proc = self.ws.git("ls-files", "-z", "--others", "--exclude-standard", check=False)
            large = []
            for raw in proc.stdout.split(b"\0"):
                try:
                    if raw and os.lstat(self.ws.root / raw.decode("utf-8", "surrogateescape")).st_size > MAX_FILE_BYTES:
                        large.append(raw)
                except OSError:
                    continue
            with open(path, "wb") as fh:
                fh.write(b"\0".join([b"."] + [b":(exclude,literal)" + p for p in large]) + b"\0")
        return path

    def changes(self, before: str, after: str) -> list[Change]:
        """The files that differ between two states, with their content in ``before``."""
        if before == after:
            return []
        proc = self.ws.git("diff-tree", "-r", "-z", "--no-renames", before, after, check=False)
        fields = proc.stdout.split(b"\0")
        rows: list[tuple[str, str, str]] = []  # (path, old mode, new mode)
        for i in range(0, len(fields) - 1, 2):
            meta = fields[i].decode().lstrip(":").split(" ")
            if len(meta) < 5:
                continue
            rows.append((fields[i + 1].decode("utf-8", "surrogateescape"), meta[0], meta[1]))
        contents = self._contents(before, [p for p, old, _ in rows if old in _PLAIN_FILES])
        out = []
        for path, old, new in rows:
            plain = old in (*_PLAIN_FILES, "000000") and new in (*_PLAIN_FILES, "000000")
            out.append(Change(path, contents.get(path), plain, int(old, 8)))
        return out

    def _contents(self, tree: str, paths: list[str]) -> dict[str, bytes]:
        """The content of ``paths`` in ``tree`` as the work tree had it.

        The blobs as git stores them (one ``git cat-file --batch``); a file git converts on the way in and
        out (line endings, ``filter`` such as LFS, ``ident``) is read with ``cat-file --filters`` instead,
        one process each (the batch form of ``--filters`` fails on the git versions still in use), so it
        is put back in its work-tree form, as git would check it out.
        """
        if not paths:
            return {}
        specs = b"".join(f"{tree}:{p}\n".encode("utf-8", "surrogateescape") for p in paths)
        raw = self.ws.git("cat-file", "--batch", input=specs).stdout
        out: dict[str, bytes] = {}
        pos = 0
        for path in paths:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].split(b" ")
            pos = end + 1
            if len(header) != 3:  # "<spec> missing"
                continue
            size = int(header[2])
            out[path] = raw[pos : pos + size]
            pos += size + 1
        for path in self._converted(paths):
            proc = self.ws.git("cat-file", "--filters", f"{tree}:{path}", check=False)
            if proc.returncode == 0:
                out[path] = proc.stdout
        return out

    def _converted(self, paths: list[str]) -> list[str]:
        """Those of ``paths`` git may convert between the work tree and its objects."""
        autocrlf = self.ws.git("config", "--get", "core.autocrlf", check=False).stdout.strip().lower()
        if autocrlf in (b"true", b"input"):
            return paths
        attrs = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")
        stdin = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
        proc = self.ws.git("check-attr", "-z", "--stdin", *attrs, input=stdin, check=False)
        fields = proc.stdout.split(b"\0")
        converted = set()
        for i in range(0, len(fields) - 2, 3):  # path, attribute, value
            if fields[i + 2] not in (b"unspecified", b"unset"):
                converted.add(fields[i].decode("utf-8", "surrogateescape"))
        return [p for p in paths if p in converted]

    def users_work(self, head: str | None, tree: str, paths: list[str]) -> list[str]:
        """Those of ``paths`` whose content in ``tree`` differs from ``head``: the user's uncommitted work."""
        if not paths:
            return []
        proc = self.ws.git(
            "diff-tree", "-r", "-z", "--name-only", "--no-renames", head or EMPTY_TREE, tree, "--", *paths,
            literal_paths=True, check=False,
        )  # fmt: skip
        return sorted({p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p} & set(paths))

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
