"""What the agent's commands cost beyond the command: python benchmarks/agent_commands.py REPO... [--runs N].

Per repository (a git work tree, left unchanged), in this process:

* ``secret files``: finding the secret stores a full-auto sandbox masks, by
  name and by content (codeassist/agent/sandbox_secrets.py), once per request;
  also the ``git grep`` of candidate lines alone and how many files it found;
* ``snapshot``: one work-tree snapshot as a git tree through the private index
  (codeassist/agent/command_changes.py), the first of a request (copies git's
  index) and a later one; each ``run`` takes two.

Prints the median of ``--runs`` (3) in milliseconds, warm file cache (one
unmeasured run first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codeassist.agent.command_changes import WorkTreeTracker  # noqa: E402
from codeassist.agent.sandbox_secrets import _candidates, secret_files  # noqa: E402
from codeassist.workspace import Workspace  # noqa: E402


def once(root: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    with Workspace.open(root) as ws:
        t = time.perf_counter()
        found = secret_files(ws)
        out["secret files ms"] = (time.perf_counter() - t) * 1000
        out["found"] = len(found)
        t = time.perf_counter()
        out["candidates"] = len(_candidates(ws))
        out["git grep ms"] = (time.perf_counter() - t) * 1000
        tracker = WorkTreeTracker(ws)
        t = time.perf_counter()
        first = tracker.state()
        out["first snapshot ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        again = tracker.state()
        out["later snapshot ms"] = (time.perf_counter() - t) * 1000
        assert first is not None and first == again, "the work tree changed while measuring"
        tracker.close()
        out["files"] = len(ws.listing().entries) + len(ws.listing().skipped)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for repo in args.repos:
        once(repo)  # warm the file cache
        runs = [once(repo) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{repo.name}: {med['files']:,.0f} files; secret files {med['secret files ms']:.0f} ms "
            f"({med['found']:.0f} found; git grep {med['git grep ms']:.0f} ms, {med['candidates']:.0f} candidates); "
            f"snapshot first {med['first snapshot ms']:.0f} ms, later {med['later snapshot ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
