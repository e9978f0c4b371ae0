"""The change under review, read from git: the staged index, a revision range, or everything uncommitted.

Staged content comes from the index blobs, never from the working tree, so a
partially staged file is judged by what will be committed. Git runs hooks of
``git commit -a`` and ``git commit PATH`` with its own temporary index in
``GIT_INDEX_FILE``; every git call here receives the caller's environment, so
that index is the one read. Nothing here writes anything: not the index,
not the working tree, not the object store.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from codeassist.errors import GitError, UsageError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_NULL_SHA = "0" * 40
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_BINARY_PROBE = 8000


@dataclass(frozen=True)
class ChangedFile:
    """One changed path. ``new`` is None for a deletion; ``old`` is None for an added file.

    ``added`` holds the 1-based line numbers of ``new`` that the change adds
    or modifies; line checks look only there, so what was already committed
    is not the committer's problem.
    """

    path: str
    status: str  # A, M, D, R, C or T (git's letters)
    old_path: str | None
    old: bytes | None
    new: bytes | None
    added: frozenset[int] = frozenset()
    mode: str = "100644"
    # During a merge: the merged-in side's version, whose problems are not the merge's either.
    theirs: bytes | None = None

    @property
    def is_binary(self) -> bool:
        return self.new is not None and b"\0" in self.new[:_BINARY_PROBE]

    def text(self) -> str:
        return (self.new or b"").decode("utf-8", "replace")


@dataclass(frozen=True)
class ChangeSet:
    """What a review judges. ``key`` identifies the content (the staged tree), or None when it cannot."""

    kind: str  # staged, range or uncommitted
    files: tuple[ChangedFile, ...]
    base: str | None  # the commit the change is compared with (None: initial commit)
    key: str | None = None


class Git:
    """``git -C root`` with an explicit environment (so ``GIT_INDEX_FILE`` is the caller's)."""

    def __init__(self, root: Path, environ: Mapping[str, str]) -> None:
        self.root = root
        env = dict(environ)
        index = env.get("GIT_INDEX_FILE")
        if index and not os.path.isabs(index):
            # Git gives hooks a path relative to the directory it runs them in, the top of the work tree.
            env["GIT_INDEX_FILE"] = str(root / index)
        env["GIT_LITERAL_PATHSPECS"] = "1"
        env.pop("GIT_EXTERNAL_DIFF", None)
        self.env = env

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.root), "-c", "core.quotePath=false", *args],
                input=input,
                capture_output=True,
                env=self.env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        if check and proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
            raise GitError(f"git {args[0]}: {msg}")
        return proc.stdout

    def head(self) -> str | None:
        out = self.run("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).decode().strip()
        return out or None

    def blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Contents of the given blobs, read through one ``git cat-file --batch``."""
        wanted = sorted({s for s in shas if s and s != _NULL_SHA})
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            blobs[sha] = out[pos : pos + size]
            pos += size + 1
        return blobs


def _raw_entries(out: bytes) -> list[tuple[str, str, str, str, str, str | None]]:
    """``--raw -z`` output as (new mode, old sha, new sha, status, path, old path)."""
    parts = out.split(b"\0")
    entries = []
    i = 0
    while i < len(parts) - 1:
        meta = parts[i].decode()
        if not meta.startswith(":"):
            i += 1
            continue
        _, new_mode, old_sha, new_sha, status = meta[1:].split(" ")
        letter = status[:1]
        if letter in ("R", "C"):
            old_path = parts[i + 1].decode("utf-8", "surrogateescape")
            path = parts[i + 2].decode("utf-8", "surrogateescape")
            i += 3
        else:
            old_path = None
            path = parts[i + 1].decode("utf-8", "surrogateescape")
            i += 2
        entries.append((new_mode, old_sha, new_sha, letter, path, old_path))
    return entries


def _unquote(name: bytes) -> str:
    text = name.decode("utf-8", "surrogateescape")
    if text.startswith('"') and text.endswith('"'):
        # C-style quoting, used for names with control characters or quotes even with core.quotePath off.
        raw = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    return text


def added_lines(patch: bytes) -> dict[str, set[int]]:
    """Added or changed line numbers per new path, from a ``-U0`` patch with ``b/`` prefixes."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in patch.split(b"\n"):
        if line.startswith(b"+++ "):
            name = line[4:].rstrip(b"\t")  # git ends a name holding a space with a tab
            if name == b"/dev/null":
                current = None
                continue
            path = _unquote(name)
            if path.startswith('"'):
                path = path.strip('"')
            current = out.setdefault(path[2:] if path.startswith("b/") else path, set())
        elif line.startswith(b"@@") and current is not None:
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                current.update(range(start, start + count))
    return out


def _build(
    git: Git, entries: list[tuple[str, str, str, str, str, str | None]], patch: bytes, new_from_disk: bool
) -> list[ChangedFile]:
    lines = added_lines(patch)
    shas = [e[1] for e in entries] + ([] if new_from_disk else [e[2] for e in entries])
    blobs = git.blobs(shas)
    files = []
    for mode, old_sha, new_sha, status, path, old_path in entries:
        if mode == "160000" or (status == "D" and mode == "000000" and old_sha == _NULL_SHA):
            continue  # submodules have no content to judge
        old = blobs.get(old_sha) if status not in ("A",) else None
        new: bytes | None
        if status == "D":
            new = None
        elif new_from_disk:
            try:
                new = (git.root / path).read_bytes() if mode != "120000" else os.readlink(git.root / path).encode()
            except OSError:
                new = None
        else:
            new = blobs.get(new_sha)
        files.append(ChangedFile(path, status, old_path, old, new, frozenset(lines.get(path, ())), mode))
    return sorted(files, key=lambda f: f.path)


_DIFF_FLAGS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M")


def _narrow_to_merge(git: Git, files: list[ChangedFile], merge_head: str) -> list[ChangedFile]:
    """Keep, of a merge's lines, those neither side had: what the merge itself (its resolution) adds."""
    import difflib

    listing = git.run("ls-tree", "-r", "-z", "--full-tree", merge_head, "--", *[f.path for f in files])
    theirs_sha = {}
    for entry in listing.split(b"\0"):
        if entry:
            meta, _, name = entry.partition(b"\t")
            theirs_sha[name.decode("utf-8", "surrogateescape")] = meta.split()[2].decode()
    blobs = git.blobs(list(theirs_sha.values()))
    out = []
    for f in files:
        theirs = blobs.get(theirs_sha.get(f.path, ""))
        if theirs is None or f.new is None:
            out.append(f)
            continue
        new_lines = f.new.splitlines()
        matcher = difflib.SequenceMatcher(None, theirs.splitlines(), new_lines, autojunk=False)
        not_theirs = {j + 1 for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)}
        out.append(replace(f, added=f.added & frozenset(not_theirs), theirs=theirs))
    return out


def staged_changes(root: Path, environ: Mapping[str, str]) -> ChangeSet:
    """The staged change: the index (``GIT_INDEX_FILE`` when set) against HEAD, or the empty tree."""
    git = Git(root, environ)
    head = git.head()
    base = head or EMPTY_TREE
    raw = git.run("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", base)
    patch = git.run("diff", "--cached", "-U0", *_DIFF_FLAGS, "--src-prefix=a/", "--dst-prefix=b/", base)
    entries = _raw_entries(raw)
    files = _build(git, entries, patch, new_from_disk=False)
    merge_head = git.run("rev-parse", "-q", "--verify", "MERGE_HEAD^{commit}", check=False).decode().strip()
    if merge_head and head:
        files = _narrow_to_merge(git, files, merge_head)
    # The staged tree is identified by its base and its difference from it (full blob ids), without
    # `git write-tree`, which would write to the index git is committing from.
    unmerged = any(e[3] == "U" for e in entries)
    key = None if unmerged else f"{base}:{merge_head}:" + hashlib.sha256(raw).hexdigest()
    return ChangeSet("staged", tuple(files), head, key)


def range_changes(root: Path, environ: Mapping[str, str], rev_range: str) -> ChangeSet:
    """The change of ``A..B`` (or a single commit ``C``: its change against its first parent)."""
    git = Git(root, environ)
    if rev_range.startswith("-"):
        raise UsageError(f"not a revision range: {rev_range}")
    if ".." in rev_range:
        left, _, right = rev_range.partition("...") if "..." in rev_range else rev_range.partition("..")
        left, right = left or "HEAD", right or "HEAD"
        if "..." in rev_range:
            left = git.run("merge-base", left, right, check=False).decode().strip() or left
    else:
        right = rev_range
        left = f"{rev_range}^"
        if not git.run("rev-parse", "-q", "--verify", left + "^{commit}", check=False).strip():
            left = EMPTY_TREE
    pair = []
    for rev in (left, right):
        sha = git.run("rev-parse", "-q", "--verify", rev + "^{tree}" if rev != EMPTY_TREE else rev, check=False)
        if not sha.strip():
            raise UsageError(f"unknown revision: {rev}", hint="give REV_RANGE as A..B, or one commit")
        pair.append(rev)
    raw = git.run("diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", *pair)
    patch = git.run("diff", "-U0", *_DIFF_FLAGS, "--src-prefix=a/", "--dst-prefix=b/", *pair)
    files = _build(git, _raw_entries(raw), patch, new_from_disk=False)
    tree = git.run("rev-parse", right + "^{tree}").decode().strip()
    base = git.run("rev-parse", "-q", "--verify", left + "^{commit}", check=False).decode().strip() or None
    return ChangeSet("range", tuple(files), base, f"{left}:{tree}")


def uncommitted_changes(root: Path, environ: Mapping[str, str]) -> ChangeSet:
    """Everything not committed: the working tree against HEAD, untracked files included."""
    git = Git(root, environ)
    head = git.head()
    base = head or EMPTY_TREE
    raw = git.run("diff-index", "-z", "--raw", "--no-abbrev", "-M", base)
    patch = git.run("diff", "-U0", *_DIFF_FLAGS, "--src-prefix=a/", "--dst-prefix=b/", base)
    entries = _raw_entries(raw)
    files = _build(git, entries, patch, new_from_disk=True)
    untracked = git.run("ls-files", "--others", "--exclude-standard", "-z").split(b"\0")
    for name in sorted(n.decode("utf-8", "surrogateescape") for n in untracked if n):
        try:
            data = (root / name).read_bytes()
        except OSError:
            continue
        count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        files.append(ChangedFile(name, "A", None, None, data, frozenset(range(1, count + 1))))
    return ChangeSet("uncommitted", tuple(sorted(files, key=lambda f: f.path)), head, None)
