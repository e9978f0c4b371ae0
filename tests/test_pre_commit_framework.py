"""The hooks of ``.pre-commit-hooks.yaml`` run by the real pre-commit framework (``pre-commit try-repo``).

How the hook environment is built, and why. pre-commit installs a
``language: python`` hook by creating a virtualenv and pip-installing the hook
repository into it, dependencies included, from the package index. Nothing is
faked here: the index is reached the way a user's pre-commit reaches it (this
machine, like CI, reaches PyPI). To keep that reliable and fast:

* the repository handed to pre-commit is a snapshot of this checkout's tracked
  files (their working-tree content, so what is tested is the code under
  test) committed with a fixed author and date: the same sources give the
  same commit id, so pre-commit's store recognises the environment it built
  for them and reuses it across test runs;
* ``PRE_COMMIT_HOME`` and pip's cache live in pytest's cache directory
  (``.pytest_cache/``), not in the per-test home, so the hooks installed with
  ``pre-commit install`` find their environment again on the next run; only a
  change to the sources rebuilds it. When the snapshot changes, the old store
  is removed so it cannot grow.
* ``try-repo`` itself always works in a temporary store, so each call builds
  the environment afresh (15 to 60 s, from the index's wheels and pip's
  cache): one call runs both pre-commit-stage hooks together, and the
  message drafter is tested through ``pre-commit install`` and a real
  ``git commit`` instead, which uses the persistent store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openai_server import OpenAIServer, Text

from tests.conftest import git
from tests.hook_fixtures import stage

PROJECT = Path(__file__).resolve().parent.parent
FIXED = {
    "GIT_AUTHOR_NAME": "snapshot",
    "GIT_AUTHOR_EMAIL": "snapshot@example.invalid",
    "GIT_COMMITTER_NAME": "snapshot",
    "GIT_COMMITTER_EMAIL": "snapshot@example.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}


def _snapshot(dest: Path) -> str:
    """Copy the checkout's tracked files into a fresh repository at ``dest``; return its commit."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    names = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in names:
        name = raw.decode()
        src = PROJECT / name
        if not name or not (src.is_file() or src.is_symlink()):
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, target)
    env = {**os.environ, **FIXED}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "snapshot"]):
        subprocess.run(["git", "-C", str(dest), *args], check=True, capture_output=True, env=env)
    return git(dest, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def hook_repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """(snapshot repository, its commit, persistent directory for pre-commit's store and pip's cache)."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    base = Path(cache.mkdir("codeassist-pre-commit")) if cache is not None else tmp_path_factory.mktemp("pre-commit")
    sha = _snapshot(base / "src")
    home = base / "home"
    stamp = base / "snapshot-commit"
    if not stamp.exists() or stamp.read_text() != sha:
        shutil.rmtree(home, ignore_errors=True)
    home.mkdir(exist_ok=True)
    stamp.write_text(sha)
    return base / "src", sha, base


def try_repo(
    hook_repo: tuple[Path, str, Path], target: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    src, sha, base = hook_repo
    run_env = {**env, "PRE_COMMIT_HOME": str(base / "home"), "PIP_CACHE_DIR": str(base / "pip-cache")}
    run_env.pop("PRE_COMMIT_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(src), *args, "--ref", sha, "--color", "never"],
        cwd=target,
        capture_output=True,
        text=True,
        env=run_env,
        timeout=900,
    )


MODEL_REPLY = {"findings": [{"path": "calc.py", "line": 2, "severity": "error", "message": "divides by zero"}]}


def model_env(env: dict[str, str], server: OpenAIServer) -> dict[str, str]:
    return {**env, "CODEASSIST_MODEL": "gpt-4o-mini", "CODEASSIST_BASE_URL": server.base_url, "OPENAI_API_KEY": "k"}


@pytest.mark.timeout(900)
def test_try_repo_runs_the_checks_and_the_model_review(
    hook_repo: tuple[Path, str, Path], git_repo: Path, isolated_env: dict[str, str], openai_server: OpenAIServer
) -> None:
    """One try-repo call runs both pre-commit-stage hooks (each call builds its environment afresh)."""
    openai_server.enqueue(Text(json.dumps(MODEL_REPLY)))
    stage(git_repo, {"bad.py": "def f(:\n", "calc.py": "def f(x):\n    return x / 0\n"})
    proc = try_repo(hook_repo, git_repo, model_env(isolated_env, openai_server), "--all-files")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    checks, review = out.split("codeassist checks", 1)[1].split("codeassist review", 1)
    assert "Failed" in checks and "bad.py:1: error:" in checks and "[syntax]" in checks and "[model]" not in checks
    assert "Failed" in review and "calc.py:2: error: divides by zero [model]" in review
    assert len(openai_server.posts) == 1  # require_serial and pass_filenames: false: one review, not one per batch


@pytest.mark.timeout(900)
def test_installed_framework_hooks_on_real_commits(
    hook_repo: tuple[Path, str, Path], git_repo: Path, isolated_env: dict[str, str], openai_server: OpenAIServer
) -> None:
    """``pre-commit install`` with a config naming the hooks; git runs them (the store persists, see above)."""
    src, sha, base = hook_repo
    config = f"""repos:
-   repo: {src}
    rev: {sha}
    hooks:
    -   id: codeassist
    -   id: codeassist-commit-msg
"""
    (git_repo / ".pre-commit-config.yaml").write_text(config)
    env = {**model_env(isolated_env, openai_server), "PRE_COMMIT_HOME": str(base / "home"), "GIT_EDITOR": "true"}
    git(git_repo, "add", ".pre-commit-config.yaml")
    for hook_type in ("pre-commit", "prepare-commit-msg"):
        subprocess.run(
            [sys.executable, "-m", "pre_commit", "install", "--hook-type", hook_type],
            cwd=git_repo,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    stage(git_repo, {"bad.py": "def f(:\n"})
    blocked = subprocess.run(
        ["git", "commit", "-q"], cwd=git_repo, env=env, capture_output=True, text=True, timeout=900
    )
    assert blocked.returncode != 0 and "bad.py:1: error:" in blocked.stdout + blocked.stderr
    assert openai_server.requests == []  # the offline hook never calls a model; no message was drafted

    openai_server.enqueue(Text("chore: add the demo module"))
    stage(git_repo, {"bad.py": "def f():\n    return 1\n"})
    proc = subprocess.run(["git", "commit", "-q"], cwd=git_repo, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(git_repo, "log", "-1", "--format=%s").strip() == "chore: add the demo module"
