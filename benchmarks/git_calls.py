"""Git processes started, and wall time, for a one-file `codeassist edit` and `codeassist apply`.

Usage: python benchmarks/git_calls.py [--runs N] [--files N] [--compare SRC_DIR]

Builds a repository of N Python files, puts a `git` shim first on PATH that
logs every invocation and runs the real git, then runs, N times each:
``codeassist edit "..." -f mod0.py`` against the loopback OpenAI-compatible
server of the tests (one SEARCH/REPLACE reply, one commit message) and
``codeassist apply`` of the same reply. Prints the git processes each run
started (by subcommand) and the median wall time. GitPython's persistent
``cat-file`` processes count like any other git process. ``--compare`` runs
the same cases, interleaved run by run, with another checkout's source first
on PYTHONPATH (``git worktree add /tmp/old REV``), so both are measured on the
same machine load.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from openai_server import OpenAIServer, Text  # noqa: E402

REPLY = """mod0.py
```python
<<<<<<< SEARCH
def f0():
    return 0
=======
def f0():
    return 1
>>>>>>> REPLACE
```
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def make_repo(base: Path, n: int) -> Path:
    root = base / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    for i in range(n):
        (root / f"mod{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "files"], check=True, env={**os.environ, **GIT_ENV})
    return root


def make_shim(base: Path) -> tuple[Path, Path]:
    real = shutil.which("git")
    assert real is not None, "git is not on PATH"
    shim_dir = base / "shim"
    shim_dir.mkdir()
    log = base / "git.log"
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(0o755)
    return shim_dir, log


def subcommand(line: str) -> str:
    words = line.split()
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in ("-C", "-c") else 1
    return words[i] if i < len(words) else "(none)"


def run_case(
    argv: list[str], env: dict[str, str], log: Path, root: Path, server: OpenAIServer | None
) -> tuple[float, list[str]]:
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", "main~0"], check=True)
    log.write_text("")
    if server is not None:
        server.enqueue(Text(REPLY), Text("fix: f0 returns 1"))
    start = time.perf_counter()
    # From the repository's directory: ``python -m`` puts the working directory first on sys.path.
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv[2:4])} failed ({proc.returncode}):\n{proc.stderr}")
    calls = [subcommand(line) for line in log.read_text().splitlines()]
    # Put the repository back for the next run: drop the commit codeassist made.
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", "HEAD~1"], check=True)
    return elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--compare", type=Path, help="another checkout's source directory to measure too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = make_repo(base, args.files)
        shim_dir, log = make_shim(base)
        home = base / "home"
        home.mkdir()
        reply_file = base / "reply.md"
        reply_file.write_text(REPLY)
        env = {**os.environ, **GIT_ENV, "PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(home)}
        env["XDG_CONFIG_HOME"] = str(home / ".config")
        env["XDG_CACHE_HOME"] = str(home / ".cache")
        for name in [k for k in env if k.startswith(("CODEASSIST_", "OPENAI_"))]:
            del env[name]
        server = OpenAIServer().start()
        try:
            base_argv = [sys.executable, "-m", "codeassist", "-C", str(root)]
            model = ["--base-url", server.base_url, "--api-key", "k", "--model", "gpt-4o-mini"]
            cases = {
                "edit -f mod0.py": (base_argv + model + ["edit", "return 1 from f0", "-f", "mod0.py"], server),
                "apply reply.md": (base_argv + ["apply", str(reply_file)], None),
            }
            sources = {"this checkout": env}
            if args.compare is not None:
                sources[str(args.compare)] = {**env, "PYTHONPATH": str(args.compare.resolve())}
            for name, (argv, srv) in cases.items():
                times: dict[str, list[float]] = {s: [] for s in sources}
                counts: dict[str, list[int]] = {s: [] for s in sources}
                last: dict[str, list[str]] = {}
                for source_env in sources.values():
                    run_case(argv, source_env, log, root, srv)  # warm: the index cache and the history cache
                for _ in range(args.runs):
                    for source, source_env in sources.items():
                        elapsed, calls = run_case(argv, source_env, log, root, srv)
                        times[source].append(elapsed)
                        counts[source].append(len(calls))
                        last[source] = calls
                for source in sources:
                    by_kind = collections.Counter(last[source])
                    detail = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
                    print(
                        f"{name:18} {source:16} git processes {statistics.median(counts[source]):4.0f}  "
                        f"wall median {statistics.median(times[source]) * 1000:6.0f} ms  ({detail})"
                    )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
