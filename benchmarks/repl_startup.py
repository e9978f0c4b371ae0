"""Median time from starting `codeassist chat` to its first prompt, and from Ctrl-D to exit.

Usage: python benchmarks/repl_startup.py [--runs N]

Spawns the installed console script in a pseudo-terminal (TERM=dumb) in a
scratch git repository with a throwaway model setting (no request is sent,
so no server is needed), N times after one warm-up run, and prints median,
min and max wall times. The history file goes to a temporary data directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect


def one_run(exe: str, repo: Path, env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    child = pexpect.spawn(exe, ["chat"], env=env, cwd=str(repo), encoding="utf-8", timeout=60)
    child.delaybeforesend = None  # pexpect's default 50 ms pause would count as exit time
    child.expect_exact("edit> ")
    ready = time.perf_counter() - start
    child.waitnoecho(timeout=60)  # the prompt reads keys now (polls every 0.1 s, so not timed)
    leaving = time.perf_counter()
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    gone = time.perf_counter() - leaving
    child.close()
    return ready, gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    exe = shutil.which("codeassist")
    if exe is None:
        sys.exit("codeassist is not on PATH; install it first (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        (repo / "app.py").write_text("print('hi')\n")
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        env = {
            **os.environ,
            "TERM": "dumb",
            "NO_COLOR": "1",
            "HOME": tmp,
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
            "CODEASSIST_MODEL": "gpt-4o-mini",
            "OPENAI_API_KEY": "unused",
        }
        one_run(exe, repo, env)  # warm the page cache
        runs = [one_run(exe, repo, env) for _ in range(args.runs)]
    print(f"{'phase':<28} {'median':>8} {'min':>8} {'max':>8}   ({args.runs} runs)")
    for name, values in (("start to first prompt", [r[0] for r in runs]), ("Ctrl-D to exit", [r[1] for r in runs])):
        print(f"{name:<28} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}")


if __name__ == "__main__":
    main()
