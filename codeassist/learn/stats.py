"""The figures that choose a model, from the record: per model and edit format.

- ``acceptance``: the share of edit requests whose change is kept (not
  undone, reverted, rewritten or discarded, and not failed);
- ``apply_failure``: the share of model calls with an edit that did not apply;
- ``rounds``: model calls per request, on average;
- ``cost_per_kept``: what all the requests cost, divided by the changes kept
  (None when a cost is unknown or nothing was kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codeassist.learn.store import Trajectory

LOST = frozenset({"undone", "reverted", "rewritten", "discarded"})


def _row(model: str, edit_format: str, ts: list[Trajectory]) -> dict[str, Any]:
    n = len(ts)
    kept = sum(t.fate == "kept" for t in ts)
    calls = [x for t in ts for x in t.exchanges]
    costs = [t.cost_usd for t in ts]
    cost = None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6)
    return {
        "model": model,
        "edit_format": edit_format,
        "requests": n,
        "kept": kept,
        "lost": sum(t.fate in LOST for t in ts),
        "failed": sum(t.status != "success" for t in ts),
        "acceptance": round(kept / n, 3) if n else 0.0,
        "apply_failure": round(sum(bool(x.failed) for x in calls) / len(calls), 3) if calls else 0.0,
        "rounds": round(sum(t.rounds for t in ts) / n, 2) if n else 0.0,
        "input_tokens": sum(t.input_tokens for t in ts),
        "output_tokens": sum(t.output_tokens for t in ts),
        "cost_usd": cost,
        "cost_per_kept": round(cost / kept, 6) if cost is not None and kept else None,
    }


def edit_stats(trajectories: Iterable[Trajectory]) -> dict[str, Any]:
    """One row per (model, edit format) of edit requests, sorted, and the count of questions asked."""
    groups: dict[tuple[str, str], list[Trajectory]] = {}
    asks = 0
    for t in trajectories:
        if t.mode == "ask":
            asks += 1
        else:
            groups.setdefault((t.model, t.edit_format), []).append(t)
    rows = [_row(model, fmt, ts) for (model, fmt), ts in sorted(groups.items())]
    everything = [t for ts in groups.values() for t in ts]
    return {"rows": rows, "total": _row("all", "all", everything), "asks": asks}
