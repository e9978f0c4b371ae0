"""Helpers for the hook tests: the codeassist CLI and git as a user runs them, in real repositories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Built from pieces so this file does not itself look like it holds a key.
OPENAI_KEY = "sk-" + "proj-" + "Q7v9XkLm2Pz8Rt4Wy6Nb1Hc3Jd5Fg0Ks" * 2


def codeassist(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codeassist", "--no-color", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def git_run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env, timeout=120)


def commit(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``git commit -m msg ARGS``: the installed hooks run as they would for the user."""
    return git_run(root, "commit", "-q", "-m", "change", *args, env=env)


def stage(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "--", *files], check=True, capture_output=True)


def head(root: Path) -> str:
    return git_run(root, "rev-parse", "HEAD").stdout.strip()
