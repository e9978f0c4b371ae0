"""``codeassist models``, run as a real subprocess of the console entry point."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import echo_plugin
import pytest
from openai_server import OpenAIServer


def run(
    *args: str, pythonpath: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **(env or {})}
    if pythonpath is not None:
        environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(pythonpath), environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "codeassist", *args], capture_output=True, text=True, env=environ, cwd=cwd, timeout=60
    )


def as_json(proc: subprocess.CompletedProcess[str]) -> dict:  # type: ignore[type-arg]
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_catalogue_as_json(tmp_path: Path) -> None:
    data = as_json(run("models", "--json", "--no-remote", cwd=tmp_path))
    assert data["version"] == 1 and data["endpoint"] is None and data["current"] is None
    by_name = {m["name"]: m for m in data["catalogue"]}
    assert by_name["gpt-4.1"] == {
        "name": "gpt-4.1",
        "context_window": 1047576,
        "max_output_tokens": 32768,
        "input_price": 2.0,
        "cached_input_price": 0.5,
        "output_price": 8.0,
        "edit_format": "patch",
        "api": "chat",
        "family": "gpt",
        "reasoning": False,
        "known": True,
        "tools": True,
        "tools_source": "catalogue",
    }
    assert [b["name"] for b in data["backends"]] == ["openai"]


def test_human_table(tmp_path: Path) -> None:
    proc = run("models", "--no-remote", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "gpt-4.1 " in proc.stdout and "1,047k" in proc.stdout and "claude-sonnet-4-5" in proc.stdout
    assert "presets: openai/, azure/, openrouter/" in proc.stdout


def test_third_party_backend_is_listed(tmp_path: Path) -> None:
    site = echo_plugin.install(tmp_path / "site")
    data = as_json(run("models", "--json", "--no-remote", pythonpath=site, cwd=tmp_path))
    echo = {b["name"]: b for b in data["backends"]}["echo"]
    assert echo == {
        "name": "echo",
        "target": "codeassist_echo:factory",
        "distribution": "codeassist-echo",
        "builtin": False,
        "models": ["echo-1", "echo-large"],
        "error": None,
    }
    human = run("models", "--no-remote", pythonpath=site, cwd=tmp_path)
    assert "echo" in human.stdout and "echo-1, echo-large" in human.stdout


def test_plugin_model_lists_through_the_plugin(tmp_path: Path) -> None:
    site = echo_plugin.install(tmp_path / "site")
    data = as_json(run("--model", "echo/echo-1", "models", "--json", pythonpath=site, cwd=tmp_path))
    assert data["endpoint"] == {"backend": "echo", "url": None, "models": ["echo-1", "echo-large"], "error": None}


def test_remote_models_from_the_endpoint(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["qwen2.5-coder:7b", "llama3.1:8b"]
    data = as_json(run("models", "--json", "--base-url", openai_server.base_url, "--api-key", "k", cwd=tmp_path))
    assert data["endpoint"] == {
        "backend": "openai",
        "url": openai_server.base_url,
        "models": ["llama3.1:8b", "qwen2.5-coder:7b"],
        "error": None,
    }
    human = run("--model", "gpt-4o", "--base-url", openai_server.base_url, "models", cwd=tmp_path)
    assert f"{openai_server.base_url} serves 2 models:" in human.stdout and "  qwen2.5-coder:7b" in human.stdout
    assert "current model: gpt-4o -> gpt-4o" in human.stdout


def test_unreachable_endpoint_is_a_note_not_a_failure(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    proc = run("--model", "ollama/qwen2.5-coder:7b", "--base-url", url, "models", cwd=tmp_path)
    assert proc.returncode == 0
    assert f"note: could not list the models of {url}: cannot connect" in " ".join(proc.stderr.split())
    data = as_json(run("--model", "ollama/qwen2.5-coder:7b", "--base-url", url, "models", "--json", cwd=tmp_path))
    assert data["endpoint"]["models"] is None and "connection refused" in data["endpoint"]["error"]
    assert data["current"]["name"] == "qwen2.5-coder" and data["current"]["model"] == "ollama/qwen2.5-coder:7b"


def test_config_overrides_show_in_the_catalogue(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[models."gpt-4o"]\ninput_price = 1.0\n\n[models."my-local"]\ncontext_window = 65536\n')
    data = as_json(run("--config", str(config), "models", "--json", "--no-remote", cwd=tmp_path))
    by_name = {m["name"]: m for m in data["catalogue"]}
    assert by_name["gpt-4o"]["input_price"] == 1.0
    assert by_name["my-local"]["context_window"] == 65536


@pytest.mark.parametrize("bad", ['[models."gpt-4o"]\napi = "soap"\n'])
def test_bad_override_exits_3(tmp_path: Path, bad: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(bad)
    proc = run("--config", str(config), "models", "--no-remote", cwd=tmp_path)
    assert proc.returncode == 3 and "api = 'soap' is not valid" in proc.stderr and "Traceback" not in proc.stderr
