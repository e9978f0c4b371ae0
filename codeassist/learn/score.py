"""How one eval task went for one model: the scores and the figures, as a value that round-trips JSON."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from codeassist.git import run_git


@dataclass(frozen=True)
class Score:
    """``applied``: a round's edits all landed; ``checks_pass``: the request ended checked (success);
    ``exact``: the changed files are byte for byte the real commit's; precision and recall compare
    the files edits touched with the commit's files; ``model_seconds`` is the time spent waiting for
    the model, ``seconds`` the whole task (worktree, context, checks, scoring included)."""

    sha: str
    subject: str
    model: str
    edit_format: str
    mode: str
    status: str
    applied: bool
    checks_pass: bool
    exact: bool
    files_expected: tuple[str, ...]
    files_touched: tuple[str, ...]
    precision: float
    recall: float
    rounds: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    seconds: float
    model_seconds: float
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files_expected"] = list(self.files_expected)
        data["files_touched"] = list(self.files_touched)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Score:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["files_expected"] = tuple(values.get("files_expected", ()))
        values["files_touched"] = tuple(values.get("files_touched", ()))
        return cls(**values)


def files_touched(events: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """Every file an edit landed on, in any round."""
    return tuple(sorted({e["path"] for e in events if e.get("type") == "edit.applied" and e.get("path")}))


def applied_once(events: Sequence[dict[str, Any]]) -> bool:
    """Some model call's edits all applied (at least one landed, none failed)."""
    ok = failed = 0
    result = False
    for e in events:
        kind = e.get("type")
        if kind == "exchange":
            result = result or (ok > 0 and failed == 0)
            ok = failed = 0
        elif kind == "edit.applied":
            ok += 1
        elif kind == "edit.failed":
            failed += 1
    return result or (ok > 0 and failed == 0)


def precision_recall(touched: Sequence[str], expected: Sequence[str]) -> tuple[float, float]:
    both = len(set(touched) & set(expected))
    precision = both / len(set(touched)) if touched else 0.0
    recall = both / len(set(expected)) if expected else 0.0
    return round(precision, 3), round(recall, 3)


def matches_commit(worktree: Path, sha: str, paths: Sequence[str]) -> bool:
    """Each of ``paths`` in ``worktree`` is exactly as in commit ``sha`` (absent where it is absent there)."""
    for rel in sorted(set(paths)):
        proc = run_git(worktree, "cat-file", "blob", f"{sha}:{rel}", check=False)
        want = proc.stdout if proc.returncode == 0 else None
        file = worktree / rel
        have = file.read_bytes() if file.is_file() else None
        if have != want:
            return False
    return True


def summarize(scores: Sequence[Score]) -> dict[str, Any]:
    """One model's (and edit format's) figures over its tasks."""
    n = len(scores)
    costs = [s.cost_usd for s in scores]

    def rate(flag: str) -> float:
        return round(sum(bool(getattr(s, flag)) for s in scores) / n, 3) if n else 0.0

    return {
        "tasks": n,
        "errors": sum(s.status == "error" for s in scores),
        "applied": rate("applied"),
        "checks_pass": rate("checks_pass"),
        "exact": rate("exact"),
        "precision": round(statistics.fmean(s.precision for s in scores), 3) if n else 0.0,
        "recall": round(statistics.fmean(s.recall for s in scores), 3) if n else 0.0,
        "rounds": round(statistics.fmean(s.rounds for s in scores), 2) if n else 0.0,
        "input_tokens": sum(s.input_tokens for s in scores),
        "output_tokens": sum(s.output_tokens for s in scores),
        "cost_usd": None if not n or any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
        "median_seconds": round(statistics.median(s.seconds for s in scores), 3) if n else 0.0,
    }
