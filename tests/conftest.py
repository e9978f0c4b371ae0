"""Shared fixtures: an isolated environment and real temporary git repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user config, no real API keys, no local model servers, a known git identity for every test."""
    home = tmp_path_factory.mktemp("home")
    from codeassist.backends.discovery import KEY_MODELS, TARGETS_ENV

    provider_keys = {env for env, _, _ in KEY_MODELS}
    for name in list(os.environ):
        if name.startswith(("CODEASSIST_", "OPENAI_")) or name in ("NO_COLOR", *provider_keys):
            monkeypatch.delenv(name, raising=False)
    # Zero-config discovery probes no real port: a developer's own Ollama must not change a test.
    monkeypatch.setenv(TARGETS_ENV, "")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    return dict(os.environ)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty git repository with one commit."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# demo\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def openai_server():  # type: ignore[no-untyped-def]
    """A started loopback OpenAI-compatible server (see tests/openai_server.py)."""
    from openai_server import OpenAIServer

    server = OpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


def sandbox_python() -> str:
    """The interpreter a command inside agent mode's sandbox can run. The sandbox's /tmp is private, so a
    virtual environment under /tmp (a CI checkout there) is out of its sight; the one it was made from is not."""
    import sys

    return (Path(sys.base_prefix) / "bin" / Path(sys.executable).name).as_posix()
