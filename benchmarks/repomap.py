"""Benchmark the index and the repo map on a repository.

    python benchmarks/repomap.py PATH [--runs 5] [--jobs N] [--skip-cold] [--maps-only]
    python benchmarks/repomap.py --make-synthetic DIR --files 10000
    python benchmarks/repomap.py --replicate SRC DIR --files 100000

Every measured step runs in a fresh process (as a user's command would) and
is repeated; figures are medians. Printed: files and tags; cold build (empty
cache), warm refresh (no change), incremental refresh (one file edited); map
time at 1k/4k/8k tokens (first map of a process, which builds the graph, and
a re-render with the graph built); peak memory (max RSS of the process and
of its parse workers); CPU seconds (the machine may be shared: CPU time
says what wall time would be on idle cores); whether two processes gave
byte-identical maps. PATH is modified only in its ``.codeassist/`` directory
and, during the incremental step, one file that is restored afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from codeassist.index.indexer import refresh_index
root, mode, jobs = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}
if not mode.startswith("onemap"):
    stats = refresh_index(root, jobs=int(jobs) if jobs != "auto" else None)
    out["refresh"] = time.perf_counter() - t0
    out["stats"] = stats.to_dict()
if mode in ("onemap", "onemap-query"):
    from codeassist.repomap import build_repo_map
    import hashlib
    query = "parse the configuration file" if mode == "onemap-query" else ""
    m = build_repo_map(root, tokens=1024, query=query)
    out["map_sha1"] = hashlib.sha1(m.text.encode()).hexdigest()
    out["map_tokens"] = m.tokens
if mode == "map":
    from codeassist.repomap import build_repo_map
    for budget in (1024, 4096, 8192):
        t = time.perf_counter()
        m = build_repo_map(root, tokens=budget, refresh=False)
        out[f"map_first_{budget}" if budget == 1024 else f"map_{budget}"] = time.perf_counter() - t
    t = time.perf_counter()
    m = build_repo_map(root, tokens=1024, refresh=False, query="parse the configuration file")
    out["map_rerank_1024"] = time.perf_counter() - t
    t = time.perf_counter()
    m = build_repo_map(root, tokens=4096)
    out["map_4096_with_refresh"] = time.perf_counter() - t
    import hashlib
    out["map_sha1"] = hashlib.sha1(m.text.encode()).hexdigest()
    out["map_tokens"] = m.tokens
self_ru = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
out["maxrss_mb"] = self_ru.ru_maxrss / 1024
out["worker_maxrss_mb"] = kids.ru_maxrss / 1024
out["cpu"] = self_ru.ru_utime + self_ru.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps(out))
"""


def child(root: Path, mode: str, jobs: str) -> dict:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), mode, jobs], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"benchmark child failed:\n{proc.stderr}")
    out = json.loads(proc.stdout)
    out["process"] = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the whole process tree (the interpreter, git, parse workers): stable on a busy machine.
    out["process_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out


def clear_cache(root: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(root / ".codeassist" / f"index.sqlite{suffix}")
        except FileNotFoundError:
            pass


def clear_graphs(root: Path) -> None:
    """Forget the stored map graphs and rankings (the index's tags stay): the next map is cold."""
    import sqlite3

    conn = sqlite3.connect(root / ".codeassist" / "index.sqlite")
    try:
        conn.execute("DELETE FROM graphs")
        conn.commit()
    finally:
        conn.close()


def warm_maps(root: Path, runs: int, jobs: str) -> None:
    """A whole process that prints one 1k map, cold (graph built in the process) and warm (stored
    graph and ranks), alternating so that both see the same load; with and without a query."""
    for mode, label in (("onemap", "no query"), ("onemap-query", "with a query")):
        cold, warm, cold_cpu, warm_cpu, digests = [], [], [], [], set()
        child(root, mode, jobs)  # the index and the stored graph are current
        for _ in range(runs):
            clear_graphs(root)
            c = child(root, mode, jobs)
            w = child(root, mode, jobs)
            cold.append(c["process"])
            warm.append(w["process"])
            cold_cpu.append(c["process_cpu"])
            warm_cpu.append(w["process_cpu"])
            digests.update((c["map_sha1"], w["map_sha1"]))
        print(f"map process, {label}: cold {med(cold)}  warm {med(warm)}  identical: {len(digests) == 1}")
        print(f"  CPU (process and its children): cold {med(cold_cpu)}  warm {med(warm_cpu)}")


def pick_file(root: Path) -> Path:
    """A mid-sized indexed source file to edit, chosen deterministically."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True).stdout.split()
    if not listed:
        listed = [str(p.relative_to(root)) for p in sorted(root.rglob("*.py"))]
    for ext in (".py", ".ts", ".go", ".js"):
        cands = sorted(p for p in listed if p.endswith(ext) and "/" in p)
        if cands:
            return root / cands[len(cands) // 2]
    raise SystemExit("no source file to edit")


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.3f}s (n={len(values)}, min {min(values):.3f}, max {max(values):.3f})"


def bench(root: Path, runs: int, jobs: str, skip_cold: bool) -> None:
    root = root.resolve()
    print(f"repository: {root.name}")
    cold: list[dict] = []
    if not skip_cold:
        for _ in range(runs):
            clear_cache(root)
            cold.append(child(root, "index", jobs))
    else:
        child(root, "index", jobs)
    warm = [child(root, "index", jobs) for _ in range(runs)]
    stats = warm[-1]["stats"]
    print(f"files indexed: {stats['files']}  skipped: {stats['skipped']}")
    print(f"tags: {stats['defs'] + stats['refs']} ({stats['defs']} definitions, {stats['refs']} references)")
    if cold:
        print(f"cold refresh:        {med([c['refresh'] for c in cold])}")
        print(f"cold process:        {med([c['process'] for c in cold])}  CPU {med([c['cpu'] for c in cold])}")
        print(
            f"cold peak RSS:       main {max(c['maxrss_mb'] for c in cold):.0f} MB, "
            f"worker {max(c['worker_maxrss_mb'] for c in cold):.0f} MB"
        )
    print(f"warm refresh:        {med([w['refresh'] for w in warm])}")
    print(f"warm process:        {med([w['process'] for w in warm])}")
    target = pick_file(root)
    original = target.read_bytes()
    incr = []
    try:
        for i in range(runs):
            comment = "#" if target.suffix == ".py" else "//"
            target.write_bytes(original + f"\n{comment} benchmark edit {i}\n".encode())
            incr.append(child(root, "index", jobs))
    finally:
        target.write_bytes(original)
    print(f"incremental refresh: {med([r['refresh'] for r in incr])}  (edited {target.relative_to(root)})")
    print(f"incremental process: {med([r['process'] for r in incr])}")
    warm_maps(root, runs, jobs)
    maps = [child(root, "map", jobs) for _ in range(max(2, runs))]
    for key in ("map_first_1024", "map_4096", "map_8192", "map_rerank_1024", "map_4096_with_refresh"):
        print(f"{key + ':':<22}{med([m[key] for m in maps])}")
    print(f"map process peak RSS: {max(m['maxrss_mb'] for m in maps):.0f} MB")
    digests = {m["map_sha1"] for m in maps}
    print(f"identical maps across {len(maps)} processes: {len(digests) == 1} (4096-token map: {maps[0]['map_tokens']})")


def make_synthetic(dest: Path, files: int) -> None:
    """A git repository of ``files`` Python modules that import and call each other."""
    dest.mkdir(parents=True, exist_ok=False)
    for i in range(files):
        pkg = dest / f"pkg{i // 500:03}"
        pkg.mkdir(exist_ok=True)
        j, k = (i * 7 + 3) % files, (i * 13 + 5) % files
        (pkg / f"module_{i:05}.py").write_text(
            f'"""Module {i}."""\n\nfrom pkg{j // 500:03}.module_{j:05} import handle_{j:05}\n'
            f"from pkg{k // 500:03}.module_{k:05} import Service{k:05}\n\n\n"
            f"class Service{i:05}:\n    def __init__(self, depth: int = 0) -> None:\n        self.depth = depth\n\n"
            f"    def run(self, value: int) -> int:\n        return handle_{j:05}(value) + Service{k:05}().depth\n\n\n"
            f"def handle_{i:05}(value: int) -> int:\n    return value * {i % 17 + 1}\n"
        )
    _commit(dest)


def replicate(src: Path, dest: Path, files: int) -> None:
    """``files`` copies of real sources under distinct paths, each made distinct in content too."""
    sources = sorted(
        p for p in src.rglob("*") if p.is_file() and ".git" not in p.parts and ".codeassist" not in p.parts
    )
    dest.mkdir(parents=True, exist_ok=False)
    n = 0
    copy = 0
    while n < files:
        for p in sources:
            if n >= files:
                break
            target = dest / f"copy{copy:03}" / p.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = p.read_bytes()
            if copy and p.suffix in (".py", ".ts", ".js", ".go"):
                marker = "#" if p.suffix == ".py" else "//"
                data += f"\n{marker} replica {copy}\n".encode()
            target.write_bytes(data)
            n += 1
        copy += 1
    _commit(dest)


def _commit(dest: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A", "."], ["commit", "-qm", "benchmark tree"]):
        subprocess.run(["git", "-C", str(dest), *args], check=True, env=env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", default="auto")
    ap.add_argument("--skip-cold", action="store_true", help="reuse the cache (for very large trees)")
    ap.add_argument("--maps-only", action="store_true", help="only the cold/warm map processes")
    ap.add_argument("--make-synthetic", type=Path, metavar="DIR")
    ap.add_argument("--replicate", nargs=2, type=Path, metavar=("SRC", "DIR"))
    ap.add_argument("--files", type=int, default=10_000)
    args = ap.parse_args()
    if args.make_synthetic:
        make_synthetic(args.make_synthetic, args.files)
    elif args.replicate:
        replicate(args.replicate[0], args.replicate[1], args.files)
    elif args.path and args.maps_only:
        warm_maps(args.path.resolve(), args.runs, args.jobs)
    elif args.path:
        bench(args.path, args.runs, args.jobs, args.skip_cold)
    else:
        ap.error("give PATH, --make-synthetic DIR or --replicate SRC DIR")


if __name__ == "__main__":
    main()
