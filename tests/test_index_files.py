"""Which files the index lists and which it skips by name or content."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import git

from codeassist.index import gitls
from codeassist.index.files import (
    SKIP_BINARY,
    SKIP_GENERATED,
    SKIP_IGNORED,
    SKIP_MINIFIED,
    SKIP_TOO_LARGE,
    SKIP_VENDORED,
    blob_id,
    content_skip_reason,
    dirty_paths,
    git_ls_files,
    list_files,
    path_skip_reason,
)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_blob_id_matches_git(tmp_path: Path) -> None:
    data = b"print('hi')\n\x00\xff"
    path = write(tmp_path, "x.bin", data)
    expected = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True, check=True)
    assert blob_id(data) == expected.stdout.strip()


def test_git_listing_tracked_untracked_ignored(git_repo: Path) -> None:
    write(git_repo, ".gitignore", "build/\n*.log\n")
    write(git_repo, "src/a.py", "x = 1\n")
    write(git_repo, "src/b.py", "y = 2\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "files")
    write(git_repo, "src/b.py", "y = 3\n")  # modified
    write(git_repo, "src/new.py", "z = 1\n")  # untracked
    write(git_repo, "build/out.py", "gen = 1\n")  # ignored by git
    write(git_repo, "debug.log", "noise\n")
    (git_repo / "README.md").unlink()  # deleted in the work tree

    listing = list_files(git_repo)
    by_path = {e.path: e for e in listing.entries}
    assert listing.git
    assert sorted(by_path) == [".gitignore", "src/a.py", "src/b.py", "src/new.py"]
    assert by_path["src/a.py"].blob == blob_id(b"x = 1\n") and not by_path["src/a.py"].dirty
    assert by_path["src/b.py"].blob is None and by_path["src/b.py"].dirty
    assert by_path["src/new.py"].blob is None and by_path["src/new.py"].dirty


def test_the_listing_is_the_bytes_of_one_git_ls_files_call(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two git processes at once (untracked walk, tracked stat) print what one call with both options prints."""
    write(git_repo, ".gitignore", "*.log\n")
    for rel in ("src/a.py", "src/b.py", "src/gone.py", "src/conflict.py"):
        write(git_repo, rel, f"{rel} = 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "files")
    git(git_repo, "checkout", "-qb", "other")
    write(git_repo, "src/conflict.py", "theirs = 1\n")
    git(git_repo, "commit", "-qam", "theirs")
    git(git_repo, "checkout", "-q", "main")
    write(git_repo, "src/conflict.py", "ours = 1\n")
    git(git_repo, "commit", "-qam", "ours")
    subprocess.run(["git", "-C", str(git_repo), "merge", "-q", "other"], capture_output=True, check=False)
    write(git_repo, "src/b.py", "changed = 1\n")
    (git_repo / "src" / "gone.py").unlink()
    write(git_repo, "src/new.py", "new = 1\n")
    write(git_repo, "staged.py", "staged = 1\n")
    git(git_repo, "add", "staged.py")
    write(git_repo, "noise.log", "ignored\n")
    one_call = subprocess.run(
        ["git", "-C", str(git_repo), "ls-files", "-z", "-t", "-s"]
        + ["--cached", "--modified", "--deleted", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    assert git_ls_files(git_repo) == one_call
    monkeypatch.setattr(gitls, "_LARGE_INDEX_BYTES", 0)  # the two processes a large repository runs
    assert git_ls_files(git_repo) == one_call
    assert dirty_paths(one_call) == ["src/b.py", "src/conflict.py", "src/new.py"]


def test_codeassistignore_and_cache_dir(git_repo: Path) -> None:
    write(git_repo, ".codeassistignore", "secret/\n*.gen.py\n")
    write(git_repo, "secret/keys.py", "k = 1\n")
    write(git_repo, "m.gen.py", "g = 1\n")
    write(git_repo, "keep.py", "k = 1\n")
    write(git_repo, ".codeassist/index.sqlite", "not listed")
    listing = list_files(git_repo)
    paths = [e.path for e in listing.entries]
    assert "keep.py" in paths
    assert not any(p.startswith((".codeassist/", "secret/")) or p == "m.gen.py" for p in paths)
    assert ("m.gen.py", SKIP_IGNORED) in listing.skipped
    assert ("secret/keys.py", SKIP_IGNORED) in listing.skipped


def test_walk_outside_git_honours_nested_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, ".gitignore", "*.tmp\nout/\n")
    write(root, "a.py", "a = 1\n")
    write(root, "x.tmp", "t")
    write(root, "out/gen.py", "g = 1\n")
    write(root, "pkg/.gitignore", "local.py\n")
    write(root, "pkg/local.py", "l = 1\n")
    write(root, "pkg/kept.py", "k = 1\n")
    listing = list_files(root, git=False)
    assert not listing.git
    assert [e.path for e in listing.entries] == [".gitignore", "a.py", "pkg/.gitignore", "pkg/kept.py"]
    assert all(e.blob is None for e in listing.entries)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("node_modules/lib/index.js", SKIP_VENDORED),
        ("web/vendor/jquery.js", SKIP_VENDORED),
        ("dist/app.js", SKIP_VENDORED),
        ("static/app.min.js", SKIP_GENERATED),
        ("proto/msg_pb2.py", SKIP_GENERATED),
        ("api/service.pb.go", SKIP_GENERATED),
        ("src/app.py", None),
        ("src/vendored_helpers.py", None),
    ],
)
def test_path_skip_reason(path: str, reason: str | None) -> None:
    assert path_skip_reason(path) == reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"def f():\n    return 1\n", None),
        (b"abc\x00def\n", SKIP_BINARY),
        (b"# Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n", SKIP_GENERATED),
        (b"// @generated\nconst a = 1;\n", SKIP_GENERATED),
        (b"var a=1;" * 2000, SKIP_MINIFIED),
        (b"x = 1\n" * 1000 + b"y = '" + b"z" * 20_000 + b"'\n", SKIP_MINIFIED),
        (b"\xff\xfe not utf-8 but text\n", None),
    ],
)
def test_content_skip_reason(data: bytes, reason: str | None) -> None:
    assert content_skip_reason(data) == reason


def test_too_large_is_configurable() -> None:
    data = b"x = 1\n" * 100
    assert content_skip_reason(data, max_bytes=100) == SKIP_TOO_LARGE
    assert content_skip_reason(data, max_bytes=10_000) is None


def test_listing_reports_symlinks(git_repo: Path, tmp_path: Path) -> None:
    write(git_repo, "real.py", "r = 1\n")
    outside = write(tmp_path, "outside.py", "o = 1\n")
    os.symlink("real.py", git_repo / "inner.py")
    os.symlink(outside, git_repo / "escape.py")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "links")
    by_path = {e.path: e for e in list_files(git_repo).entries}
    assert by_path["inner.py"].symlink and by_path["escape.py"].symlink
    assert not by_path["real.py"].symlink


def test_hostile_file_names(git_repo: Path) -> None:
    with open(os.path.join(os.fsencode(git_repo), b"bad\xff.py"), "wb") as fh:
        fh.write(b"x = 1\n")
    write(git_repo, "spaces and 'quotes'.py", "y = 2\n")
    write(git_repo, "-dash.py", "z = 3\n")
    write(git_repo, "tab\tname.py", "t = 4\n")
    listing = list_files(git_repo)
    paths = [e.path for e in listing.entries]
    assert "spaces and 'quotes'.py" in paths and "-dash.py" in paths and "tab\tname.py" in paths
    assert [reason for _, reason in listing.skipped] == ["bad_path"]
