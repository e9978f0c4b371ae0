"""Apply accuracy on real history: python benchmarks/apply.py GIT_DIR... [--cases N] [--show-failures].

Builds cases from GIT_DIR's history (small commits touching 1-2 text files),
renders each commit's diff as a reply in every format with realistic
perturbations, applies each reply with codeassist's engine (no commit) on a
scratch clone checked out at the commit's parent, and compares the result
with the commit's post-image byte for byte.

Per format x perturbation it prints: cases, exact (result == post-image),
refused (nothing written), WRONG (written but different: the number that
must stay at zero) and the median time per apply.

Some variants are not fair questions, and are shown apart so that the others
are not judged by them. ``missing-blank-lines-ambiguous`` drops a blank line
that touched an added line or a removed blank line, so the reply no longer
says whether the addition goes before or after it, or how many blank lines
go. The row ``reply-names-no-place`` collects, over all perturbations, the
variants whose reply cannot say where an edit goes: in a format without
(right) line numbers, a hunk's old text occurs more than once in the file;
or, elided in any format, no piece of it between ``...`` lines occurs
exactly once, or new lines sit beside a piece with no line in it. A refusal is the
right answer there; an application differing from the post-image only in
blank lines is the reply's literal reading, shown as WRONG (ws); any other
WRONG is a real error.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.apply_cases import (  # noqa: E402
    PERTURBATIONS,
    WIDE_CONTEXT,
    Case,
    git,
    hunks,
    names_no_place,
    render_patch,
    render_sr,
    render_tool,
    render_udiff,
    render_whole,
    select_cases,
    written_path,
)

FORMATS = ("search-replace", "udiff", "udiff-wrong-lines", "udiff-no-lines", "whole", "patch", "tool")
WHOLE_PERTURBATIONS = ("clean", "path")


@dataclass
class Tally:
    cases: int = 0
    exact: int = 0
    refused: int = 0
    wrong: int = 0
    wrong_ws: int = 0  # of the wrong ones: differing from the post-image only in whitespace
    times: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


NO_PLACE = "reply-names-no-place"
NUMBERED = ("udiff", "whole")  # formats that say where an edit goes without a unique old text


def render(fmt: str, case: Case, pert: str, all_files: list[str]) -> tuple[str, list[tuple[str, str]], bool] | None:
    """The reply text, tool calls and whether it names no place (see names_no_place) for one variant.

    None when the perturbation does not apply.
    """
    if fmt == "whole" and pert not in WHOLE_PERTURBATIONS:
        return None
    changes = []
    no_place = False
    for change in case.files:
        hs = hunks(change.before.decode(), change.after.decode(), WIDE_CONTEXT.get(pert, 3))
        perturbed = PERTURBATIONS[pert](hs)
        if perturbed is None:
            return None
        changes.append((change, perturbed))
        if fmt not in NUMBERED or pert in WIDE_CONTEXT:  # past a "...", a hunk's line numbers say nothing
            no_place = no_place or names_no_place(change.before.decode(), hs, perturbed, pert in WIDE_CONTEXT)
    parts: list[str] = []
    calls: list[tuple[str, str]] = []
    for change, perturbed in changes:
        path = written_path(change.path, all_files, pert)
        after = change.after.decode()
        if fmt == "search-replace":
            parts.append(render_sr(path, perturbed, after))
        elif fmt.startswith("udiff"):
            numbers = {"udiff": "right", "udiff-wrong-lines": "wrong", "udiff-no-lines": "none"}[fmt]
            parts.append(render_udiff(path, perturbed, numbers))
        elif fmt == "whole":
            parts.append(render_whole(path, perturbed, after))
        elif fmt == "patch":
            parts.append(render_patch(path, perturbed, after))
        else:
            calls += render_tool(path, perturbed, after)
    text = ("Here are the changes.\n\n" + "\n".join(parts)) if parts else ""
    return text, calls, no_place


def run_variant(root: Path, case: Case, reply: str, calls: list[tuple[str, str]]) -> tuple[str, float, str]:
    """Apply one reply; return (outcome, seconds, note) and put the work tree back."""
    from codeassist.backends.base import ToolCall
    from codeassist.transaction import apply_reply

    tool_calls = [ToolCall(f"call_{i}", name, args) for i, (name, args) in enumerate(calls)]
    start = time.perf_counter()
    result = apply_reply(root, reply, tool_calls=tool_calls, commit=False)
    elapsed = time.perf_counter() - start
    expected = {c.path: c.after for c in case.files}
    if not result.ok or not result.written:
        outcome = "exact" if result.ok and all((root / p).read_bytes() == d for p, d in expected.items()) else "refused"
        note = result.feedback().splitlines()[0:3] if outcome == "refused" else []
        return outcome, elapsed, " / ".join(note)
    exact = set(result.changed) == set(expected) and all((root / p).read_bytes() == d for p, d in expected.items())
    ws_only = (
        not exact
        and set(result.changed) == set(expected)
        and all(_squash((root / p).read_bytes()) == _squash(d) for p, d in expected.items())
    )
    for path in result.changed:
        if path in expected:
            (root / path).write_bytes(next(c.before for c in case.files if c.path == path))
        else:
            subprocess.run(["git", "-C", str(root), "checkout", "-q", "--", path], capture_output=True)
            if (
                not subprocess.run(
                    ["git", "-C", str(root), "ls-files", "--error-unmatch", path], capture_output=True
                ).returncode
                == 0
            ):
                (root / path).unlink(missing_ok=True)
    if exact:
        return "exact", elapsed, ""
    return ("wrong-ws" if ws_only else "wrong"), elapsed, f"changed {list(result.changed)}"


def _squash(data: bytes) -> bytes:
    return b"".join(data.split())


def bench(
    repo: Path, n_cases: int, show: bool, only: str = "", perts: tuple[str, ...] = ()
) -> dict[tuple[str, str], Tally]:
    cases = [c for c in select_cases(repo, n_cases) if c.sha.startswith(only)]
    print(f"{repo.name}: {len(cases)} cases", file=sys.stderr)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    scratch = Path(tempfile.mkdtemp(prefix="codeassist-bench-"))
    root = scratch / "checkout"
    try:
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(root)], check=True)
        for case in cases:
            git(root, "checkout", "-q", "-f", "--detach", case.parent)
            git(root, "clean", "-fdxq")
            all_files = git(root, "ls-files").decode().splitlines()
            for fmt in FORMATS:
                for pert in perts or tuple(PERTURBATIONS):
                    rendered = render(fmt, case, pert, all_files)
                    if rendered is None:
                        continue
                    reply, calls, no_place = rendered
                    outcome, secs, note = run_variant(root, case, reply, calls)
                    t = tallies[(fmt, NO_PLACE if no_place else pert)]
                    t.cases += 1
                    t.times.append(secs)
                    if outcome == "wrong-ws":
                        t.wrong_ws += 1
                        outcome = "wrong"
                    setattr(t, outcome, getattr(t, outcome) + 1)
                    if outcome != "exact":
                        t.notes.append(f"{outcome} {case.sha[:10]} {note}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if show:
        for (fmt, pert), t in sorted(tallies.items()):
            for note in t.notes:
                print(f"  {fmt}/{pert}: {note}", file=sys.stderr)
    return tallies


def table(results: dict[str, dict[tuple[str, str], Tally]]) -> str:
    """One row per format x perturbation; per repository: cases, exact %, refused, WRONG (whitespace-only)."""
    names = list(results)
    head = "| format | perturbation | " + " | ".join(f"{n}: cases, exact, refused, WRONG (ws) " for n in names)
    lines = [head + "| median ms |", "|---|---|" + "---:|" * (len(names) + 1)]
    for fmt in FORMATS:
        for pert in (*PERTURBATIONS, NO_PLACE):
            cells, times = [], []
            for name in names:
                t = results[name].get((fmt, pert))
                if t is None or not t.cases:
                    cells.append("-")
                    continue
                pct = 100.0 * t.exact / t.cases
                cells.append(f"{t.cases}, {pct:.1f}%, {t.refused}, {t.wrong} ({t.wrong_ws})")
                times += t.times
            if times:
                ms = 1000 * statistics.median(times)
                lines.append(f"| {fmt} | {pert} | " + " | ".join(cells) + f" | {ms:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dirs", type=Path, nargs="+", metavar="GIT_DIR")
    parser.add_argument("--cases", type=int, default=60, help="commits per repository (newest first)")
    parser.add_argument("--show-failures", action="store_true", help="list every refused or wrong variant")
    parser.add_argument("--only", default="", help="only the commit whose id starts with this")
    parser.add_argument(
        "--perturbation",
        action="append",
        choices=list(PERTURBATIONS),
        default=[],
        help="only this perturbation (repeatable)",
    )
    args = parser.parse_args()
    results: dict[str, dict[tuple[str, str], Tally]] = {}
    for git_dir in args.git_dirs:
        repo = git_dir.resolve()
        if not (repo / "HEAD").is_file():  # a work tree rather than a bare git directory
            repo = Path(git(repo, "rev-parse", "--show-toplevel").decode().strip())
        results[repo.name] = bench(repo, args.cases, args.show_failures, args.only, tuple(args.perturbation))
    print(table(results))


if __name__ == "__main__":
    main()
