"""End to end with local model servers impersonated by the loopback server: any model, no setup."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git
from openai_server import OpenAIServer, Text
from replies import GOOD_SR
from server_kinds import Kind, TooLong

COMMIT_MSG = Text("feat: greet the whole world")


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text('def greet():\n    return "hello"\n\n\nprint(greet())\n')
    for i in range(6):
        (git_repo / f"mod{i}.py").write_text(
            "".join(f"def helper_{i}_{j}(x):\n    return x + {j}\n\n" for j in range(60))
        )
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "add app")
    return git_repo


def run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unknown_model_on_vllm_sends_a_40kb_file_whole(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    body = "".join(f"def function_number_{i}(value):\n    return value * {i} + {i % 7}\n\n\n" for i in range(800))
    assert len(body) > 40_000
    (repo / "big.py").write_text(body)
    git(repo, "add", "big.py")
    git(repo, "commit", "-q", "-m", "big")
    openai_server.models = ["my-local-model"]
    openai_server.impersonate(Kind("vllm", window=131072))
    sr = "big.py\n```\n<<<<<<< SEARCH\n    return value * 3 + 3\n=======\n    return value * 3\n>>>>>>> REPLACE\n```\n"
    openai_server.enqueue(Text(sr), COMMIT_MSG)
    args = ["--base-url", openai_server.base_url, "--model", "my-local-model", "edit", "simplify it", "-f", "big.py"]
    proc = run(repo, isolated_env, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    sent = "\n".join(m["content"] for m in openai_server.posts[0].body["messages"])
    assert body in sent  # the whole file, not refused, not cut
    assert json.loads(proc.stdout)["status"] == "success"


@pytest.mark.parametrize("style", ["openai", "vllm", "llamacpp"])
def test_a_too_long_refusal_shrinks_and_retries_once(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str], style: str
) -> None:
    openai_server.impersonate(Kind("vllm", window=131072))
    openai_server.enqueue(TooLong(limit=3000, requested=9000, style=style), Text(GOOD_SR), COMMIT_MSG)
    args = ["--base-url", openai_server.base_url, "--model", "test-model", "edit", "greet the world", "-f", "app.py"]
    proc = run(repo, isolated_env, *args, "--read-only", "mod0.py", "--json")
    assert proc.returncode == 0, proc.stderr
    first, second = (json.dumps(p.body["messages"]) for p in openai_server.posts[:2])
    assert len(second) < len(first) * 0.8 and len(second) // 4 < 3000  # under the limit the server gave
    assert "helper_0_59" in first
    assert "print(greet())" in second  # the file in the chat stayed


def test_a_second_refusal_ends_with_exit_4_like_the_local_one(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.enqueue(TooLong(style="vllm"), TooLong(style="vllm"))
    args = ["--base-url", openai_server.base_url, "--model", "test-model", "edit", "greet the world", "-f", "app.py"]
    proc = run(repo, isolated_env, *args, "--json")
    assert proc.returncode == 4
    data = json.loads(proc.stdout)
    assert data["status"] == "error" and "too long" in data["errors"][0]
    assert len(openai_server.posts) == 2


def test_ollama_gets_num_ctx_through_its_native_chat_api(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("ollama", window=32768, num_ctx=2048))
    openai_server.enqueue(Text(GOOD_SR), COMMIT_MSG)
    args = ["--base-url", openai_server.base_url, "--model", "ollama/qwen2.5-coder:7b", "edit", "greet the world"]
    proc = run(repo, isolated_env, *args, "-f", "app.py", "--json")
    assert proc.returncode == 0, proc.stderr
    chats = [r for r in openai_server.requests if r.path == "/api/chat"]
    assert chats and not openai_server.posts  # never the OpenAI-compatible endpoint, which ignores num_ctx
    assert 8192 <= chats[0].body["options"]["num_ctx"] <= 32768
    assert '"hello, world"' in (repo / "app.py").read_text()
    assert json.loads(proc.stdout)["usage"]["cost_usd"] == 0.0


def test_a_local_server_that_is_not_running_fails_before_the_work(repo: Path, isolated_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = run(repo, isolated_env, "--base-url", url, "--model", "m", "ask", "what?")
    assert proc.returncode == 4 and "connection refused" in proc.stderr
    assert "is the server running" in proc.stderr and "Traceback" not in proc.stderr
    assert not (repo / ".codeassist" / "index.sqlite").exists()  # nothing was indexed


def test_discovery_finds_a_local_server_and_says_which(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["nomic-embed-text", "qwen2.5-coder:7b", "llama3.1:8b"]
    openai_server.impersonate(Kind("vllm", window=65536))
    big = "".join(f"def function_number_{i}(value):\n    return value * {i}\n\n\n" for i in range(900))
    (repo / "app.py").write_text((repo / "app.py").read_text() + "\n\n" + big)
    git(repo, "commit", "-qam", "a big app.py")
    openai_server.enqueue(Text(GOOD_SR), COMMIT_MSG)
    env = {**isolated_env, "CODEASSIST_TEST_LOCAL_SERVERS": f"vllm=127.0.0.1:{openai_server.port}"}
    proc = run(repo, env, "edit", "greet the world", "-f", "app.py", "--json")  # no model, no config
    assert proc.returncode == 0, proc.stderr
    assert "using vllm/qwen2.5-coder:7b served by vLLM at " in " ".join(proc.stderr.split())
    assert openai_server.posts[0].body["model"] == "qwen2.5-coder:7b"
    assert big in "\n".join(m["content"] for m in openai_server.posts[0].body["messages"])


def test_a_base_url_without_a_model_uses_the_best_it_serves(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["llama3.1:8b", "qwen2.5-coder:7b"]
    openai_server.enqueue(Text("It greets."))
    proc = run(repo, isolated_env, "--base-url", openai_server.base_url, "ask", "what does greet do?")
    assert proc.returncode == 0, proc.stderr
    assert "using qwen2.5-coder:7b, the best of the 2 models" in " ".join(proc.stderr.split())
    assert openai_server.posts[0].body["model"] == "qwen2.5-coder:7b"


def test_discovery_prefers_a_provider_key(isolated_env: dict[str, str], repo: Path) -> None:
    env = {**isolated_env, "GROQ_API_KEY": "gsk-test", "CODEASSIST_TEST_LOCAL_SERVERS": ""}
    proc = run(repo, env, "models", "--probe", "--no-remote", "--json")
    assert proc.returncode == 0, proc.stderr
    probe = json.loads(proc.stdout)["probe"]
    assert probe[0]["key_env"] == "GROQ_API_KEY" and probe[0]["model"].startswith("groq/")


def test_nothing_found_exits_3_with_the_quickest_ways(repo: Path, isolated_env: dict[str, str]) -> None:
    env = {**isolated_env, "CODEASSIST_TEST_LOCAL_SERVERS": f"ollama=127.0.0.1:{free_port()}"}
    proc = run(repo, env, "ask", "what?")
    assert proc.returncode == 3
    text = " ".join(proc.stderr.split())
    assert "no model configured, and none found" in text
    assert "OPENAI_API_KEY" in text and "ollama serve" in text and "--base-url" in text
    probe = run(repo, env, "models", "--probe", "--no-remote")
    assert probe.returncode == 3 and "found: nothing" in probe.stdout


def test_models_probe_lists_what_it_found_and_notes_an_unserved_model(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["qwen2.5-coder:7b", "llama3.1:8b"]
    env = {**isolated_env, "CODEASSIST_TEST_LOCAL_SERVERS": f"lmstudio=127.0.0.1:{openai_server.port}"}
    proc = run(repo, env, "--base-url", openai_server.base_url, "--model", "gpt-4o", "models", "--probe")
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "lmstudio/qwen2.5-coder:7b served by LM Studio" in out and "also serves: llama3.1:8b" in out
    assert "gpt-4o is not among the models" in " ".join(proc.stderr.split())


def test_the_test_override_takes_loopback_hosts_only(repo: Path, isolated_env: dict[str, str]) -> None:
    env = {**isolated_env, "CODEASSIST_TEST_LOCAL_SERVERS": "ollama=example.com:11434"}
    proc = run(repo, env, "ask", "what?")
    assert proc.returncode == 3 and "LOOPBACK_HOST" in proc.stderr


def test_the_window_is_a_setting_everywhere(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.impersonate(Kind("vllm", window=65536))
    base = ["--base-url", openai_server.base_url, "--model", "test-model"]
    shown = json.loads(run(repo, isolated_env, *base, "config", "show", "--json").stdout)["settings"]
    assert shown["context_window"] == {"value": 65536, "source": "server"}
    flagged = json.loads(run(repo, isolated_env, *base, "config", "show", "--json", "--context-window", "9000").stdout)
    assert flagged["settings"]["context_window"] == {"value": 9000, "source": "flag"}
    env = {**isolated_env, "CODEASSIST_CONTEXT_WINDOW": "12000"}
    assert json.loads(run(repo, env, *base, "config", "show", "--json").stdout)["settings"]["context_window"] == {
        "value": 12000,
        "source": "env",
    }
    proc = run(repo, isolated_env, "config", "set", "context_window", "20000", "--local")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(run(repo, isolated_env, *base, "config", "show", "--json").stdout)["settings"]
    assert shown["context_window"] == {"value": 20000, "source": "repo"}
    bad = run(repo, isolated_env, "config", "set", "context_window", "0")
    assert bad.returncode == 3 and "greater than 0" in bad.stderr
    context = json.loads(run(repo, isolated_env, *base, "context", "x", "--json").stdout)
    assert context["budget"] == 20000 - 4096


def test_commands_that_need_no_model_never_ask_the_server(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.impersonate(Kind("vllm", window=65536))
    base = ["--base-url", openai_server.base_url, "--model", "test-model"]
    reply = repo.parent / "reply.txt"
    reply.write_text(GOOD_SR)
    for args in (["--version"], ["--help"], ["map"], ["index"], ["apply", str(reply), "--dry-run"]):
        proc = run(repo, isolated_env, *base, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    assert openai_server.requests == []


def test_ask_on_ollama_retries_once_after_its_too_long_answer(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("ollama", window=32768))
    openai_server.enqueue(TooLong(style="ollama"), Text("greet() says hello."))
    args = ["--model", "ollama/qwen2.5-coder:7b", "--base-url", openai_server.base_url, "ask", "what does greet do?"]
    proc = run(repo, isolated_env, *args, "--read-only", "mod0.py", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["reply"] == "greet() says hello."
    first, second = (json.dumps(r.body["messages"]) for r in openai_server.requests if r.path == "/api/chat")
    assert len(second) < len(first)


@pytest.mark.parametrize(
    ("model", "code", "text"),
    [("groq/llama-3.3-70b-versatile", 4, "GROQ_API_KEY"), ("nosuch/model-x", 3, "unknown provider 'nosuch'")],
)
def test_a_missing_key_or_an_unknown_provider_fails_before_the_work(
    repo: Path, isolated_env: dict[str, str], model: str, code: int, text: str
) -> None:
    proc = run(repo, isolated_env, "--model", model, "edit", "greet the world", "-f", "app.py", "--json")
    assert proc.returncode == code and text in proc.stderr
    assert json.loads(proc.stdout)["status"] == "error"
    assert not (repo / ".codeassist" / "index.sqlite").exists()  # nothing was indexed


def test_context_shows_what_edit_would_send_with_the_discovered_model(
    openai_server: OpenAIServer, repo: Path, isolated_env: dict[str, str]
) -> None:
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.impersonate(Kind("vllm", window=50000))
    env = {**isolated_env, "CODEASSIST_TEST_LOCAL_SERVERS": f"vllm=127.0.0.1:{openai_server.port}"}
    proc = run(repo, env, "context", "greet the world", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["budget"] == 50000 - 8192  # the server's window, the catalogue's reply reserve
    assert openai_server.posts == []  # context never calls the model
