"""The rounds of one ``edit`` request: reply, apply, check, reflect, commit.

Every file the loop touches is snapshotted before its first change, so a
request that ends without a checked change (rounds exhausted, interrupted,
backend failure) puts those files back exactly as they were: nothing is
left half-written. Before an edit lands on a file with the user's own
uncommitted changes, those are committed as the user's ("save" commit, the
same one ``codeassist apply`` makes); a request that fails takes that save
back too, so the repository ends exactly as it started.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.checks import CheckResult, run_checks
from codeassist.errors import BackendError, CodeassistError, GitError, TaskFailed

if TYPE_CHECKING:
    from codeassist.edits.engine import EngineResult
    from codeassist.session import RunOptions, RunResult, Session, Status, _Reply

MAX_FILE_REQUESTS = 3


class EditLoop:
    def __init__(self, session: Session, opts: RunOptions) -> None:
        self.s = session
        self.opts = opts
        self.rounds = 0
        self.last_reply = ""
        self.history: list[Message] = list(opts.history)
        self.request = opts.request
        self.files: list[str] = list(opts.files)
        self.read_only: tuple[str, ...] = opts.read_only
        self.originals: dict[str, bytes | None] = {}
        self.prior_index: list[str] = []
        self.saves: list[str] = []
        self.checks: list[CheckResult] = []
        self.dry_diffs: list[str] = []
        self._pinned = False
        self._summarized_at = -1

    @property
    def committing(self) -> bool:
        return self.opts.commit and bool(self.s.settings.auto_commit) and not self.opts.dry_run

    # -- the loop ----------------------------------------------------------------
    def run(self) -> RunResult:
        file_requests = 0
        while True:
            built = self.s._context(
                replace(self.opts, request=self.request, read_only=self.read_only), self.files, self.history
            )
            if not self._pinned:  # every later round sees the files the first one chose
                self.files, self.read_only, self._pinned = list(built.files), built.read_only, True
            if built.needs_summary and self._summarize():
                continue  # the same round again, with the history summarised
            self.rounds += 1
            reply = self.s._stream(built.messages, tools=self._tools())
            self.last_reply = reply.text
            wanted = self._wanted_files(reply)
            if wanted:
                if file_requests >= MAX_FILE_REQUESTS or not self._allow(wanted):
                    return self._fail(
                        f"the model asked for files not in the chat: {', '.join(wanted)}",
                        "add them with -f, or let codeassist add them with --yes",
                    )
                file_requests += 1
                self.rounds -= 1  # asking for a file is not a failed round
                self.files += [p for p in wanted if p not in self.files]
                self.read_only = tuple(p for p in self.read_only if p not in wanted)
                continue  # the same request again, now with the files in the chat
            feedback = self._apply(reply)
            if feedback is not None:
                if self.rounds > self.opts.max_rounds:
                    return self._fail(f"the edits did not apply after {self.rounds} round(s)", feedback)
                self._reflect(reply.text, prompts.reflect_apply(feedback, self.s.prompt_dirs))
                continue
            if self.opts.dry_run:
                return self._succeed(commit=None)
            failed = self._check()
            if failed:
                if self.rounds > self.opts.max_rounds:
                    names = ", ".join(c.name for c in failed)
                    return self._fail(f"checks still fail after {self.rounds} round(s): {names}")
                first = failed[0]
                self._reflect(reply.text, prompts.reflect_check(first.name, first.output, self.s.prompt_dirs))
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
        prompt = prompts.summarize_history_prompt(transcript, self.s.prompt_dirs)
        try:
            summary = self.s._stream([Message("user", prompt)], quiet=True).text.strip()
        except BackendError:
            return False  # the context builder already dropped the oldest messages; go on without
        if not summary:
            return False
        self.history = [
            Message("user", "Summary of our conversation so far:\n\n" + summary),
            Message("assistant", "Understood. I will continue from there."),
        ]
        self._summarized_at = len(self.history)
        self.s._emit("history.summarized", chars=len(summary))
        return True

    def _check(self) -> list[CheckResult]:
        settings = self.s.settings
        self.checks = run_checks(
            self.s.root,
            self.changed_paths(),
            lint_cmd=settings.lint_cmd,
            test_cmd=settings.test_cmd,
            environ=self.s._environ,
            before=self.originals,
        )
        for check in self.checks:
            self.s._emit("check", **check.to_json())
        return [c for c in self.checks if not c.ok]

    def _tools(self) -> tuple[Any, ...]:
        if self.opts.edit_format != "tool":
            return ()
        from codeassist.edits.tool import EDIT_TOOLS

        return tuple(EDIT_TOOLS)

    def _wanted_files(self, reply: _Reply) -> list[str]:
        """Files the model asked for (existing, not yet in the chat) when its reply has no edits."""
        from codeassist.edits.parse import parse_reply

        asked = [p for p in prompts.requested_files(reply.text) if p not in self.files]
        if not asked or reply.tool_calls or parse_reply(reply.text).edits:
            return []
        root = self.s.root.resolve()
        existing = []
        for rel in asked:
            target = (root / rel).resolve()
            if target.is_file() and target.is_relative_to(root) and ".git" not in Path(rel).parts:
                existing.append(target.relative_to(root).as_posix())
        return existing

    def _allow(self, wanted: list[str]) -> bool:
        if self.opts.auto_add_files or self.s.settings.auto_add_files:
            return True
        return self.s._confirm_files is not None and self.s._confirm_files(wanted)

    # -- applying ----------------------------------------------------------------
    def _apply(self, reply: _Reply) -> str | None:
        """Apply the reply's edits; None when they landed, else the message for the model."""
        from codeassist.edits.engine import apply_reply

        result = apply_reply(
            self.s.root,
            reply.text,
            fmt="auto",
            tool_calls=reply.tool_calls,
            dry_run=self.opts.dry_run,
            commit=False,
            model=self.s.info.name,
            settings=self.s.settings,
            before_write=self._before_first_touch,
        )
        self._report(result)
        if result.ok:
            if self.opts.dry_run:
                self.dry_diffs.append(result.diff)
            return None
        return result.feedback()

    def _report(self, result: EngineResult) -> None:
        for a in result.applied:
            self.s._emit("edit.applied", path=a.path, action=a.action, strategy=a.strategy)
        for path in result.already_applied:
            self.s._emit("edit.applied", path=path, action="none", strategy="already-applied")
        for f in result.failed:
            self.s._emit("edit.failed", path=f.path, reason=f.reason)
        for issue in result.issues:
            self.s._emit("edit.failed", path=issue.path, reason=issue.message)

    def _before_first_touch(self, paths: list[str]) -> None:
        """Snapshot files the loop has not touched yet, and save the user's pending work in them."""
        from codeassist.git import dirty_paths, index_entries

        new = [p for p in paths if p not in self.originals]
        for rel in new:
            file = self.s.root / rel
            self.originals[rel] = file.read_bytes() if file.is_file() else None
        if not new or not self.committing:
            return  # without commits the engine keeps the user's versions in the stash list
        self.prior_index += index_entries(self.s.root, new)
        dirty = dirty_paths(self.s.root, new)
        if not dirty:
            return
        if not self.s.settings.commit_dirty:
            raise TaskFailed(
                "these files have uncommitted changes: " + ", ".join(dirty),
                hint="commit or stash them first, or set commit_dirty = true",
            )
        from codeassist.commits import commit_paths, save_message

        self.saves.append(
            commit_paths(
                self.s.root,
                dirty,
                save_message(dirty),
                attribution=False,
                verify=bool(self.s.settings.verify_hooks),
                kind="save",
                prior_index=index_entries(self.s.root, dirty),
            )
        )

    def changed_paths(self) -> list[str]:
        out = []
        for rel, original in sorted(self.originals.items()):
            file = self.s.root / rel
            if (file.read_bytes() if file.is_file() else None) != original:
                out.append(rel)
        return out

    def restore(self) -> list[str]:
        """Put every touched file back as it was before the request, and take back our save commits."""
        restored = []
        for rel in self.changed_paths():
            file = self.s.root / rel
            original = self.originals[rel]
            if original is None:
                file.unlink(missing_ok=True)
            else:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(original)
            restored.append(rel)
        from codeassist.commits import undo_last
        from codeassist.git import head_sha

        for sha in reversed(self.saves):
            if head_sha(self.s.root) != sha:
                break  # someone committed on top: leave the save, the user's work is in it
            try:
                undo_last(self.s.root)
            except CodeassistError:
                break
        self.saves = []
        return restored

    # -- endings ----------------------------------------------------------------
    def _fail(self, message: str, detail: str | None = None) -> RunResult:
        from codeassist.session import RunResult

        restored = self.restore()
        errors = [message] + ([detail] if detail else [])
        if restored:
            errors.append("put back as they were before the request: " + ", ".join(restored))
        return RunResult(
            "failed",
            self.last_reply,
            rounds=self.rounds,
            checks=tuple(self.checks),
            errors=tuple(errors),
            exit_code=TaskFailed.exit_code,
        )

    def _succeed(self, *, commit: str | None, errors: tuple[str, ...] = (), exit_code: int = 0) -> RunResult:
        from codeassist.session import RunResult

        changed = () if self.opts.dry_run else tuple(self.changed_paths())
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
        from codeassist import git
        from codeassist.commits import commit_paths

        paths = self.changed_paths()
        if not paths:
            return self._succeed(commit=None)  # everything was already applied
        if not self.committing:
            git.run_git(self.s.root, "add", "-A", "--", *paths, literal_paths=True)
            return self._succeed(commit=None)
        message = self._commit_message(paths)
        settings = self.s.settings
        try:
            sha = commit_paths(
                self.s.root,
                paths,
                message,
                model=self.s.info.name,
                attribution=bool(settings.attribution),
                verify=bool(settings.verify_hooks),
                prior_index=self.prior_index,
                save_commit=self.saves[-1] if self.saves else None,
            )
        except GitError as exc:
            # The change is good; only the commit failed (a hook, a lock). Keep the files and say so.
            return self._succeed(commit=None, errors=(exc.message,), exit_code=exc.exit_code)
        self.s._emit("commit", sha=sha, message=message)
        return self._succeed(commit=sha)

    def _commit_message(self, paths: list[str]) -> str:
        from codeassist.edits.apply import render_diff
        from codeassist.edits.files import TextFile

        # The diff of what the request changed, from the snapshots taken before its first edit: no git
        # call, and no intent-to-add entries left in the user's index if the commit then fails.
        files = {rel: replace(TextFile.load(self.s.root, rel), original=self.originals[rel]) for rel in paths}
        diff = render_diff(files, paths)
        first_line = self.opts.request.strip().splitlines()[0] if self.opts.request.strip() else ""
        fallback = f"codeassist: {first_line[:60]}" if first_line else "codeassist: edit " + ", ".join(paths)[:60]
        prompt = prompts.commit_message_prompt(diff[:20000], request=self.opts.request, dirs=self.s.prompt_dirs)
        try:
            reply = self.s._stream([Message("user", prompt)], quiet=True)
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
