"""Benchmark agent mode's ``search`` tool: ripgrep against the pure-Python scan, on the same files.

    python benchmarks/search.py PATH [--runs 3] [--symbol NAME]
    python benchmarks/search.py --make-synthetic DIR --files 100000

On PATH (a git repository) it times, in this process, with the file listing
already made (``list`` is timed on its own, once): a rare pattern (every file
is scanned: the worst case), a common one (the scan stops at 50 matches),
each with ripgrep (when installed) and in Python, as medians of ``--runs``.
It checks that both give the same lines. With ``--symbol NAME`` it also times
the index tools on a warm index (refreshed first, timed apart): ``find_symbol``,
``find_references`` and ``repo_map``. Nothing in PATH is modified but its
``.codeassist/`` index.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

PATTERNS = {"rare": r"needle_[0-9]+_unique\(", "common": r"def \w+\("}


def make_synthetic(root: Path, files: int) -> None:
    """``files`` small Python files in nested directories, committed; a few hold the rare pattern."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    for i in range(files):
        d = root / f"pkg{i % 100:02d}" / f"mod{(i // 100) % 100:02d}"
        d.mkdir(parents=True, exist_ok=True)
        body = [f'"""Module {i}."""\n', f"def function_{i}(value):\n", f"    return value * {i % 7 + 1}\n"]
        body += [f"\n\nclass Thing{i}:\n", "    def run(self):\n", f"        return function_{i}(self)\n"] * 2
        if i % 20000 == 7:
            body.append(f"\n\nx = needle_{i}_unique()\n")
        (d / f"file_{i}.py").write_text("".join(body))
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "synthetic"], check=True)


def measure(root: Path, runs: int) -> dict[str, object]:
    from codeassist.agent.search import find
    from codeassist.workspace import Workspace

    rg = shutil.which("rg")
    out: dict[str, object] = {"ripgrep": rg is not None}
    with Workspace.open(root) as ws:
        t = time.perf_counter()
        files = ws.files()
        out["files"] = len(files)
        out["list_s"] = round(time.perf_counter() - t, 3)
        for name, pattern in PATTERNS.items():
            regex = re.compile(pattern)
            results = {}
            for engine in ["python", "ripgrep"] if rg else ["python"]:
                times = []
                for _ in range(runs):
                    t = time.perf_counter()
                    hits = find(ws, regex, None, 51, rg=rg if engine == "ripgrep" else None)
                    times.append(time.perf_counter() - t)
                results[engine] = hits
                out[f"{name}_{engine}_s"] = round(statistics.median(times), 3)
            out[f"{name}_matches"] = len(results["python"])
            if rg:
                out[f"{name}_same"] = results["python"] == results["ripgrep"]
    return out


def measure_symbols(root: Path, name: str, runs: int) -> dict[str, object]:
    from codeassist.agent import symbols
    from codeassist.index.indexer import refresh_index

    t = time.perf_counter()
    refresh_index(root)
    out: dict[str, object] = {"index_refresh_s": round(time.perf_counter() - t, 3)}
    calls = {
        "find_symbol": lambda fresh: symbols.find_symbol(root, name, refresh=fresh),
        "find_references": lambda fresh: symbols.find_references(root, name, refresh=fresh),
        "repo_map": lambda fresh: symbols.repo_map(root, name, refresh=fresh),
    }
    for label, fn in calls.items():
        times = []
        for run in range(runs):
            t = time.perf_counter()
            # As in a request: the first call refreshes the index; later ones, with no edit between, do not.
            result = fn(run == 0)
            times.append(time.perf_counter() - t)
        out[f"{label}_first_s"] = round(times[0], 3)  # with a refresh (and, for the first, the graph built)
        out[f"{label}_s"] = round(statistics.median(times[1:] or times), 3)
        out[f"{label}_summary"] = result.summary
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--make-synthetic", type=Path)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--symbol")
    args = parser.parse_args()
    if args.make_synthetic:
        make_synthetic(args.make_synthetic, args.files)
        return
    if not args.path:
        parser.error("give a repository PATH or --make-synthetic DIR")
    out = measure(Path(args.path), args.runs)
    if args.symbol:
        out.update(measure_symbols(Path(args.path), args.symbol, args.runs))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
