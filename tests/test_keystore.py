"""``config set api_key --keyring``: the key lives in the system keyring, never in a file.

Runs only where the optional keyring package is installed; the keyring is a file-backed backend
chosen through keyring's own ``PYTHON_KEYRING_BACKEND``, so the machine's keyring is never touched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openai_server import OpenAIServer, Text

keyring = pytest.importorskip("keyring")

TESTS = Path(__file__).resolve().parent


def env_with_keyring(isolated_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **isolated_env,
        "PYTHONPATH": str(TESTS),
        "PYTHON_KEYRING_BACKEND": "keyring_file_backend.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "CODEASSIST_CONFIG": str(tmp_path / "config.toml"),
    }


def run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, cwd=repo)


def test_key_stored_in_the_keyring_is_sent_and_never_written(
    git_repo: Path, tmp_path: Path, isolated_env: dict[str, str], openai_server: OpenAIServer
) -> None:
    env = env_with_keyring(isolated_env, tmp_path)
    proc = run(git_repo, env, "config", "set", "api_key", "sk-KEYRING-0001", "--keyring")
    assert proc.returncode == 0, proc.stderr
    assert "sk-KEYRING-0001" not in proc.stderr and "FileKeyring" in proc.stderr
    config = (tmp_path / "config.toml").read_text()
    assert "sk-KEYRING" not in config and 'key_store = "keyring"' in config
    assert json.loads((tmp_path / "keyring.json").read_text()) == {"codeassist/api_key": "sk-KEYRING-0001"}
    openai_server.enqueue(Text("hello"))
    proc = run(git_repo, env, "--base-url", openai_server.base_url, "--model", "gpt-4o-mini", "ask", "hi")
    assert proc.returncode == 0, proc.stderr
    assert openai_server.requests[-1].headers["authorization"] == "Bearer sk-KEYRING-0001"


def test_keyring_key_is_never_sent_to_a_local_server_and_never_looked_up_unasked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring_file_backend import FileKeyring

    from codeassist.backends.presets import PLACEHOLDER_KEY, resolve_endpoint
    from codeassist.config import load_settings

    monkeypatch.setenv("TEST_KEYRING_FILE", str(tmp_path / "kr.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        keyring.set_password("codeassist", "api_key", "sk-KR")
        env = {"CODEASSIST_CONFIG": str(tmp_path / "none.toml")}
        chosen = load_settings(repo_root=None, environ=env, flags={"model": "ollama/qwen", "key_store": "keyring"})
        assert resolve_endpoint(chosen, env).api_key == PLACEHOLDER_KEY
        chosen = load_settings(repo_root=None, environ=env, flags={"model": "gpt-4.1", "key_store": "keyring"})
        assert resolve_endpoint(chosen, env).api_key == "sk-KR"
        unasked = load_settings(repo_root=None, environ=env, flags={"model": "gpt-4.1"})
        assert resolve_endpoint(unasked, env).api_key is None
    finally:
        keyring.set_keyring(previous)


def test_keyring_flag_is_for_the_key_only_and_never_with_local(
    git_repo: Path, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    env = env_with_keyring(isolated_env, tmp_path)
    assert run(git_repo, env, "config", "set", "model", "x", "--keyring").returncode == 2
    proc = run(git_repo, env, "config", "set", "api_key", "sk-1", "--keyring", "--local")
    assert proc.returncode == 2 and not (git_repo / ".codeassist.toml").exists()
    assert not (tmp_path / "keyring.json").exists()
