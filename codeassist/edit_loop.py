"""The rounds of one ``edit`` request: reply, apply, check, reflect, commit.

The loop works through narrow collaborators (:class:`LoopParts`: the model,
the context builder, the checks, the event sink, the file rule for what the
model asks to see) and one :class:`~codeassist.transaction.Transaction`,
which owns every write: it snapshots each file before its first change, saves
the user's own uncommitted work in it first, and puts everything back when
the request ends without a checked change (rounds exhausted, interrupted,
terminated, backend failure, any exception). Nothing is left half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.checks import CheckResult
from codeassist.commits import CommitFailed
from codeassist.edits.engine import parse
from codeassist.errors import BackendError, ContextTooLongError, TaskFailed
from codeassist.run import Reply, RunOptions, RunResult, Status

if TYPE_CHECKING:
    from codeassist.context import BuiltContext
    from codeassist.edits.engine import EngineResult
    from codeassist.edits.markup import FileLookup
    from codeassist.edits.types import Edit
    from codeassist.transaction import Review, Transaction

MAX_FILE_REQUESTS = 3


@dataclass(frozen=True)
class LoopParts:
    """What the loop needs from the session, and nothing more."""

    # messages, tools=(), quiet=False -> the collected reply
    model: Callable[..., Reply]
    # (request options, chat files, read-only files, history) -> the messages to send
    context: Callable[[RunOptions, Sequence[str], Sequence[str], Sequence[Message]], BuiltContext]
    # after the server refused a prompt as too long: True when a smaller one may be tried once
    shrink: Callable[[ContextTooLongError, BuiltContext], bool]
    # (changed paths, their contents before the request) -> check results, in order
    checks: Callable[[Sequence[str], Mapping[str, bytes | None]], list[CheckResult]]
    # an event for the interface: (type, fields)
    emit: Callable[..., None]
    # the files the model asked for that the file rule lets it see, as repository paths
    visible: Callable[[Sequence[str]], list[str]]
    # may these files join the chat? (the user's answer, or --yes)
    allow: Callable[[list[str]], bool]
    # the repository, to read names in a reply
    files: FileLookup
    prompt_dirs: tuple[Path, ...]
    edit_format: str
    max_rounds: int
    # the user's look at each planned change before it lands (the chat's review mode); None: no review
    review: Review | None = None


class EditLoop:
    def __init__(self, parts: LoopParts, change: Transaction, opts: RunOptions) -> None:
        self.p = parts
        self.tx = change
        self.opts = opts
        self.rounds = 0
        self.last_reply = ""
        self.history: list[Message] = list(opts.history)
        self.request = opts.request
        self.files: list[str] = list(opts.files)
        self.read_only: tuple[str, ...] = opts.read_only
        self.checks: list[CheckResult] = []
        self.dry_diffs: list[str] = []
        self._pinned = False
        self._summarized_at = -1
        self._reminded = False

    # -- the loop ----------------------------------------------------------------
    def run(self) -> RunResult:
        file_requests = 0
        while True:
            built = self.p.context(
                replace(self.opts, request=self.request, read_only=self.read_only), self.files, self.read_only,
                self.history,
            )  # fmt: skip
            if not self._pinned:  # every later round sees the files the first one chose
                self.files, self.read_only, self._pinned = list(built.files), built.read_only, True
            if built.needs_summary and self._summarize():
                continue  # the same round again, with the history summarised
            self.rounds += 1
            try:
                reply = self.p.model(built.messages, tools=self._tools())
            except ContextTooLongError as exc:
                if not self.p.shrink(exc, built):
                    raise
                self.rounds -= 1  # the same round again, with the droppable parts cut
                continue
            self.last_reply = reply.text
            edits, issues, _ = parse(reply.text, "auto", reply.tool_calls, self.p.files)
            wanted = self._wanted_files(reply) if not edits else []
            if wanted:
                if file_requests >= MAX_FILE_REQUESTS or not self.p.allow(wanted):
                    return self._fail(
                        f"the model asked for files not in the chat: {', '.join(wanted)}",
                        "add them with -f, or let codeassist add them with --yes",
                    )
                file_requests += 1
                self.rounds -= 1  # asking for a file is not a failed round
                self.files += [p for p in wanted if p not in self.files]
                self.read_only = tuple(p for p in self.read_only if p not in wanted)
                continue  # the same request again, now with the files in the chat
            if not edits and not issues and self._is_answer(reply):
                answered = self._answered(reply)
                if answered is not None:
                    return answered
                continue
            feedback = self._apply(edits, issues)
            if feedback is not None:
                if self.rounds > self.p.max_rounds:
                    return self._fail(f"the edits did not apply after {self.rounds} round(s)", feedback)
                self._reflect(reply.text, prompts.reflect_apply(feedback, self.p.prompt_dirs))
                continue
            if self.opts.dry_run:
                return self._succeed(commit=None)
            failed = self._check()
            if failed:
                if self.rounds > self.p.max_rounds:
                    names = ", ".join(c.name for c in failed)
                    return self._fail(f"checks still fail after {self.rounds} round(s): {names}")
                first = failed[0]
                self._reflect(reply.text, prompts.reflect_check(first.name, first.output, self.p.prompt_dirs))
                continue
            return self._commit()

    def _reflect(self, reply: str, message: str) -> None:
        """Move the exchange into history; ``message`` becomes the new last user message."""
        self.history += [Message("user", self.request), Message("assistant", reply)]
        self.request = message

    def _summarize(self) -> bool:
        """Replace the history by the model's summary of it; False when that is not possible."""
        if len(self.history) < 2 or self._summarized_at == len(self.history):
            return False
        transcript = "\n\n".join(f"{m.role}: {m.content}" for m in self.history)
        prompt = prompts.summarize_history_prompt(transcript, self.p.prompt_dirs)
        try:
            summary = self.p.model([Message("user", prompt)], quiet=True).text.strip()
        except BackendError:
            return False  # the context builder already dropped the oldest messages; go on without
        if not summary:
            return False
        self.history = [
            Message("user", "Summary of our conversation so far:\n\n" + summary),
            Message("assistant", "Understood. I will continue from there."),
        ]
        self._summarized_at = len(self.history)
        self.p.emit("history.summarized", chars=len(summary))
        return True

    def _check(self) -> list[CheckResult]:
        self.checks = self.p.checks(self.tx.changed_paths(), self.tx.originals)
        for check in self.checks:
            self.p.emit("check", **check.to_json())
        return [c for c in self.checks if not c.ok]

    def _tools(self) -> tuple[Any, ...]:
        if self.p.edit_format != "tool":
            return ()
        from codeassist.edits.tool import EDIT_TOOLS

        return tuple(EDIT_TOOLS)

    def _wanted_files(self, reply: Reply) -> list[str]:
        """Files the model asked for (that the file rule lets it see, not yet in the chat) in a reply without edits."""
        asked = [p for p in prompts.requested_files(reply.text) if p not in self.files]
        if not asked or reply.tool_calls:
            return []
        return [p for p in self.p.visible(asked) if p not in self.files]

    def _is_answer(self, reply: Reply) -> bool:
        """A prose reply (no edit, no file request) to a request that did not clearly ask for a change."""
        from codeassist.answers import looks_like_answer

        # Only a reply to the request itself (or to our reminder) can be its answer, not one to a reflection.
        if self.tx.originals or (self.request != self.opts.request and not self._reminded):
            return False
        if reply.tool_calls:
            return False
        return looks_like_answer(self.opts.request, reply.text)

    def _answered(self, reply: Reply) -> RunResult | None:
        """A prose answer: shown at once in the chat; in ``edit``, one short reminder, then a failure."""
        if self.opts.chat:
            return RunResult("success", reply.text, rounds=self.rounds)
        if not self._reminded:
            self._reminded = True
            self._reflect(reply.text, prompts.remind_edit(self.p.prompt_dirs))
            return None
        return RunResult(
            "failed",
            reply.text,
            rounds=self.rounds,
            errors=("the model answered without an edit: its answer is the reply (`codeassist ask` is for questions)",),
            exit_code=TaskFailed.exit_code,
        )

    # -- applying ----------------------------------------------------------------
    def _apply(self, edits: Sequence[Edit], issues: Sequence[Any]) -> str | None:
        """Land the reply's edits; None when they landed, else the message for the model."""
        from codeassist.edits.engine import EngineResult
        from codeassist.edits.parse import no_edits_issue

        if issues or not edits:
            found = tuple(issues) or (no_edits_issue(self.last_reply),)
            result = EngineResult(issues=found)
        else:
            result = self.tx.land(edits, dry_run=self.opts.dry_run, review=self.p.review)
        self._report(result)
        if result.ok:
            if self.opts.dry_run:
                self.dry_diffs.append(result.diff)
            return None
        return result.feedback()

    def _report(self, result: EngineResult) -> None:
        for a in result.applied:
            self.p.emit("edit.applied", path=a.path, action=a.action, strategy=a.strategy)
        for path in result.already_applied:
            self.p.emit("edit.applied", path=path, action="none", strategy="already-applied")
        for f in result.failed:
            self.p.emit("edit.failed", path=f.path, reason=f.reason)
        for issue in result.issues:
            self.p.emit("edit.failed", path=issue.path, reason=issue.message)
        for warning in result.warnings:
            self.p.emit("edit.warning", path=warning.path, message=warning.message)

    # -- endings ----------------------------------------------------------------
    def _fail(self, message: str, detail: str | None = None) -> RunResult:
        restored = self.tx.restore()
        errors = [message] + ([detail] if detail else [])
        if restored:
            errors.append("put back as they were before the request: " + ", ".join(restored))
        errors += self.tx.notes
        return RunResult(
            "failed",
            self.last_reply,
            rounds=self.rounds,
            checks=tuple(self.checks),
            errors=tuple(errors),
            exit_code=TaskFailed.exit_code,
        )

    def _succeed(self, *, commit: str | None, errors: tuple[str, ...] = (), exit_code: int = 0) -> RunResult:
        changed = () if self.opts.dry_run else tuple(self.tx.changed_paths())
        status: Status = "success" if exit_code == 0 else "error"
        return RunResult(
            status,
            self.last_reply,
            files_changed=changed,
            commit=commit,
            rounds=self.rounds,
            checks=tuple(self.checks),
            errors=errors,
            diff="".join(self.dry_diffs),
            exit_code=exit_code,
        )

    def _commit(self) -> RunResult:
        paths = self.tx.changed_paths()
        if not paths:
            self.tx.keep()
            return self._succeed(commit=None)  # everything was already applied
        if not self.tx.policy.commit:
            result = self._succeed(commit=None)
            self.tx.keep(stage=True)
            return result
        message = self._commit_message(paths)
        try:
            sha = self.tx.commit(message)
        except CommitFailed as exc:
            # The change is good; only the commit failed (a hook). Keep the files and say so.
            return self._succeed(commit=None, errors=(exc.message,), exit_code=exc.exit_code)
        self.p.emit("commit", sha=sha, message=message)
        return self._succeed(commit=sha)

    def _commit_message(self, paths: list[str]) -> str:
        return commit_message(self.p.model, self.tx, self.opts.request, self.p.prompt_dirs, paths)


def commit_message(
    model: Callable[..., Reply], tx: Transaction, request: str, dirs: tuple[Path, ...], paths: list[str]
) -> str:
    """The model's commit message for what ``tx`` changed in ``paths`` (a plain one when the model fails)."""
    from codeassist.edits.apply import render_diff
    from codeassist.edits.files import TextFile

    # The diff of what the request changed, from the snapshots taken before its first edit: no git
    # call, and no intent-to-add entries left in the user's index if the commit then fails.
    root = tx.ws.root
    files = {rel: replace(TextFile.load(root, rel), original=tx.originals[rel]) for rel in paths}
    diff = render_diff(files, paths)
    first_line = request.strip().splitlines()[0] if request.strip() else ""
    fallback = f"codeassist: {first_line[:60]}" if first_line else "codeassist: edit " + ", ".join(paths)[:60]
    prompt = prompts.commit_message_prompt(diff[:20000], request=request, dirs=dirs)
    try:
        reply = model([Message("user", prompt)], quiet=True)
    except BackendError:
        return fallback
    return clean_message(reply.text) or fallback


def clean_message(text: str) -> str:
    """A commit message from a model's reply: fences and quotes removed, subject of at most 100 characters."""
    text = text.strip()
    if text.startswith("```"):
        lines = text.splitlines()[1:]
        if lines and lines[-1].strip().startswith("```"):
            lines = lines[:-1]
        text = "\n".join(lines).strip()
    lines = text.splitlines()
    if not lines:
        return ""
    subject = lines[0].strip().strip('"').strip()[:100]
    body = "\n".join(lines[1:]).strip()
    return subject + ("\n\n" + body if body else "")
