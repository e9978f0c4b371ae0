"""Which models call tools: the catalogue, the server's own word, config; agent mode refuses a model that cannot,
and a server that refuses the tools is reported as such. The real CLI against the loopback server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openai_server import Fault, OpenAIServer, Text
from server_kinds import Kind

from codeassist.backends.catalogue import describe_tools, lookup_model
from codeassist.backends.model_facts import resolve
from codeassist.config import load_settings
from codeassist.errors import ConfigError


def test_the_catalogue_says_which_models_call_tools() -> None:
    assert (lookup_model("gpt-4o").tools, lookup_model("gpt-4o").tools_source) == (True, "catalogue")
    assert lookup_model("anthropic/claude-sonnet-4-5").tools is True
    assert lookup_model("deepseek/deepseek-reasoner").tools is False
    assert lookup_model("ollama/deepseek-coder-v2:16b").tools is False
    unknown = lookup_model("my-own-finetune")
    assert (unknown.tools, unknown.tools_source) == (None, "unknown")
    assert describe_tools(unknown) == "tool calls unknown"
    assert describe_tools(lookup_model("deepseek-reasoner")) == "does not call tools (catalogue)"
    # A config table says otherwise: it wins, and says where it came from.
    said = lookup_model("deepseek-reasoner", {"deepseek-reasoner": {"tools": True}})
    assert (said.tools, said.tools_source) == (True, "config")
    with pytest.raises(ConfigError, match="tools = 'yes' is not valid"):
        lookup_model("x", {"x": {"tools": "yes"}})
    with pytest.raises(ConfigError, match="unknown key 'tools_source'"):
        lookup_model("x", {"x": {"tools_source": "me"}})


@pytest.mark.parametrize(
    ("kind", "model", "base"),
    [
        (Kind("ollama", window=32768), "tiny-coder:1b", "/v1"),
        (Kind("openrouter", window=64000), "acme/tiny-coder", "/api/v1"),
    ],
)
@pytest.mark.parametrize("calls_tools", [True, False, None])
def test_the_server_says_whether_the_model_calls_tools(
    openai_server: OpenAIServer, tmp_path: Path, kind: Kind, model: str, base: str, calls_tools: bool | None
) -> None:
    from dataclasses import replace

    openai_server.models = [model]
    openai_server.impersonate(replace(kind, tools=calls_tools))
    name = ("openrouter/" if kind.name == "openrouter" else "") + model
    flags = {"model": name, "base_url": openai_server.root_url + base, "api_key": "k"}
    facts = resolve(load_settings(repo_root=None, environ={}, flags=flags), {}, tmp_path)
    assert facts.server is not None and facts.server.tools is calls_tools
    assert facts.info.tools is calls_tools
    assert facts.info.tools_source == ("unknown" if calls_tools is None else "server")
    # Kept in the facts cache with the window: asked again, the server is not.
    asked = len(openai_server.requests)
    again = resolve(load_settings(repo_root=None, environ={}, flags=flags), {}, tmp_path)
    assert len(openai_server.requests) == asked and again.info.tools is calls_tools


def test_the_server_wins_over_the_catalogue_and_config_over_both(openai_server: OpenAIServer, tmp_path: Path) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("ollama", window=32768, tools=False))  # this build's template has no tools
    flags = {"model": "qwen2.5-coder:7b", "base_url": openai_server.base_url}
    s = load_settings(repo_root=None, environ={}, flags=flags)
    assert lookup_model("qwen2.5-coder").tools is True
    assert resolve(s, {}, tmp_path / "a").info.tools is False
    s.models["qwen2.5-coder:7b"] = {"tools": True}
    facts = resolve(s, {}, tmp_path / "b")
    assert (facts.info.tools, facts.info.tools_source) == (True, "config")


# -- the CLI --------------------------------------------------------------------------------------------
def cli(
    server: OpenAIServer, repo: Path, env: dict[str, str], model: str, *args: str
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--base-url", server.base_url, "--api-key", "k"]
    argv += ["--model", model, *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, input="", timeout=120)


def test_agent_mode_refuses_a_model_known_not_to_call_tools(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["deepseek-reasoner"]
    proc = cli(openai_server, git_repo, isolated_env, "deepseek-reasoner", "edit", "--agent", "fix it", "--json")
    assert proc.returncode == 3, proc.stderr
    data = json.loads(proc.stdout)
    assert data["errors"][0].startswith("deepseek-reasoner does not call tools (so says the catalogue)")
    assert "classic mode" in proc.stdout and "tools = true" in proc.stdout
    # The setting picks agent mode: the same error, and the model was never asked anything.
    env = {**isolated_env, "CODEASSIST_MODE": "agent"}
    proc = cli(openai_server, git_repo, env, "deepseek-reasoner", "edit", "fix it")
    assert proc.returncode == 3 and "does not call tools" in proc.stderr and "Traceback" not in proc.stderr
    assert openai_server.posts == []
    # Classic mode works with it, as before.
    openai_server.enqueue(Text("Nothing to change."))
    proc = cli(openai_server, git_repo, isolated_env, "deepseek-reasoner", "edit", "look", "--json")
    assert json.loads(proc.stdout)["reply"] == "Nothing to change." and "tools" not in openai_server.posts[0].body


def test_an_unknown_model_may_try_and_a_server_refusal_says_so(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    # Ollama's own words when a model's template has no tools (its OpenAI-compatible API, HTTP 400).
    refusal = {"error": {"message": "registry.ollama.ai/library/my-finetune:latest does not support tools",
                         "type": "api_error", "param": None, "code": None}}  # fmt: skip
    openai_server.models = ["my-finetune"]
    openai_server.enqueue(Fault(400, refusal))
    before = git_repo.joinpath("README.md").read_bytes()
    proc = cli(openai_server, git_repo, isolated_env, "my-finetune", "edit", "--agent", "fix it", "--json")
    assert proc.returncode == 4, proc.stderr
    error = json.loads(proc.stdout)["errors"][0]
    assert "refused the tools of this agent request: my-finetune cannot call tools there" in error
    assert "does not support tools" in error and "tools" in openai_server.posts[0].body
    assert git_repo.joinpath("README.md").read_bytes() == before


def test_vllm_without_tool_choice_gets_the_flag_to_start_it_with(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    message = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'
    openai_server.models = ["my-finetune"]
    openai_server.enqueue(Fault(400, {"object": "error", "message": message, "type": "BadRequestError", "code": 400}))
    proc = cli(openai_server, git_repo, isolated_env, "my-finetune", "edit", "--agent", "fix it")
    assert proc.returncode == 4
    assert "cannot call tools there" in proc.stderr and "start vLLM with --enable-auto-tool-choice" in proc.stderr


def test_models_shows_whether_the_current_model_calls_tools(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["deepseek-reasoner"]
    proc = cli(openai_server, git_repo, isolated_env, "deepseek-reasoner", "models")
    assert proc.returncode == 0, proc.stderr
    assert "edit format search-replace, api chat, does not call tools (catalogue)" in proc.stdout
    assert " tools" in proc.stdout.splitlines()[1]  # the catalogue table's column
    proc = cli(openai_server, git_repo, isolated_env, "deepseek-reasoner", "models", "--json")
    current = json.loads(proc.stdout)["current"]
    assert (current["tools"], current["tools_source"]) == (False, "catalogue")


def test_openrouter_without_a_provider_for_tools_is_not_a_missing_endpoint(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    message = "No endpoints found that support tool use. To learn more about provider routing, visit: ..."
    openai_server.models = ["my-finetune"]
    openai_server.enqueue(Fault(404, {"error": {"message": message, "code": 404}}))
    proc = cli(openai_server, git_repo, isolated_env, "my-finetune", "edit", "--agent", "fix it")
    assert proc.returncode == 4
    assert "cannot call tools there" in proc.stderr and "has no /chat/completions endpoint" not in proc.stderr


def test_ollamas_native_api_refusing_tools_says_so(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["tiny:1b"]
    openai_server.impersonate(Kind("ollama", window=8192))  # capabilities not said: agent mode may try
    refusal = {"error": {"message": "registry.ollama.ai/library/tiny:1b does not support tools"}}
    openai_server.enqueue(Fault(400, refusal))
    proc = cli(openai_server, git_repo, isolated_env, "tiny:1b", "edit", "--agent", "fix it")
    assert proc.returncode == 4, proc.stderr
    assert "cannot call tools there" in proc.stderr and "does not support tools" in proc.stderr
    assert any(r.path == "/api/chat" for r in openai_server.requests)  # through Ollama's own API


def test_an_ollama_model_without_the_tools_capability_is_refused_before_any_request(
    openai_server: OpenAIServer, git_repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["tiny:1b"]
    openai_server.impersonate(Kind("ollama", window=8192, tools=False))
    proc = cli(openai_server, git_repo, isolated_env, "tiny:1b", "edit", "--agent", "fix it", "--json")
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["errors"][0].startswith("ollama/tiny:1b does not call tools (so says the server)")
    assert openai_server.posts == [] and not any(r.path == "/api/chat" for r in openai_server.requests)
