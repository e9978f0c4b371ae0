"""The chat's ``/architect``: a strong model plans the change in prose, the chat's model turns the plan into edits.

The planner is ``--architect-model`` (or the ``architect_model`` setting),
else the chat's own model. The cost of each step is shown after the request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from codeassist.interfaces.repl_table import command

if TYPE_CHECKING:
    from codeassist.backends.base import Usage
    from codeassist.interfaces.repl import Repl
    from codeassist.run import RunOptions, RunResult


def usage_text(u: Usage) -> str:
    cost = "cost unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
    return f"{u.input_tokens:,} in ({u.cached_input_tokens:,} cached), {u.output_tokens:,} out, {cost}"


def architect_request(repl: Repl, run: RunOptions) -> RunResult:
    """Plan, then edit; the edit's result with the plan as its reply (what the chat remembers) and both usages."""
    from codeassist.architect import run_architect

    done = run_architect(repl.session, run, repl.architect_model)
    repl.status(f"plan by {done.plan_model}: {usage_text(done.plan.usage)}")
    if done.edit is None:
        return done.plan
    repl.status(f"edits by {done.edit_model}: {usage_text(done.edit.usage)}")
    return replace(done.edit, reply=done.plan.reply, usage=done.plan.usage + done.edit.usage)


@command("/architect", "[REQUEST]", "a strong model plans, the chat's model edits; on/off, or once with REQUEST")
def architect(repl: Repl, rest: str) -> bool:
    planner = repl.architect_model or repl.session.model_name
    if rest:
        was = repl.architect
        repl.architect = True
        try:
            return repl.request("edit", rest)
        finally:
            repl.architect = was
    repl.architect = not repl.architect
    if repl.architect:
        repl.status(f"architect on: {planner} plans each change, {repl.session.model_name} makes the edits")
    else:
        repl.status("architect off: the chat's model plans and edits in one go")
    return True
