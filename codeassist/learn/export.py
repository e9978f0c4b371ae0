"""Recorded requests (and eval tasks) as fine-tuning files.

- ``openai-sft``: one supervised example per successful edit whose change was
  kept (or, without ``kept_only``, left uncommitted on purpose): the messages
  of the model call whose edits landed, then its reply. Assistant messages in
  the prompt (earlier turns, a failed first attempt) carry ``weight: 0`` so
  only the reply that worked is learned.
- ``openai-dpo``: preference pairs for the same request: a reply whose edits
  failed to apply or whose checks failed, against the reply that then worked
  in the same request; and a change that was undone, reverted, rewritten or
  discarded, or a request that failed, against a kept change for the same
  request (same repository, same words).
- ``jsonl``: every trajectory as stored (scrubbed), one per line.

The last eval's tasks of a repository are held out: recorded requests with an
eval task's words are left out of training, and the tasks themselves (the
commit message and the real change) are offered as a separate validation file.
Every example is checked against the format before it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeassist.learn.formats import dpo_problems, sft_problems
from codeassist.learn.store import Exchange, Trajectory

FORMATS = ("openai-sft", "openai-dpo", "jsonl")
GOOD_FATES = frozenset({"kept", "uncommitted"})
BAD_FATES = frozenset({"undone", "reverted", "rewritten", "discarded", "failed"})


@dataclass(frozen=True)
class Export:
    """The training examples of one export, and how many requests were left out and why."""

    examples: tuple[dict[str, Any], ...]
    skipped: dict[str, int] = field(default_factory=dict)


def same_request(text: str) -> str:
    """Requests count as the same when their words are (case and spacing aside)."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _assistant(x: Exchange) -> dict[str, Any] | None:
    if x.tool_calls:
        calls = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in x.tool_calls
        ]
        return {"role": "assistant", "content": x.reply or None, "tool_calls": calls}
    return {"role": "assistant", "content": x.reply} if x.reply.strip() else None


def _tools(t: Trajectory) -> list[dict[str, Any]]:
    if t.edit_format != "tool":
        return []
    from codeassist.edits.tool import EDIT_TOOLS

    return [
        {
            "type": "function",
            "function": {"name": s.name, "description": s.description, "parameters": dict(s.parameters)},
        }
        for s in EDIT_TOOLS
    ]


def _worked(x: Exchange) -> bool:
    return bool(x.applied) and not x.failed and all(c.get("ok") for c in x.checks)


def _final(t: Trajectory) -> Exchange | None:
    """The model call whose edits became the request's change."""
    if t.mode != "edit" or t.status != "success":
        return None
    good = [x for x in t.exchanges if _worked(x)]
    return good[-1] if good else None


def _accepted(t: Trajectory, kept_only: bool) -> bool:
    return t.fate == "kept" if kept_only else t.fate in GOOD_FATES


def sft_examples(trajectories: Iterable[Trajectory], *, kept_only: bool) -> list[dict[str, Any]]:
    out = []
    for t in trajectories:
        final = _final(t)
        reply = _assistant(final) if final is not None else None
        if final is None or reply is None or not _accepted(t, kept_only):
            continue
        prompt = [{**m, "weight": 0} if m.get("role") == "assistant" else dict(m) for m in final.messages]
        example: dict[str, Any] = {"messages": [*prompt, reply]}
        if tools := _tools(t):
            example["tools"] = tools
        out.append(example)
    return out


def _pair(
    messages: Sequence[dict[str, Any]], good: dict[str, Any], bad: dict[str, Any], tools: list[Any]
) -> dict[str, Any]:
    inp: dict[str, Any] = {"messages": [{k: v for k, v in m.items() if k != "weight"} for m in messages]}
    if tools:
        inp["tools"] = tools
    return {"input": inp, "preferred_output": [good], "non_preferred_output": [bad]}


def dpo_examples(trajectories: Sequence[Trajectory]) -> list[dict[str, Any]]:
    out = []
    kept: dict[tuple[str, str], Trajectory] = {}
    for t in trajectories:  # oldest first: the newest kept change of a request wins
        if _final(t) is not None and t.fate in GOOD_FATES:
            kept[(t.repo, same_request(t.request))] = t
    for t in trajectories:
        final = _final(t)
        good = _assistant(final) if final is not None else None
        if final is not None and good is not None and t.fate in GOOD_FATES:
            for x in t.exchanges:  # a failed attempt inside the request that then worked
                bad = _assistant(x)
                if x is not final and not _worked(x) and bad is not None and x.messages:
                    out.append(_pair(x.messages, good, bad, _tools(t)))
        if t.mode != "edit" or not (t.fate in BAD_FATES or t.status != "success") or not t.exchanges:
            continue
        winner = kept.get((t.repo, same_request(t.request)))
        bad = _assistant(t.exchanges[-1])
        if winner is None or bad is None:
            continue
        win = _final(winner)
        good = _assistant(win) if win is not None else None
        if good is not None and good != bad:
            out.append(_pair(winner.exchanges[0].messages, good, bad, _tools(winner)))
    return out


def jsonl_records(trajectories: Iterable[Trajectory], *, kept_only: bool) -> list[dict[str, Any]]:
    from dataclasses import asdict

    return [{"kind": "trajectory", **asdict(t)} for t in trajectories if not kept_only or t.fate == "kept"]


def heldout_tasks(root: Path, report: dict[str, Any], fmt: str) -> list[dict[str, Any]]:
    """The last eval's tasks as validation examples (the commit message, then the real change)."""
    from codeassist.learn.tasks import change_as_search_replace

    out: list[dict[str, Any]] = []
    for task in report.get("tasks", []):
        request = task.get("request")
        if not request:
            continue
        change = change_as_search_replace(root, task["sha"])
        if fmt == "openai-sft":
            out.append({"messages": [{"role": "user", "content": request}, {"role": "assistant", "content": change}]})
        elif fmt == "jsonl":
            out.append({"kind": "eval-task", "repo": str(root), "sha": task["sha"], "request": request,
                        "files": task.get("files", []), "change": change})  # fmt: skip
    return out


def build_export(
    fmt: str,
    trajectories: Sequence[Trajectory],
    *,
    kept_only: bool = False,
    heldout_requests: Iterable[str] = (),
) -> Export:
    """The examples of ``fmt`` from ``trajectories``, leaving out eval tasks' requests; each one checked."""
    held = {same_request(r) for r in heldout_requests}
    usable = [t for t in trajectories if same_request(t.request) not in held]
    skipped = {"eval task": len(trajectories) - len(usable)}
    if fmt == "openai-sft":
        examples = sft_examples(usable, kept_only=kept_only)
        check = sft_problems
    elif fmt == "openai-dpo":
        examples = dpo_examples(usable)
        check = dpo_problems
    else:
        examples = jsonl_records(usable, kept_only=kept_only)
        check = _no_problems
    fitting = [e for e in examples if not check(e)]
    skipped["does not fit the format"] = len(examples) - len(fitting)
    return Export(tuple(fitting), {k: v for k, v in skipped.items() if v})


def _no_problems(example: Any) -> list[str]:
    return []


def example_tokens(example: dict[str, Any]) -> int:
    """Estimated tokens of every text in an example (what a provider bills training by)."""
    from codeassist.tokens import estimate_tokens

    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("role", "type", "id", "kind", "weight"):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(example)
    return sum(estimate_tokens(t) for t in texts)
