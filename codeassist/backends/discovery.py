"""Zero-config discovery: a model to use when none is configured.

In this order: a provider key in the environment (OpenAI, Anthropic, Gemini,
OpenRouter, Groq, DeepSeek, Mistral, Together), then a local server on its
default port answering ``/v1/models`` (Ollama 11434, LM Studio 1234,
llama.cpp 8080, vLLM 8000). The local servers are probed at once, each in its
own thread, and whatever has not answered within :data:`PROBE_BUDGET`
seconds in total is ignored.

``CODEASSIST_TEST_LOCAL_SERVERS`` (``kind=host:port,...``, loopback hosts
only) replaces the default ports: it exists for tests and benchmarks.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from codeassist.backends.server_facts import LOOPBACK, Unreachable, _entries, http_json
from codeassist.errors import ConfigError

PROBE_BUDGET = 0.3
TARGETS_ENV = "CODEASSIST_TEST_LOCAL_SERVERS"

# Provider key -> the model codeassist uses with it (a catalogue model good at edits).
KEY_MODELS: tuple[tuple[str, str, str], ...] = (
    ("OPENAI_API_KEY", "openai", "openai/gpt-4.1"),
    ("ANTHROPIC_API_KEY", "anthropic", "anthropic/claude-sonnet-4-5"),
    ("GEMINI_API_KEY", "gemini", "gemini/gemini-2.5-pro"),
    ("OPENROUTER_API_KEY", "openrouter", "openrouter/anthropic/claude-sonnet-4"),
    ("GROQ_API_KEY", "groq", "groq/llama-3.3-70b-versatile"),
    ("DEEPSEEK_API_KEY", "deepseek", "deepseek/deepseek-chat"),
    ("MISTRAL_API_KEY", "mistral", "mistral/devstral-medium-latest"),
    ("TOGETHER_API_KEY", "together", "together/Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8"),
)
LOCAL_TARGETS: tuple[tuple[str, str], ...] = (
    ("ollama", "localhost:11434"),
    ("lmstudio", "localhost:1234"),
    ("llamacpp", "localhost:8080"),
    ("vllm", "localhost:8000"),
)
LABELS = {"ollama": "Ollama", "lmstudio": "LM Studio", "llamacpp": "llama.cpp", "vllm": "vLLM"}

NOTHING_FOUND_HINT = (
    "the three quickest ways to get a model: "
    "(1) export a provider key, e.g. OPENAI_API_KEY=sk-... (or ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY); "
    "(2) install Ollama, run `ollama pull qwen2.5-coder:7b` and `ollama serve`; "
    "(3) point at any OpenAI-compatible server: --base-url http://HOST:PORT/v1 --model NAME"
)


@dataclass(frozen=True)
class Found:
    """One way to reach a model: a provider key, or a local server and what it serves."""

    provider: str  # a preset name
    model: str  # the model codeassist would use, preset prefix included
    base_url: str | None = None  # local servers only
    key_env: str | None = None  # provider keys only
    models: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.key_env:
            return f"{self.model} ({self.key_env} is set)"
        if not self.provider:
            return f"{self.model}, the best of the {len(self.models)} models {self.base_url} serves"
        label = LABELS.get(self.provider, self.provider)
        return f"{self.model} served by {label} at {self.base_url}"


def keys_in_env(environ: Mapping[str, str]) -> list[Found]:
    return [Found(provider, model, key_env=env) for env, provider, model in KEY_MODELS if environ.get(env)]


def local_targets(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(kind, base URL) pairs to probe; the test override must name loopback hosts only."""
    raw = environ.get(TARGETS_ENV)
    if raw is None:
        return [(kind, f"http://{where}/v1") for kind, where in LOCAL_TARGETS]
    out = []
    for item in filter(None, (p.strip() for p in raw.split(","))):
        kind, _, where = item.partition("=")
        host = where.rsplit(":", 1)[0]
        if kind not in LABELS or host not in LOOPBACK or not where.rsplit(":", 1)[-1].isdigit():
            raise ConfigError(f"{TARGETS_ENV}: {item!r} is not KIND=LOOPBACK_HOST:PORT")
        out.append((kind, f"http://{where}/v1"))
    return out


def probe_local(
    targets: Sequence[tuple[str, str]], *, budget: float = PROBE_BUDGET, clock: Callable[[], float] = time.monotonic
) -> list[Found]:
    """The servers among ``targets`` that answered ``/v1/models`` within ``budget`` seconds, in target order."""
    results: dict[int, Found] = {}
    lock = threading.Lock()

    def probe(i: int, kind: str, url: str) -> None:
        try:
            listing = http_json(url + "/models", timeout=budget)
        except Unreachable:
            return
        if listing is None:  # it answered, but not as an OpenAI-compatible server
            return
        models = tuple(sorted(e["id"] for e in _entries(listing)))
        with lock:
            results[i] = Found(kind, f"{kind}/{best_local(models)}" if models else "", base_url=url, models=models)

    # Daemon threads: a server that never answers must not hold up the exit either.
    threads = [threading.Thread(target=probe, args=(i, k, u), daemon=True) for i, (k, u) in enumerate(targets)]
    deadline = clock() + budget
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - clock()))
    with lock:
        return [results[i] for i in sorted(results)]


_SIZE = re.compile(r"(\d+(?:\.\d+)?)b\b")


def best_local(models: Sequence[str]) -> str:
    """The model to use among those a server lists: catalogue models first, coding models, then the largest."""
    from codeassist.backends.catalogue import lookup_model

    def rank(name: str) -> tuple[bool, bool, bool, float, str]:
        lowered = name.lower()
        sizes = [float(s) for s in _SIZE.findall(lowered)]
        embedding = "embed" in lowered  # embedding models cannot chat
        coding = "code" in lowered
        return (embedding, not lookup_model(name).known, not coding, -max(sizes, default=0.0), name)

    return sorted(models, key=rank)[0]


def served_by(base_url: str, api_key: str | None) -> Found | None:
    """The model to use on an endpoint the user named (``--base-url``) without naming a model."""
    try:
        listing = http_json(base_url.rstrip("/") + "/models", api_key=api_key, timeout=5.0)
    except Unreachable:
        return None
    models = tuple(sorted(e["id"] for e in _entries(listing)))
    return Found("", best_local(models), base_url=base_url, models=models) if models else None


def discover(environ: Mapping[str, str], *, everything: bool = False) -> list[Found]:
    """Keys first, then local servers; with ``everything`` False, stops at the first key found."""
    found = keys_in_env(environ)
    if found and not everything:
        return found
    return found + [f for f in probe_local(local_targets(environ)) if f.models]


def nothing_found() -> ConfigError:
    ports = ", ".join(f"{LABELS[k]} {w.rsplit(':', 1)[1]}" for k, w in LOCAL_TARGETS)
    return ConfigError(
        f"no model configured, and none found: no provider key in the environment and no local server ({ports})",
        hint=NOTHING_FOUND_HINT,
    )
