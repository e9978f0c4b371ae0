"""The pre-commit hook end to end: the installed script on 10 and 100 staged files, with and without the model.

Usage: python benchmarks/hook.py [--runs N] [--files 10,100]

For each size, a fresh repository gets one commit of N Python files (about
120 lines each), then a change to every one of them is staged and
`codeassist hook install` puts the hook in place. The hook script is run as
git runs it (from the top of the work tree), and its wall time is the hook's
own time. The result cache is cleared before each run, so every run does the
whole review; the "cached" row re-runs on the same staged tree. "model" runs
the model review against the loopback OpenAI-compatible server of the tests,
which answers at once with no findings: the figure is codeassist's own cost
around a model call, not a model's latency. "cpu" is the median CPU time
(user + system) of the hook and the git processes it starts, which a busy
machine inflates less than the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from openai_server import OpenAIServer, Text  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def module_text(i: int, version: int) -> str:
    parts = [f'"""Module {i}."""\n\nimport os\n\n']
    for k in range(12):
        parts.append(
            f"class Thing{k}:\n    def __init__(self, value: int) -> None:\n        self.value = value + {k}\n\n"
            f"    def run(self, n: int) -> int:\n        total = 0\n        for x in range(n):\n"
            f"            total += x * self.value\n        return total + {version}\n\n\n"
        )
    return "".join(parts)


def make_repo(root: Path, count: int, env: dict[str, str]) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    for i in range(count):
        (root / "pkg" / f"m{i:03}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / "pkg" / f"m{i:03}.py").write_text(module_text(i, 0))
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    for i in range(count):
        (root / "pkg" / f"m{i:03}.py").write_text(module_text(i, 1) + f"\nEXTRA_{i} = {i}\n")
    git("add", "-A")
    subprocess.run(
        [sys.executable, "-m", "codeassist", "-C", str(root), "hook", "install"], check=True, capture_output=True
    )


def time_hook(
    root: Path, env: dict[str, str], runs: int, *, clear_cache: bool, server: OpenAIServer | None
) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system of the hook and the git processes it starts)."""
    hook = root / ".git" / "hooks" / "pre-commit"
    cache = root / ".git" / "codeassist" / "review-cache"
    times: list[float] = []
    cpu: list[float] = []
    for i in range(runs + 1):
        if clear_cache:
            shutil.rmtree(cache, ignore_errors=True)
        if server is not None:
            server.enqueue(Text(json.dumps({"findings": []})))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([str(hook)], cwd=root, env=env, capture_output=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.exit(f"the hook failed: {proc.stderr.decode()}")
        if i:  # the first run warms the page cache
            times.append(elapsed)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", default="10,100")
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEASSIST_", "OPENAI_"))}
    base_env.update(GIT_ENV)
    server = OpenAIServer().start()
    print(f"{'files':>5} {'mode':<8} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}   ({args.runs} runs; seconds)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            home.mkdir()
            base_env["HOME"] = str(home)
            base_env["XDG_CONFIG_HOME"] = str(home / ".config")
            for count in (int(n) for n in args.files.split(",")):
                root = Path(tmp) / f"repo{count}"
                root.mkdir()
                make_repo(root, count, base_env)
                model_env = {
                    **base_env,
                    "CODEASSIST_HOOK_REVIEW": "1",
                    "CODEASSIST_MODEL": "gpt-4o-mini",
                    "CODEASSIST_BASE_URL": server.base_url,
                    "OPENAI_API_KEY": "bench",
                }
                rows = {
                    "offline": time_hook(root, base_env, args.runs, clear_cache=True, server=None),
                    "cached": time_hook(root, base_env, args.runs, clear_cache=False, server=None),
                    "model": time_hook(root, model_env, args.runs, clear_cache=True, server=server),
                }
                for mode, (t, c) in rows.items():
                    print(
                        f"{count:>5} {mode:<8} {statistics.median(t):8.3f} {min(t):8.3f} {max(t):8.3f}"
                        f" {statistics.median(c):8.3f}"
                    )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
