"""eval's own overhead per task, apart from the model's time.

Usage: python benchmarks/eval.py [--repo PATH] [--tasks N] [--jobs K]

Clones the repository (default: the current one) into a temporary directory,
builds its index cache (unless --cold), picks N tasks with eval's filter, and runs them through the real evaluation
(temporary worktree, context, apply, checks, scoring, cleanup) with a
scripted model that answers at once with the real change. Prints the median
per task of the whole task, of the time spent waiting for the model, and of
the rest (eval's overhead), and the median of a worktree created and removed
alone.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codeassist.backends.catalogue import lookup_model
from codeassist.backends.scripted import ScriptedBackend
from codeassist.config import load_settings
from codeassist.learn.evaluate import Candidate, Evaluation
from codeassist.learn.tasks import change_as_search_replace, select_tasks
from codeassist.learn.worktree import temporary_worktree
from codeassist.session import EventSink, Session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path.cwd())
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="no index cache in the clone to seed worktrees from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="codeassist-bench-") as scratch:
        root = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "--quiet", "--no-local", str(args.repo), str(root)], check=True)
        if not args.cold:  # the user's own index cache, as a repository codeassist works in has one
            index = [sys.executable, "-m", "codeassist", "-C", str(root), "index"]
            subprocess.run(index, check=True, capture_output=True)
        tasks = select_tasks(root, count=args.tasks)
        by_parent = {t.parent: t.sha for t in tasks}
        env = {"CODEASSIST_CONFIG": str(Path(scratch) / "none.toml")}
        settings = load_settings(repo_root=root, environ=env, flags={"model": "gpt-4o-mini"})

        def factory(cand: Candidate, tree: Path, sink: EventSink) -> Session:
            head = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True)
            reply = change_as_search_replace(root, by_parent[head.stdout.strip()])
            return Session(
                ScriptedBackend([reply]), root=tree, settings=settings, model_info=lookup_model("gpt-4o-mini"),
                on_event=sink,
            )  # fmt: skip

        began = time.perf_counter()
        scores = Evaluation(
            root, tasks, [Candidate("gpt-4o-mini", "search-replace")], factory=factory,
            results=Path(scratch) / "results", jobs=args.jobs,
        ).run()  # fmt: skip
        wall = time.perf_counter() - began
        alone = []
        for task in tasks:
            start = time.perf_counter()
            with temporary_worktree(root, task.parent):
                pass
            alone.append(time.perf_counter() - start)
    total = [s.seconds for s in scores]
    model = [s.model_seconds for s in scores]
    overhead = [s.seconds - s.model_seconds for s in scores]
    exact = sum(s.exact for s in scores)
    for s in scores:
        if s.status == "error":
            print(f"error in {s.sha[:10]}: {s.error}")
    cache = "no index cache" if args.cold else "worktrees seeded from the clone's index cache"
    print(f"{len(scores)} tasks from {args.repo.name} (jobs {args.jobs}, {cache}); the model replays each commit")
    print(f"exact: {exact}/{len(scores)}; the run took {wall:.1f} s of wall time")
    for name, values in (("whole task", total), ("model", model), ("overhead", overhead), ("worktree alone", alone)):
        print(f"{name:>15}: median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})")


if __name__ == "__main__":
    main()
