"""Does the context hold what a change needs?  Recall of changed files, against BM25.

    python benchmarks/context.py GIT_DIR [--commits N] [--json]

For the most recent small commits of GIT_DIR (1 to 3 files changed, at least
one of them existing before, a message of three words or more that is not a
merge, a release or a dependency bump), check out the commit's parent in a
scratch clone under the system temp directory, take the commit message as the
request, build the context as `codeassist context` would (no -f), and count
which of the changed files that existed in the parent are in the prompt:
files in the chat, read-only files and files shown in the repo map text.
The context may read the scratch clone's git history: at the parent that is
the history before the commit, and the script stops if the commit itself is
visible there (no future information).

Configurations: the defaults with no model configured (the catalogue's
fallback window), the defaults for a 128k-token model, and map budgets of
2k/4k/8k tokens in a 128k window. The baseline ranks the parent's files with
BM25 (Okapi, k1=1.5, b=0.75) over identifier sub-words of path and content,
and takes as many files as our prompt held for that commit. For the files
shown whole it is given, once, as many files whatever their size and, again,
as many files within the tokens ours took ("at the same budget": a file that
does not fit the rest is passed over).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SKIP_SUBJECT = re.compile(r"^(merge|bump|release|revert|v?\d+\.\d+|build\(deps|chore\(deps|chore\(release)", re.I)
VERBOSE = False
AT_K = (5, 15)
FIRST_K = (5, 10)  # the first files of the prompt (shown whole, then the map's) against BM25 over source files
VERBOSE_CONFIG = "default, no model (8k window)"
TRAILER = re.compile(r"^(co-authored-by|signed-off-by|reviewed-by|change-id):", re.I)


@dataclass(frozen=True)
class Commit:
    sha: str
    parent: str
    message: str
    targets: tuple[str, ...]  # changed files that exist in the parent


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def pick_commits(root: Path, count: int) -> list[Commit]:
    out: list[Commit] = []
    for sha in git(root, "rev-list", "--no-merges", "--max-count=3000", "HEAD").split():
        if len(out) >= count:
            break
        parents = git(root, "rev-list", "--parents", "-n1", sha).split()[1:]
        if len(parents) != 1:
            continue
        message = "\n".join(
            line for line in git(root, "log", "-1", "--format=%B", sha).splitlines() if not TRAILER.match(line)
        ).strip()
        subject = message.splitlines()[0] if message else ""
        if len(subject.split()) < 3 or SKIP_SUBJECT.match(subject):
            continue
        diff = git(root, "diff", "--name-status", "--no-renames", parents[0], sha)
        status = [line.split("\t") for line in diff.splitlines()]
        if not 1 <= len(status) <= 3:
            continue
        targets = tuple(sorted(p[-1] for p in status if p[0] in ("M", "D")))
        if targets:
            out.append(Commit(sha, parents[0], message, targets))
    return out


def words(text: str) -> list[str]:
    """Lower-case identifier sub-words (camelCase and snake_case split), plus whole identifiers."""
    out: list[str] = []
    for ident in re.findall(r"[A-Za-z][A-Za-z0-9]+", text):
        parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", ident)
        out.append(ident.lower())
        out.extend(p.lower() for p in parts if len(p) > 1 and p.lower() != ident.lower())
    return out


def bm25_rank(root: Path, files: list[str], query: str) -> list[str]:
    docs: dict[str, Counter[str]] = {}
    for f in files:
        try:
            data = (root / f).read_bytes()[:200_000]
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        docs[f] = Counter(words(f + " " + data.decode("utf-8", "replace")))
    if not docs:
        return []
    avg = sum(sum(c.values()) for c in docs.values()) / len(docs)
    df: Counter[str] = Counter()
    for c in docs.values():
        df.update(c.keys())
    q = set(words(query))
    scores = {}
    for f, c in docs.items():
        length = sum(c.values())
        s = 0.0
        for w in q:
            if w in c:
                idf = math.log(1 + (len(docs) - df[w] + 0.5) / (df[w] + 0.5))
                s += idf * c[w] * 2.5 / (c[w] + 1.5 * (0.25 + 0.75 * length / avg))
        scores[f] = s
    return sorted(scores, key=lambda f: (-scores[f], f))


def source_files(files: list[str]) -> list[str]:
    """The files in a language the index parses (code, not documentation, data or lock files)."""
    from codeassist.index.languages import language_for_path

    return [f for f in files if language_for_path(f) is not None]


@dataclass(frozen=True)
class Shown:
    anywhere: set[str]  # files anywhere in the prompt
    ranking: list[str]  # chat files, then the candidates
    whole: list[str]  # files shown whole: the chat's, then the read-only ones
    first: list[str]  # the prompt's files in order: shown whole, then the map's
    seconds: float
    tokens: int


def prompt_files(root: Path, req: object) -> Shown:
    from codeassist.context import build_context

    t0 = time.perf_counter()
    built = build_context(req)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    shown = set(built.files) | set(built.read_only) | set(built.related) | set(built.map_files)
    whole = list(dict.fromkeys([*built.files, *built.read_only]))
    first = list(dict.fromkeys([*whole, *built.map_files]))
    return Shown(shown, list(built.files) + list(built.candidates), whole, first, elapsed, built.total_tokens)


def file_tokens(root: Path, rel: str) -> int | None:
    """The token estimate of one file (the context's own estimator), or None when it cannot be read."""
    from codeassist.tokens import estimate_tokens

    try:
        return estimate_tokens((root / rel).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def within_budget(root: Path, ranked: list[str], count: int, budget: int) -> list[str]:
    """BM25 at the same budget: its best files, in order, at most ``count`` of them and ``budget`` tokens
    in all (a file that does not fit the rest of the budget is passed over, as the context passes it)."""
    taken: list[str] = []
    for rel in ranked:
        if len(taken) >= count:
            break
        size = file_tokens(root, rel)
        if size is not None and size <= budget:
            taken.append(rel)
            budget -= size
    return taken


def tokens_of(root: Path, paths: list[str]) -> int:
    return sum(file_tokens(root, rel) or 0 for rel in paths)


def _check_no_future(work: Path, c: Commit) -> None:
    """The history the context reads (cached or not) ends at the parent: the commit itself is unknown."""
    from codeassist.history import read_history

    seen = read_history(work)
    if seen.commits and (seen.head != c.parent or any(p.sha == c.sha for p in seen.commits)):
        raise SystemExit(f"history leak: {c.sha} or a later commit is visible at its parent")


CONFIGS: dict[str, dict[str, object]] = {
    # The catalogue's fallback window (32k since issue 12); the name is kept for earlier records.
    "default, no model (8k window)": {"window": None, "map": None},
    "default, 128k model": {"window": 128_000, "map": None},
    "map 2k": {"window": 128_000, "map": 2048},
    "map 4k": {"window": 128_000, "map": 4096},
    "map 8k": {"window": 128_000, "map": 8192},
}


def run(git_dir: Path, count: int, configs: list[str]) -> dict[str, object]:
    from codeassist.backends.catalogue import lookup_model
    from codeassist.context import ContextRequest
    from codeassist.workspace import Workspace

    def repo_files(root: Path) -> list[str]:
        ws = Workspace.find(root)
        if ws is None:
            raise SystemExit(f"not a git work tree: {root}")
        try:
            return list(ws.files())
        finally:
            ws.forget_listing()

    fallback = lookup_model("")
    commits = pick_commits(git_dir, count)
    scratch = Path(tempfile.mkdtemp(prefix="ctxbench-"))
    work = scratch / "repo"
    os.environ["XDG_CACHE_HOME"] = str(scratch / "cache")  # a cold, private index cache
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(git_dir), str(work)], check=True)
    results: dict[str, list[float]] = {name: [] for name in configs}
    baseline: dict[str, list[float]] = {name: [] for name in configs}
    sizes: dict[str, list[int]] = {name: [] for name in configs}
    tokens: dict[str, list[int]] = {name: [] for name in configs}
    top: dict[tuple[str, int], list[float]] = {(name, at): [] for name in CONFIGS for at in AT_K}
    top_bm25: dict[tuple[str, int], list[float]] = {(name, at): [] for name in CONFIGS for at in AT_K}
    whole: dict[str, list[float]] = {name: [] for name in configs}
    whole_bm25: dict[str, list[float]] = {name: [] for name in configs}
    # The same, with BM25 held to the tokens our files shown whole took (the guide's "at the same budget").
    whole_bm25_budget: dict[str, list[float]] = {name: [] for name in configs}
    whole_sizes: dict[str, list[int]] = {name: [] for name in configs}
    first: dict[tuple[str, int], list[float]] = {(name, at): [] for name in configs for at in FIRST_K}
    first_bm25: dict[tuple[str, int], list[float]] = {(name, at): [] for name in configs for at in FIRST_K}
    times: list[float] = []
    try:
        for c in commits:
            git(work, "checkout", "-q", "-f", "--detach", c.parent)
            git(work, "clean", "-q", "-fd")
            files = repo_files(work)
            _check_no_future(work, c)
            ranked = bm25_rank(work, files, c.message)
            ranked_src = bm25_rank(work, source_files(files), c.message)
            for name in configs:
                cfg = CONFIGS[name]
                window = cfg["window"] or fallback.context_window
                out_tokens = fallback.max_output_tokens if cfg["window"] is None else 16_000
                req = ContextRequest(
                    root=work,
                    request=c.message,
                    model=None,
                    context_window=window,  # type: ignore[arg-type]
                    max_output_tokens=out_tokens,
                    map_tokens=cfg["map"],  # type: ignore[arg-type]
                    edit_format=fallback.edit_format,
                )
                got = prompt_files(work, req)
                shown, suggested, elapsed, used = got.anywhere, got.ranking, got.seconds, got.tokens
                n_whole = len(got.whole)
                whole_sizes[name].append(n_whole)
                whole[name].append(sum(t in got.whole for t in c.targets) / len(c.targets))
                whole_bm25[name].append(sum(t in ranked_src[:n_whole] for t in c.targets) / len(c.targets))
                fitted = within_budget(work, ranked_src, n_whole, tokens_of(work, got.whole))
                whole_bm25_budget[name].append(sum(t in fitted for t in c.targets) / len(c.targets))
                for at in FIRST_K:
                    first[(name, at)].append(sum(t in got.first[:at] for t in c.targets) / len(c.targets))
                    first_bm25[(name, at)].append(sum(t in ranked_src[:at] for t in c.targets) / len(c.targets))
                tokens[name].append(used)
                if name.startswith("default, 128k"):
                    times.append(elapsed)
                hits = sum(t in shown for t in c.targets)
                k = max(1, len(shown))
                bhits = sum(t in ranked[:k] for t in c.targets)
                for at in AT_K:
                    top[(name, at)].append(sum(t in suggested[:at] for t in c.targets) / len(c.targets))
                    top_bm25[(name, at)].append(sum(t in ranked[:at] for t in c.targets) / len(c.targets))
                if VERBOSE and (name == VERBOSE_CONFIG or len(configs) == 1):
                    subject = c.message.splitlines()[0][:60]
                    marks = " ".join(
                        ("+" if t in shown else "-")
                        + ("W" if t in got.whole else "")
                        + ("F" if t in got.first[:10] else "")
                        + ("B" if t in ranked_src[:n_whole] else "")
                        + ("b" if t in ranked_src[:10] else "")
                        + t
                        for t in c.targets
                    )
                    head = f"{c.sha[:8]} k={k:3} whole={n_whole} {subject!r}"
                    print(f"{head}: {marks}  first: {got.first[:10]}", file=sys.stderr)
                results[name].append(hits / len(c.targets))
                baseline[name].append(bhits / len(c.targets))
                sizes[name].append(len(shown))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "repo": git_dir.name if git_dir.name not in ("repo", ".git") else git_dir.parent.name,
        "head": git(git_dir, "rev-parse", "--short", "HEAD").strip(),
        "commits": len(commits),
        "rows": [
            {
                "config": name,
                "recall": statistics.mean(results[name]) if commits else 0.0,
                "bm25_recall": statistics.mean(baseline[name]) if commits else 0.0,
                "median_files": statistics.median(sizes[name]) if commits else 0,
                "median_tokens": statistics.median(tokens[name]) if commits else 0,
                **{f"recall_at_{at}": statistics.mean(top[(name, at)]) if commits else 0.0 for at in AT_K},
                **{f"bm25_recall_at_{at}": statistics.mean(top_bm25[(name, at)]) if commits else 0.0 for at in AT_K},
                "whole": statistics.mean(whole[name]) if commits else 0.0,
                "whole_bm25": statistics.mean(whole_bm25[name]) if commits else 0.0,
                "whole_bm25_same_tokens": statistics.mean(whole_bm25_budget[name]) if commits else 0.0,
                "whole_files": statistics.median(whole_sizes[name]) if commits else 0,
                **{f"first_{at}": statistics.mean(first[(name, at)]) if commits else 0.0 for at in FIRST_K},
                **{f"first_{at}_bm25": statistics.mean(first_bm25[(name, at)]) if commits else 0.0 for at in FIRST_K},
            }
            for name in configs
        ],
        "median_build_seconds": statistics.median(times) if times else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("git_dir", type=Path)
    ap.add_argument("--commits", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per commit on stderr")
    ap.add_argument(
        "--config", action="append", choices=list(CONFIGS), help="only these configurations (repeatable)"
    )
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    report = run(args.git_dir.resolve(), args.commits, args.config or list(CONFIGS))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['repo']} at {report['head']}: {report['commits']} commits, "
        f"median context build {report['median_build_seconds']:.2f}s"
    )
    print(
        "recall of changed files: anywhere in the prompt (BM25 at as many files), median prompt tokens"
        " | in our top 5 / top 15 (BM25)"
    )
    print(
        f"{'config':30} {'prompt':>6} {'BM25':>5} {'files':>5} {'tokens':>7} | "
        f"{'@5':>4} {'BM25':>5} | {'@15':>4} {'BM25':>5}"
    )
    for row in report["rows"]:  # type: ignore[attr-defined]
        print(
            f"{row['config']:30} {row['recall']:6.0%} {row['bm25_recall']:5.0%} {row['median_files']:5} "
            f"{row['median_tokens']:7} | "
            f"{row['recall_at_5']:4.0%} {row['bm25_recall_at_5']:5.0%} | "
            f"{row['recall_at_15']:4.0%} {row['bm25_recall_at_15']:5.0%}"
        )
    print(
        "\nshown whole (BM25 over source files at as many files; the same held to the tokens ours took;"
        " median files shown whole)"
        " | first 5 / first 10 files of the prompt (BM25 over source files)"
    )
    print(
        f"{'config':30} {'whole':>6} {'BM25':>5} {'tok':>5} {'files':>5} | "
        f"{'@5':>4} {'BM25':>5} | {'@10':>4} {'BM25':>5}"
    )
    for row in report["rows"]:  # type: ignore[attr-defined]
        print(
            f"{row['config']:30} {row['whole']:6.0%} {row['whole_bm25']:5.0%} {row['whole_bm25_same_tokens']:5.0%} "
            f"{row['whole_files']:5} | "
            f"{row['first_5']:4.0%} {row['first_5_bm25']:5.0%} | {row['first_10']:4.0%} {row['first_10_bm25']:5.0%}"
        )


if __name__ == "__main__":
    sys.exit(main())
