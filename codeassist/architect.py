"""Two models when it pays: a strong model plans the change in prose, a cheaper one turns the plan into edits.

:func:`run_architect` asks the architect model (an ``ask`` request with the
``architect_plan.md`` prompt, the same files and history) and, if it gave a
plan, runs an ``edit`` request with the session's own model on the
``architect_edit.md`` prompt. The two results keep their own usage, so the
cost of each step can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from codeassist import prompts

if TYPE_CHECKING:
    from codeassist.run import RunOptions, RunResult
    from codeassist.session import Session


@dataclass(frozen=True)
class ArchitectResult:
    plan: RunResult
    plan_model: str
    edit: RunResult | None  # None when there was no plan to carry out
    edit_model: str


def run_architect(session: Session, opts: RunOptions, architect_model: str | None) -> ArchitectResult:
    """Plan ``opts.request`` with ``architect_model`` (None: the session's model), then edit with the session's model.

    Raises what ``Session.switch_model`` raises for an unusable architect model, before any request.
    """
    dirs = session.prompt_dirs
    plan_opts = replace(opts, mode="ask", request=prompts.render("architect_plan.md", dirs, request=opts.request))
    editor = session.model_name
    if architect_model and architect_model != editor:
        with session.using_model(architect_model):
            planner = session.model_name
            plan = session.ask(plan_opts)
    else:
        planner = editor
        plan = session.ask(plan_opts)
    if plan.status != "success" or not plan.reply.strip():
        return ArchitectResult(plan, planner, None, editor)
    request = prompts.render("architect_edit.md", dirs, request=opts.request, plan=plan.reply.strip())
    edit = session.edit(replace(opts, mode="edit", request=request))
    return ArchitectResult(plan, planner, edit, editor)
