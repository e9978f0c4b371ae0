"""No sequence of user edits, applies, failed applies and undos loses a byte of the user's work.

A seeded random walk (deterministic, offline) over a real repository. Before
every codeassist operation the work tree is snapshotted; afterwards every
snapshotted file version must still be recoverable: either it is in the work
tree, or it is a blob of some commit reachable from a ref or the reflog,
until the user edits that file again themselves. The same holds for every
version the user had staged.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from codeassist.commits import undo_last
from codeassist.edits.types import Edit
from codeassist.errors import CodeassistError
from codeassist.transaction import land_edits
from tests.conftest import git

FILES = ("a.py", "b.py", "pkg/c.py")


def blob_id(root: Path, data: bytes) -> str:
    proc = subprocess.run(["git", "-C", str(root), "hash-object", "--stdin"], input=data, capture_output=True)
    return proc.stdout.decode().strip()


def reachable_blobs(root: Path) -> set[str]:
    out = git(root, "rev-list", "--all", "--reflog", "--objects")
    return {line.split()[0] for line in out.splitlines() if line}


def worktree(root: Path) -> dict[str, bytes]:
    return {f: (root / f).read_bytes() for f in FILES if (root / f).exists()}


def staged(root: Path) -> set[tuple[str, str]]:
    """(path, blob) of every staged version: the user's staged work counts too."""
    out = git(root, "ls-files", "-s", "--", *FILES)
    return {(line.split("\t", 1)[1], line.split()[1]) for line in out.splitlines() if line}


def user_edit(root: Path, rng: random.Random, step: int) -> str:
    rel = rng.choice(FILES)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_bytes() if path.exists() else b""
    choice = rng.random()
    if choice < 0.1 and path.exists():
        path.unlink()
        return rel
    lines = old.splitlines(keepends=True)
    lines.insert(rng.randint(0, len(lines)), f"user_{step} = {rng.randint(0, 999)}\n".encode())
    data = b"".join(lines)
    if rng.random() < 0.2:
        data = data.replace(b"\n", b"\r\n") if b"\r\n" not in data else data
    path.write_bytes(data)
    if rng.random() < 0.3:
        git(root, "add", "-A", "--", rel)
    return rel


def good_edits(root: Path, rng: random.Random, step: int) -> list[Edit]:
    path = rng.choice(FILES)
    full = root / path
    if not full.exists():
        return [Edit(path, "create", new=f"created_{step} = 1\n")]
    text = full.read_bytes().decode().replace("\r\n", "\n")
    lines = [line for line in text.splitlines(keepends=True) if line.strip()]
    if lines and rng.random() < 0.6:
        line = lines[rng.randrange(len(lines))]
        if text.count(line) == 1:
            return [Edit(path, "replace", old=line, new=f"# codeassist {step}\n{line}")]
    return [Edit(path, "write", new=f"whole_{step} = {rng.randint(0, 9)}\n")]


def failing_edits(rng: random.Random, step: int) -> list[Edit]:
    return [
        Edit(rng.choice(FILES), "write", new=f"would_be_{step}\n"),
        Edit("a.py", "replace", old=f"no such line {step}\n", new="x\n", index=1),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_lose_nothing(git_repo: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = git_repo
    for f in FILES:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text(f"# {f}\nvalue = 0\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    must_keep: set[tuple[str, bytes]] = set()
    must_keep_blobs: set[tuple[str, str]] = set()
    for step in range(18):
        op = rng.choice(["user", "user", "good", "good", "fail", "undo", "user-commit"])
        if op == "user":
            # The user replacing their own earlier version is their choice, not a loss.
            edited = user_edit(root, rng, step)
            must_keep = {(p, d) for p, d in must_keep if p != edited}
            must_keep_blobs = {(p, b) for p, b in must_keep_blobs if p != edited}
            continue
        if op == "user-commit":
            git(root, "add", "-A")
            git(root, "commit", "-q", "--allow-empty", "-m", f"user {step}")
            continue
        before = worktree(root)
        must_keep.update(before.items())
        must_keep_blobs.update(staged(root))
        if op == "good":
            result = land_edits(root, good_edits(root, rng, step), commit=rng.random() < 0.8)
            assert not result.failed, result
        elif op == "fail":
            result = land_edits(root, failing_edits(rng, step))
            assert not result.ok and not result.written
            assert worktree(root) == before
        else:
            try:
                undo_last(root)
            except CodeassistError:
                assert worktree(root) == before
        blobs = reachable_blobs(root)
        current = worktree(root)
        for path, data in must_keep:
            assert current.get(path) == data or blob_id(root, data) in blobs, (seed, step, op, path, data)
        in_index = staged(root)
        for path, blob in must_keep_blobs:
            assert (path, blob) in in_index or blob in blobs, (seed, step, op, path, "staged version lost")
