"""The installed pre-commit hook on real ``git commit`` runs: what blocks, what passes, and the conventions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.hook_fixtures import OPENAI_KEY, codeassist, commit, git_run, head, stage


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("def main():\n    return 1\n")
    git(git_repo, "add", "app.py")
    git(git_repo, "commit", "-q", "-m", "add app")
    proc = codeassist(git_repo, "hook", "install")
    assert proc.returncode == 0, proc.stderr
    return git_repo


def test_clean_commit_passes(repo: Path) -> None:
    stage(repo, {"app.py": "def main():\n    return 2\n", "lib/util.py": "X = 1\n"})
    before = head(repo)
    proc = commit(repo)
    assert proc.returncode == 0, proc.stderr
    assert head(repo) != before
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("files", "rule", "line"),
    [
        ({"app.py": "def main(:\n    return 2\n"}, "syntax", 1),
        ({"notes.txt": "ok\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n"}, "conflict-marker", 2),
        ({"settings.py": f'API_KEY = "{OPENAI_KEY}"\n'}, "secret", 1),
        ({"app.py": "def main():\n    breakpoint()\n    return 1\n"}, "debug-leftover", 2),
    ],
)
def test_each_check_blocks_with_its_finding(repo: Path, files: dict[str, str], rule: str, line: int) -> None:
    stage(repo, files)
    before = head(repo)
    proc = commit(repo)
    assert proc.returncode != 0
    assert head(repo) == before
    name = next(iter(files))
    assert f"{name}:{line}: error:" in proc.stderr and f"[{rule}]" in proc.stderr
    assert "commit blocked" in proc.stderr
    assert OPENAI_KEY not in proc.stderr  # secrets are redacted, and their line is not shown


def test_inline_marker_silences_one_rule_on_its_line(repo: Path) -> None:
    stage(repo, {"app.py": "def main():\n    breakpoint()  # codeassist: allow debug-leftover\n"})
    proc = commit(repo)
    assert proc.returncode == 0, proc.stderr


def test_disabled_rule_in_repo_config(repo: Path) -> None:
    (repo / ".codeassist.toml").write_text('review_disabled_rules = ["debug-leftover"]\n')
    stage(repo, {"app.py": "def main():\n    breakpoint()\n"})
    assert commit(repo).returncode == 0


def test_staged_good_working_copy_broken_passes_and_the_reverse_blocks(repo: Path) -> None:
    stage(repo, {"app.py": "def main():\n    return 3\n"})
    (repo / "app.py").write_text("def main(:\n    return 3\n")  # broken, but not staged
    proc = commit(repo)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "show", "HEAD:app.py") == "def main():\n    return 3\n"
    assert (repo / "app.py").read_text() == "def main(:\n    return 3\n"  # the work tree is never touched

    git(repo, "add", "app.py")  # stage the broken version...
    (repo / "app.py").write_text("def main():\n    return 4\n")  # ...and fix only the working copy
    proc = commit(repo)
    assert proc.returncode != 0 and "app.py:1: error:" in proc.stderr
    assert git(repo, "diff", "--cached", "--name-only").split() == ["app.py"]  # the index is untouched


def test_commit_all_is_judged_on_what_it_commits(repo: Path) -> None:
    (repo / "app.py").write_text("def main(:\n")  # tracked, modified, not staged
    proc = commit(repo, "-a")
    assert proc.returncode != 0 and "app.py:1: error:" in proc.stderr
    (repo / "app.py").write_text("def main():\n    return 5\n")
    proc = commit(repo, "-a")
    assert proc.returncode == 0, proc.stderr


def test_commit_path_is_judged_on_that_path_only(repo: Path) -> None:
    stage(repo, {"broken.py": "def f(:\n"})  # staged, but not part of `git commit app.py`
    (repo / "app.py").write_text("def main():\n    return 6\n")
    proc = commit(repo, "--", "app.py")
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["app.py"]
    (repo / "app.py").write_text("def main(:\n")
    proc = commit(repo, "--", "app.py")
    assert proc.returncode != 0 and "app.py:1: error:" in proc.stderr and "broken.py" not in proc.stderr


def test_error_already_in_head_is_not_the_committers(repo: Path) -> None:
    git(repo, "rm", "-q", "--cached", "app.py")
    (repo / "old.py").write_text("def legacy(:\n    pass\n")
    git(repo, "add", "old.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "legacy")
    stage(repo, {"old.py": "def legacy(:\n    pass\n\nX = 1\n"})
    assert commit(repo).returncode == 0


def test_skip_conventions(repo: Path, isolated_env: dict[str, str]) -> None:
    stage(repo, {"app.py": "def main(:\n"})
    assert commit(repo, env={**isolated_env, "SKIP": "flake8,codeassist"}).returncode == 0
    stage(repo, {"app.py": "def main(::\n"})
    assert commit(repo, env={**isolated_env, "CODEASSIST_HOOK": "0"}).returncode == 0
    stage(repo, {"app.py": "def main(:::\n"})
    assert commit(repo, "--no-verify").returncode == 0
    stage(repo, {"app.py": "def main(::::\n"})
    assert commit(repo, env={**isolated_env, "SKIP": "flake8"}).returncode != 0


def test_initial_commit_rename_deletion_and_merge(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    assert codeassist(root, "hook", "install").returncode == 0
    stage(root, {"a.py": "A = 1\n", "b.py": "B = 1\n"})
    assert commit(root).returncode == 0, "initial commit"
    git(root, "mv", "a.py", "renamed.py")
    git(root, "rm", "-q", "b.py")
    proc = commit(root)
    assert proc.returncode == 0, proc.stderr
    git(root, "checkout", "-q", "-b", "side")
    stage(root, {"side.py": "S = 1\n"})
    assert commit(root).returncode == 0
    git(root, "checkout", "-q", "main")
    stage(root, {"main.py": "M = 1\n"})
    assert commit(root).returncode == 0
    merged = git_run(root, "merge", "--no-edit", "side")
    assert merged.returncode == 0, merged.stderr


def test_merge_resolution_with_conflict_markers_is_blocked(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    stage(root, {"f.txt": "base\n"})
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "side")
    stage(root, {"f.txt": "side\n"})
    git(root, "commit", "-q", "-m", "side")
    git(root, "checkout", "-q", "main")
    stage(root, {"f.txt": "main\n"})
    git(root, "commit", "-q", "-m", "main")
    assert codeassist(root, "hook", "install").returncode == 0
    assert git_run(root, "merge", "side").returncode != 0  # a conflict
    git(root, "add", "f.txt")  # "resolved" with the markers still in
    proc = git_run(root, "commit", "--no-edit")
    assert proc.returncode != 0 and "f.txt:1: error:" in proc.stderr and "[conflict-marker]" in proc.stderr
    stage(root, {"f.txt": "main and side\n"})
    assert git_run(root, "commit", "--no-edit").returncode == 0


def test_large_file_blocks(repo: Path) -> None:
    (repo / ".codeassist.toml").write_text("review_max_file_bytes = 100\n")
    stage(repo, {"data.txt": "x" * 101})
    proc = commit(repo)
    assert proc.returncode != 0 and "data.txt: error:" in proc.stderr and "[large-file]" in proc.stderr


def test_rerun_after_block_answers_from_the_cache(repo: Path) -> None:
    stage(repo, {"app.py": "def main(:\n"})
    first = codeassist(repo, "review", "--staged", "--offline", "--json")
    again = codeassist(repo, "review", "--staged", "--offline", "--json")
    assert '"cached": false' in first.stdout and '"cached": true' in again.stdout
    assert first.stdout.replace('"cached": false', '"cached": true') == again.stdout


def test_a_codeassist_folder_in_the_repository_does_not_shadow_the_hook(repo: Path) -> None:
    stage(
        repo, {"codeassist/__init__.py": "raise SystemExit(99)\n", "codeassist/__main__.py": "raise SystemExit(99)\n"}
    )
    proc = commit(repo)
    assert proc.returncode == 0, proc.stderr


def test_amend_is_judged_on_what_it_adds(repo: Path) -> None:
    stage(repo, {"app.py": "def main():\n    return 7\n"})
    assert commit(repo).returncode == 0
    assert git_run(repo, "commit", "-q", "--amend", "-m", "reworded").returncode == 0
    stage(repo, {"app.py": "def main(:\n"})
    proc = git_run(repo, "commit", "-q", "--amend", "--no-edit")
    assert proc.returncode != 0 and "app.py:1: error:" in proc.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "reworded"


def test_hook_run_by_hand(repo: Path) -> None:
    stage(repo, {"app.py": "def main(:\n"})
    proc = codeassist(repo, "hook", "run", "pre-commit")
    assert proc.returncode == 1 and "app.py:1: error:" in proc.stderr
    assert codeassist(repo, "hook", "run", "pre-commit", "--offline").returncode == 1
    stage(repo, {"app.py": "def main():\n    return 8\n"})
    assert codeassist(repo, "hook", "run", "pre-commit").returncode == 0


def test_the_review_writes_nothing_to_the_index_or_the_object_store(repo: Path) -> None:
    stage(repo, {"app.py": "def main(:\n", "new.py": "N = 1\n"})
    (repo / "app.py").write_text("work tree only\n")
    index = repo / ".git" / "index"
    before = (index.read_bytes(), git(repo, "count-objects"), (repo / "app.py").read_bytes())
    assert codeassist(repo, "hook", "run", "pre-commit").returncode == 1
    assert codeassist(repo, "review", "--staged", "--json").returncode == 1
    assert (index.read_bytes(), git(repo, "count-objects"), (repo / "app.py").read_bytes()) == before
