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
SHORTENED_NOTE = "\n[... shortened to save room; call the tool again for the rest]"


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


def size(message: Message, count: Callable[[str], int]) -> int:
    """A message's estimated tokens: its text and the arguments of the calls it makes (a whole new file, say)."""
    return count(message.content) + sum(count(c.name) + count(c.arguments) for c in message.tool_calls)


def compact(messages: Sequence[Message], count: Callable[[str], int], budget: int) -> tuple[list[Message], int]:
    """Shorten old tool results while the messages fill the window.

    The oldest go first; the most recent few stay whole unless that is not
    enough, and the last one always stays whole. Returns the messages and how
    many results were shortened; the caller stops the request when even that
    does not make room.
    """
    out = list(messages)
    total = sum(size(m, count) for m in out)
    goal = budget * COMPACT_AT
    if total <= goal:
        return out, 0
    results = [i for i, m in enumerate(out) if m.role == "tool"]
    shortened = 0
    for keep in (KEEP_RECENT_RESULTS, 1):
        for i in results[: max(0, len(results) - keep)]:
            m = out[i]
            if len(m.content) <= SHORTENED_CHARS + len(SHORTENED_NOTE):
                continue
            short = m.content[:SHORTENED_CHARS] + SHORTENED_NOTE
            total += count(short) - count(m.content)
            out[i] = replace(m, content=short)
            shortened += 1
            if total <= goal:
                return out, shortened
    return out, shortened
