"""The agent loop: the model calls tools until it is done or a bound stops it; then check, commit or restore.

Each step sends the conversation and the tools, answers every tool call the
reply makes (in order, each with a ``tool.call`` and a ``tool.result``
event), and goes on. When the model replies without a tool call, the change
is checked as in the classic loop (syntax, ``lint_cmd``, ``test_cmd``): a
failure goes back to the model as the next message; a pass commits through
the request's Transaction. When a bound stops the request (steps, tokens,
cost, a call repeated with nothing changed, a full window) the change so
far is checked the same way: committed when the checks pass, put back when
they fail; the result names the bound either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from codeassist import prompts
from codeassist.agent.bounds import REPEAT_STOP, REPEAT_WARN, Bounds, compact, size
from codeassist.agent.result import ToolResult
from codeassist.agent.toolbox import Toolbox, ToolEnv
from codeassist.backends.base import Message, ToolCall, Usage
from codeassist.checks import CheckResult
from codeassist.commits import CommitFailed
from codeassist.errors import TaskFailed
from codeassist.run import Reply, RunOptions, RunResult, Status

if TYPE_CHECKING:
    from codeassist.context import BuiltContext


@dataclass(frozen=True)
class AgentParts:
    """What the loop needs from the session, and nothing more."""

    model: Callable[..., Reply]  # messages, tools=(), quiet=False -> the collected reply
    context: Callable[[RunOptions], BuiltContext]  # the first messages (the same context as classic mode)
    checks: Callable[[Sequence[str], Mapping[str, bytes | None]], list[CheckResult]]
    commit_message: Callable[[list[str]], str]  # changed paths -> the message (asks the model)
    usage: Callable[[], Usage]  # the request's usage so far
    count: Callable[[str], int]  # estimated tokens of a text
    budget: int  # the window minus the reply's reserve, in estimated tokens
    prompt_dirs: tuple[Path, ...]


class AgentLoop:
    def __init__(self, parts: AgentParts, env: ToolEnv, opts: RunOptions) -> None:
        self.p = parts
        self.env = env
        self.tx = env.tx
        self.opts = opts
        self.box = Toolbox(env)
        self.bounds = Bounds(env.policy)
        self.messages: list[Message] = []
        self.last_reply = ""
        self.checks: list[CheckResult] = []
        self.stop_reason: str | None = None
        self.read_only = env.policy.approval == "read-only"

    @property
    def steps(self) -> int:
        return self.bounds.steps

    # -- the loop ----------------------------------------------------------------
    def run(self) -> RunResult:
        try:
            return self._run()
        finally:
            self.box.close()

    def _run(self) -> RunResult:
        self.messages = self._first_messages(self.p.context(self.opts))
        while True:
            reason = self.stop_reason or self.bounds.reached(self.p.usage()) or self._make_room()
            if reason is not None:
                return self._stop(reason)
            self.bounds.steps += 1
            reply = self.p.model(self.messages, tools=self.env.tools)
            if reply.text.strip():
                self.last_reply = reply.text
            if not reply.tool_calls:
                self.messages.append(Message("assistant", reply.text))
                done = self._done()
                if done is not None:
                    return done
                continue
            self.messages.append(Message("assistant", reply.text, tool_calls=reply.tool_calls))
            for call in reply.tool_calls:
                result = self._answer(call)
                self.messages.append(Message("tool", result.text, tool_call_id=call.id))

    def _first_messages(self, built: BuiltContext) -> list[Message]:
        """The classic context with the agent's own system prompt (no ``NEED FILE``: the model reads files itself)."""
        level = "agent_level_read_only.md" if self.read_only else "agent_level_edit.md"
        # A space before the sentence, when there is one: it continues the line of the template.
        checks = "" if self.read_only else " " + prompts.render("agent_done_edit.md", self.p.prompt_dirs).strip()
        system = prompts.render(
            "agent.md", self.p.prompt_dirs,
            level=prompts.render(level, self.p.prompt_dirs).strip(), checks=checks, steps=self.env.policy.max_steps,
        )  # fmt: skip
        no_files = prompts.render("context_no_files.md", self.p.prompt_dirs)
        out = [Message("system", system)]
        rest = list(built.messages[1:])
        for i, m in enumerate(rest):
            if m.role == "user" and m.content == no_files and i + 1 < len(rest):
                del rest[i : i + 2]  # the classic "ask for files with NEED FILE" note and its acknowledgement
                break
        return out + rest

    def _make_room(self) -> str | None:
        self.messages, shortened = compact(self.messages, self.p.count, self.p.budget)
        if shortened:
            self.env.emit("history.compacted", results=shortened)
        if sum(size(m, self.p.count) for m in self.messages) > self.p.budget:
            return "the conversation no longer fits the model's context window"
        return None

    def _answer(self, call: ToolCall) -> ToolResult:
        emit = self.env.emit
        emit("tool.call", id=call.id, name=call.name, arguments=call.arguments, step=self.steps)
        seen = self.bounds.repeat(call, self.box.generation)
        if self.stop_reason is not None:
            result = ToolResult.error("not run: the request is stopping", "not run: stopping")
        elif seen >= REPEAT_STOP:
            self.stop_reason = f"the model repeated the same {call.name} call {seen} times with nothing changed"
            result = ToolResult.error("the same call again with nothing changed since; the request stops here")
        else:
            result = self.box.call(call)
            if seen >= REPEAT_WARN:
                note = "note: you made this exact call before and nothing was edited since, so the result is the same. "
                result = replace(result, text=note + "Do something else.\n" + result.text)
        emit("tool.result", id=call.id, name=call.name, ok=result.ok, summary=result.summary, chars=len(result.text))
        return result

    # -- endings -------------------------------------------------------------------
    def _done(self) -> RunResult | None:
        """The model says it is done: check and commit, or send the failure back (None: go on)."""
        if self.read_only:
            return self._result("success" if self.last_reply.strip() else "failed", self._no_answer())
        changed = self.tx.changed_paths()
        if not changed:
            self.tx.keep()
            return self._result("success" if self.last_reply.strip() else "failed", self._no_answer())
        failed = self._check(changed)
        if not failed:
            return self._commit(changed)
        first = failed[0]
        message = prompts.render(
            "agent_checks_failed.md", self.p.prompt_dirs, check=first.name, output=first.output.rstrip()
        )
        self.messages.append(Message("user", message))
        return None

    def _no_answer(self) -> tuple[str, ...]:
        return () if self.last_reply.strip() else ("the model ended without an answer or a change",)

    def _stop(self, reason: str) -> RunResult:
        """A bound stopped the request: keep a change that passes the checks, put back one that does not."""
        changed = [] if self.read_only else self.tx.changed_paths()
        if not changed:
            self.tx.keep()
            return self._result("failed", (f"stopped: {reason}",))
        failed = self._check(changed)
        if not failed:
            return self._commit(changed, (f"stopped: {reason}; the change so far passes the checks",))
        names = ", ".join(c.name for c in failed)
        restored = self.tx.restore()
        errors = [f"stopped: {reason}", f"checks fail on the change so far: {names}"]
        if restored:
            errors.append("put back as they were before the request: " + ", ".join(restored))
        return self._result("failed", tuple(errors + self.tx.notes))

    def _check(self, changed: list[str]) -> list[CheckResult]:
        self.checks = self.p.checks(changed, self.tx.originals)
        for check in self.checks:
            self.env.emit("check", **check.to_json())
        return [c for c in self.checks if not c.ok]

    def _commit(self, changed: list[str], notes: tuple[str, ...] = ()) -> RunResult:
        if not self.tx.policy.commit:
            result = self._result("success", notes, changed=tuple(changed))
            self.tx.keep(stage=True)
            return result
        message = self.p.commit_message(changed)
        try:
            sha = self.tx.commit(message)
        except CommitFailed as exc:
            return self._result("error", notes + (exc.message,), changed=tuple(changed), exit_code=exc.exit_code)
        self.env.emit("commit", sha=sha, message=message)
        return self._result("success", notes, changed=tuple(changed), commit=sha)

    def _result(
        self,
        status: Status,
        errors: tuple[str, ...] = (),
        *,
        changed: tuple[str, ...] = (),
        commit: str | None = None,
        exit_code: int | None = None,
    ) -> RunResult:
        code = exit_code if exit_code is not None else (0 if status == "success" else TaskFailed.exit_code)
        return RunResult(
            status, self.last_reply, files_changed=changed, commit=commit, rounds=self.steps,
            checks=tuple(self.checks), errors=errors, exit_code=code,
        )  # fmt: skip
