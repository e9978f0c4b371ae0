"""Start-up cost of asking the server for the model's facts, and of zero-config discovery.

    python benchmarks/discovery.py [--runs N]

Against the loopback test server (tests/openai_server.py) impersonating each
kind of server, prints the median, min and max of N runs of:

* ``resolve`` uncached (a fresh cache directory each run: the requests to the
  server plus writing the cache) and cached (the cache file read back);
* discovery with nothing listening on the four probed ports, and with one
  server answering among them;
* the whole ``codeassist config show --json`` command with the facts cached
  and uncached, beside ``codeassist --version`` (which never asks anything).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from openai_server import OpenAIServer  # noqa: E402
from server_kinds import Kind  # noqa: E402

from codeassist.backends import discovery  # noqa: E402
from codeassist.backends.model_facts import resolve  # noqa: E402
from codeassist.config import load_settings  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: imports, the first connection
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(f"{name:<52} {statistics.median(ms):8.1f} {min(ms):8.1f} {max(ms):8.1f}")


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [int(s.getsockname()[1]) for s in socks]
    for s in socks:
        s.close()
    return ports


def time_resolve(base_url: str, directory: Path, runs: int) -> tuple[list[float], list[float]]:
    """resolve() with a fresh cache directory each run, then with one cache read back."""
    settings = load_settings(repo_root=None, environ={}, flags={"model": "qwen2.5-coder:7b", "base_url": base_url})
    fresh = iter(range(10**6))
    uncached = timed(lambda: resolve(settings, {}, directory / f"fresh-{next(fresh)}"), runs)
    cached = timed(lambda: resolve(settings, {}, directory / "cached"), runs)
    return uncached, cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    runs = args.runs
    print(f"{'case (milliseconds)':<52} {'median':>8} {'min':>8} {'max':>8}   ({runs} runs)")
    server = OpenAIServer().start()
    server.models = ["qwen2.5-coder:7b", "my-local-model"]
    work = Path(tempfile.mkdtemp(prefix="codeassist-bench-"))
    try:
        for kind in ("vllm", "llamacpp", "lmstudio", "ollama"):
            server.impersonate(Kind(kind, window=65536))
            uncached, cached = time_resolve(server.base_url, work / kind, runs)
            report(f"resolve, uncached ({kind})", uncached)
            report(f"resolve, cached ({kind})", cached)
        nothing = ",".join(f"{k}=127.0.0.1:{p}" for k, p in zip(discovery.LABELS, free_ports(4), strict=True))
        env = {discovery.TARGETS_ENV: nothing}
        report("discovery, nothing listening (4 ports)", timed(lambda: discovery.discover(env), runs))
        one = nothing.rsplit(",", 1)[0] + f",vllm=127.0.0.1:{server.port}"
        env_one = {discovery.TARGETS_ENV: one}
        report("discovery, one server among 4 ports", timed(lambda: discovery.discover(env_one), runs))
        exe = shutil.which("codeassist")
        if exe is None:
            print("(codeassist is not on PATH: the whole-command cases are skipped)")
            return
        server.impersonate(Kind("vllm", window=65536))
        base = [exe, "--base-url", server.base_url, "--model", "qwen2.5-coder:7b"]
        environ = {**os.environ, "CODEASSIST_CONFIG": str(work / "none.toml")}
        fresh = iter(range(10**6))

        def command(cache: str) -> None:
            env = {**environ, "CODEASSIST_CACHE_DIR": str(work / cache)}
            subprocess.run([*base, "config", "show", "--json"], capture_output=True, check=True, env=env, cwd=work)

        report("codeassist --version", timed(lambda: subprocess.run([exe, "--version"], capture_output=True), runs))
        report("codeassist config show, facts uncached", timed(lambda: command(f"cmd-{next(fresh)}"), runs))
        report("codeassist config show, facts cached", timed(lambda: command("cmd-cached"), runs))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
