"""Median start-up time of `codeassist --version` and `codeassist --help`.

Usage: python benchmarks/startup.py [--runs N]

Runs the installed console script N times per command (after one warm-up run)
and prints the median, min and max wall time; a bare `python -c pass` is
timed in the same run as the floor the interpreter itself costs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def time_command(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, capture_output=True, check=False)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    exe = shutil.which("codeassist")
    if exe is None:
        sys.exit("codeassist is not on PATH; install it first (pip install -e .)")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "codeassist --version": [exe, "--version"],
        "codeassist --help": [exe, "--help"],
    }
    print(f"{'command':<24} {'median':>8} {'min':>8} {'max':>8}   ({args.runs} runs)")
    for name, argv in cases.items():
        t = time_command(argv, args.runs)
        print(f"{name:<24} {statistics.median(t):8.3f} {min(t):8.3f} {max(t):8.3f}")


if __name__ == "__main__":
    main()
