"""Path resolution and every safety refusal, on real repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeassist.edits.paths import PathRefused, PathResolver, clean_name, is_binary
from codeassist.workspace import Workspace
from tests.conftest import git


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "src" / "pkg").mkdir(parents=True)
    (git_repo / "src" / "pkg" / "core.py").write_text("x = 1\n")
    (git_repo / "src" / "pkg" / "util.py").write_text("y = 2\n")
    (git_repo / "tests").mkdir()
    (git_repo / "tests" / "util.py").write_text("z = 3\n")
    (git_repo / ".gitignore").write_text("*.log\nbuild/\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "files")
    return git_repo


def refused(root: Path, raw: str, action: str = "replace") -> str:
    with pytest.raises(PathRefused) as info:
        PathResolver(Workspace.open(root)).resolve(raw, action)
    assert info.value.exit_code == 1
    return info.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("src/pkg/core.py", "src/pkg/core.py"),
        ("./src/pkg/core.py", "src/pkg/core.py"),
        ("`src/pkg/core.py`", "src/pkg/core.py"),
        ("**src/pkg/core.py**", "src/pkg/core.py"),
        ("a/src/pkg/core.py", "src/pkg/core.py"),
        ("b/src/pkg/core.py", "src/pkg/core.py"),
        ("core.py", "src/pkg/core.py"),
        ("pkg/core.py", "src/pkg/core.py"),
        ("pkg/util.py", "src/pkg/util.py"),
        ("src/pkg/core.py:", "src/pkg/core.py"),
    ],
)
def test_resolves_loose_names(repo: Path, raw: str, expected: str) -> None:
    resolved = PathResolver(Workspace.open(repo)).resolve(raw, "replace")
    assert resolved.rel == expected and resolved.exists


def test_absolute_path_inside_repo_becomes_relative(repo: Path) -> None:
    raw = str((repo / "src" / "pkg" / "core.py").resolve())
    assert PathResolver(Workspace.open(repo)).resolve(raw, "replace").rel == "src/pkg/core.py"


def test_ambiguous_basename_is_refused_with_candidates(repo: Path) -> None:
    reason = refused(repo, "util.py")
    assert "src/pkg/util.py" in reason and "tests/util.py" in reason


def test_create_keeps_the_written_path(repo: Path) -> None:
    resolved = PathResolver(Workspace.open(repo)).resolve("core.py", "create")
    assert resolved.rel == "core.py" and not resolved.exists
    assert PathResolver(Workspace.open(repo)).resolve("new/dir/file.py", "create").rel == "new/dir/file.py"


def test_missing_file_for_replace(repo: Path) -> None:
    assert "no such file" in refused(repo, "nope.py")


@pytest.mark.parametrize("raw", ["../x", "src/../../x", "../../etc/passwd"])
def test_dotdot_refused(repo: Path, raw: str) -> None:
    assert "leaves the repository" in refused(repo, raw, "create")


def test_absolute_outside_refused(repo: Path) -> None:
    assert "outside the repository" in refused(repo, "/etc/passwd")
    assert "outside the repository" in refused(repo, "/etc/passwd", "create")


def test_git_dir_refused(repo: Path) -> None:
    assert ".git/" in refused(repo, ".git/config")
    assert ".git/" in refused(repo, "sub/.git/hooks/pre-commit", "create")
    assert ".git/" in refused(repo, ".GIT/config", "create")


def test_symlink_out_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    os.symlink(outside, repo / "link.txt")
    assert "outside the repository" in refused(repo, "link.txt")


def test_symlinked_parent_dir_refused(repo: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "outdir"
    outdir.mkdir()
    (outdir / "f.py").write_text("a\n")
    os.symlink(outdir, repo / "linked")
    assert "parent directory" in refused(repo, "linked/f.py")
    assert "parent directory" in refused(repo, "linked/new.py", "create")


def test_symlink_inside_names_its_target(repo: Path) -> None:
    os.symlink("src/pkg/core.py", repo / "alias.py")
    assert "src/pkg/core.py" in refused(repo, "alias.py")


def test_git_ignored_refused(repo: Path) -> None:
    (repo / "debug.log").write_text("x\n")
    assert "ignored by git" in refused(repo, "debug.log")
    assert "ignored by git" in refused(repo, "build/out.py", "create")


def test_codeassistignore_refused(repo: Path) -> None:
    (repo / ".codeassistignore").write_text("# secrets\nsecrets/\n*.crt\n")
    (repo / "secrets").mkdir()
    (repo / "secrets" / "key.txt").write_text("k\n")
    assert ".codeassistignore" in refused(repo, "secrets/key.txt")
    assert ".codeassistignore" in refused(repo, "server.crt", "create")
    PathResolver(Workspace.open(repo)).resolve("src/pkg/core.py", "replace")  # everything else is fine


def test_binary_refused(repo: Path) -> None:
    (repo / "blob.bin").write_bytes(b"abc\0def")
    assert "binary" in refused(repo, "blob.bin")


def test_directory_refused(repo: Path) -> None:
    assert "not a regular file" in refused(repo, "src/pkg", "write")


def test_empty_name_refused(repo: Path) -> None:
    assert "names no file" in refused(repo, "  ``  ")


def test_a_prefix_kept_when_repo_has_such_dir(repo: Path) -> None:
    (repo / "a").mkdir()
    (repo / "a" / "x.py").write_text("1\n")
    assert PathResolver(Workspace.open(repo)).resolve("a/x.py", "replace").rel == "a/x.py"


def test_clean_name_and_is_binary() -> None:
    assert clean_name(" `./x/y.py` ") == "x/y.py"
    assert is_binary(b"\xff\xfe\x00")
    assert is_binary(b"caf\xe9")  # latin-1, not UTF-8
    assert not is_binary("café\n".encode())


def test_ambiguous_basename_refused_for_whole_file_write(repo: Path) -> None:
    assert "several files match" in refused(repo, "util.py", "write")
    assert PathResolver(Workspace.open(repo)).resolve("core.py", "write").rel == "src/pkg/core.py"
    assert PathResolver(Workspace.open(repo)).resolve("brand_new.py", "write").rel == "brand_new.py"
