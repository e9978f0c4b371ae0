"""The limits of one agent request: steps, tokens, cost, repeated calls and the context window.

A bound never raises: :meth:`Bounds.reached` names the one that stopped the
request, and the loop ends it the way the classic loop ends a request whose
rounds ran out (checked and committed, or put back).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from codeassist.agent.options import AgentPolicy
from codeassist.backends.base import Message, ToolCall, Usage

REPEAT_WARN = 2  # the second identical call is answered with a warning
REPEAT_STOP = 3  # the third stops the request
KEEP_RECENT_RESULTS = 4  # tool results compaction never shortens
COMPACT_AT = 0.75  # of the window's budget
SHORTENED_CHARS = 300


@dataclass
class Bounds:
    policy: AgentPolicy
    steps: int = 0
    repeats: dict[str, int] = field(default_factory=dict)

    def reached(self, usage: Usage) -> str | None:
        """Why the request must stop now (before the next model call), or None."""
        if self.steps >= self.policy.max_steps:
            return f"the step limit ({self.policy.max_steps} model calls) was reached"
        used = usage.input_tokens + usage.output_tokens
        if self.policy.max_tokens is not None and used >= self.policy.max_tokens:
            return f"the token limit ({self.policy.max_tokens:,} tokens per request) was reached: {used:,} used"
        if self.policy.max_cost is not None and usage.cost_usd is not None and usage.cost_usd >= self.policy.max_cost:
            return f"the cost limit (${self.policy.max_cost:g} per request) was reached: ${usage.cost_usd:.4f}"
        return None

    def repeat(self, call: ToolCall, generation: int) -> int:
        """How many times this exact call was made with nothing edited in between (this one included)."""
        try:
            args = json.dumps(json.loads(call.arguments or "{}"), sort_keys=True)
        except ValueError:
            args = call.arguments
        key = f"{generation}\0{call.name}\0{args}"
        self.repeats[key] = self.repeats.get(key, 0) + 1
        return self.repeats[key]


def compact(messages: Sequence[Message], count: Callable[[str], int], budget: int) -> tuple[list[Message], int]:
    """Shorten old tool results (the most recent stay whole) while the messages fill the window.

    Returns the messages and how many results were shortened; the caller
    stops the request when even that does not make room.
    """
    out = list(messages)
    total = sum(count(m.content) for m in out)
    if total <= budget * COMPACT_AT:
        return out, 0
    results = [i for i, m in enumerate(out) if m.role == "tool"]
    shortened = 0
    for i in results[:-KEEP_RECENT_RESULTS]:
        m = out[i]
        if len(m.content) <= SHORTENED_CHARS:
            continue
        short = m.content[:SHORTENED_CHARS] + "\n[... shortened to save room; call the tool again for the rest]"
        total += count(short) - count(m.content)
        out[i] = replace(m, content=short)
        shortened += 1
        if total <= budget * COMPACT_AT:
            break
    return out, shortened
