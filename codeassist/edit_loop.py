"""The rounds of one ``edit`` request: reply, apply, check, reflect, commit.

Every file the loop touches is snapshotted before its first change, so a
request that ends without a checked change (rounds exhausted, interrupted,
backend failure) puts those files back exactly as they were: nothing is
left half-written. The user's own pending changes are saved by the edit
engine before any edit lands on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.backends.base import Message
from codeassist.checks import CheckResult, run_checks
from codeassist.errors import BackendError, GitError, TaskFailed

if TYPE_CHECKING:
    from codeassist.session import RunOptions, RunResult, Session, Status, _Reply

MAX_FILE_REQUESTS = 3


class EditLoop:
    def __init__(self, session: Session, opts: RunOptions) -> None:
        self.s = session
        self.opts = opts
        self.rounds = 0
        self.last_reply = ""
        self.history: list[Message] = []
        self.request = opts.request
        self.files: list[str] = list(opts.files)
        self.read_only: tuple[str, ...] = opts.read_only
        self.originals: dict[str, bytes | None] = {}
        self.checks: list[CheckResult] = []
        self.errors: list[str] = []
        self.dry_diffs: list[str] = []
        self._pinned = False

    # -- helpers ---------------------------------------------------------------
    def _opts_for_round(self) -> RunOptions:
        from dataclasses import replace

        return replace(self.opts, request=self.request, read_only=self.read_only)

    def _reflect(self, reply: str, template: str, **variables: Any) -> None:
        """Move the exchange into history; the reflection becomes the new last message."""
        from codeassist.prompts import render

        self.history += [Message("user", self.request), Message("assistant", reply)]
        self.request = render(template, root=self.s.root, user_dir=self.s._user_prompt_dir, **variables)

    def _snapshot(self, paths: list[str]) -> None:
        for rel in paths:
            if rel in self.originals:
                continue
            file = self.s.root / rel
            self.originals[rel] = file.read_bytes() if file.is_file() else None

    def restore(self) -> list[str]:
        """Put every touched file back as it was before the loop; returns the paths restored."""
        restored = []
        for rel, original in sorted(self.originals.items()):
            file = self.s.root / rel
            current = file.read_bytes() if file.is_file() else None
            if current == original:
                continue
            if original is None:
                file.unlink(missing_ok=True)
            else:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(original)
            restored.append(rel)
        return restored

    def changed_paths(self) -> list[str]:
        out = []
        for rel, original in sorted(self.originals.items()):
            file = self.s.root / rel
            current = file.read_bytes() if file.is_file() else None
            if current != original:
                out.append(rel)
        return out

    # -- the loop ----------------------------------------------------------------
    def run(self) -> RunResult:
        file_requests = 0
        while True:
            built = self.s._context(self._opts_for_round(), self.files, self.history)
            if not self._pinned:  # keep the first round's file choice for every later round
                self.files, self.read_only, self._pinned = list(built.files), built.read_only, True
            self.rounds += 1
            reply = self.s._stream(built.messages, tools=self._tools())
            self.last_reply = reply.text
            wanted = self._wanted_files(reply)
            if wanted is not None:
                if file_requests >= MAX_FILE_REQUESTS or not self._allow(wanted):
                    return self._fail(
                        f"the model asked for files not in the chat: {', '.join(wanted)}; "
                        "add them with -f or allow it with --yes"
                    )
                file_requests += 1
                self.rounds -= 1  # asking for a file is not a failed round
                self.files += [p for p in wanted if p not in self.files]
                self.read_only = tuple(p for p in self.read_only if p not in wanted)
                self._reflect(reply.text, "files_added", files="\n".join(wanted))
                continue
            outcome = self._apply(reply)
            if outcome is not None:  # the edits did not apply
                if self.rounds > self.opts.max_rounds:
                    return self._fail(f"the edits did not apply after {self.rounds} rounds", outcome)
                self._reflect(reply.text, "reflect_apply", failures=outcome)
                continue
            if self.opts.dry_run:
                return self._succeed(commit=None)
            checks = run_checks(
                self.s.root,
                self.changed_paths(),
                lint_cmd=self.s.settings.lint_cmd,
                test_cmd=self.s.settings.test_cmd,
                environ=self.s._environ,
            )
            for check in checks:
                self.s._emit("check", **check.to_json())
            self.checks = checks
            failed = [c for c in checks if not c.ok]
            if failed:
                if self.rounds > self.opts.max_rounds:
                    return self._fail(
                        f"checks still fail after {self.rounds} rounds: " + ", ".join(c.name for c in failed)
                    )
                report = "\n\n".join(
                    f"## {c.name}" + (f" (`{c.command}`)" if c.command else "") + f"\n{c.output}" for c in failed
                )
                self._reflect(reply.text, "reflect_check", checks=report)
                continue
            return self._commit()

    def _tools(self) -> tuple[Any, ...]:
        if self.opts.edit_format != "tool":
            return ()
        from codeassist.edits.tool import EDIT_TOOLS

        return tuple(EDIT_TOOLS)

    def _wanted_files(self, reply: _Reply) -> list[str] | None:
        """Files the model asked for (existing, not yet in the chat), when the reply has no edits."""
        from codeassist.context import requested_files
        from codeassist.edits.parse import parse_reply

        asked = [p for p in requested_files(reply.text) if p not in self.files]
        if not asked or reply.tool_calls or parse_reply(reply.text).edits:
            return None
        root = self.s.root.resolve()
        existing = []
        for rel in asked:
            target = (root / rel).resolve()
            if target.is_file() and target.is_relative_to(root) and ".git" not in Path(rel).parts:
                existing.append(target.relative_to(root).as_posix())
        return existing or None

    def _allow(self, wanted: list[str]) -> bool:
        if self.opts.auto_add_files or self.s.settings.auto_add_files:
            return True
        if self.s._confirm_files is not None:
            return self.s._confirm_files(wanted)
        return False

    def _apply(self, reply: _Reply) -> str | None:
        """Apply the reply's edits; None when they landed, else the message for the model."""
        from codeassist.edits.engine import apply_reply

        common: dict[str, Any] = dict(
            fmt="auto", tool_calls=reply.tool_calls, commit=False, model=self.s.info.name, settings=self.s.settings
        )
        preview = apply_reply(self.s.root, reply.text, dry_run=True, **common)
        if preview.ok and not self.opts.dry_run:
            self._snapshot(list(preview.changed))
            result = apply_reply(self.s.root, reply.text, dry_run=False, **common)
        else:
            result = preview
        for a in result.applied:
            self.s._emit("edit.applied", path=a.path, action=a.action, strategy=a.strategy)
        for f in result.failed:
            self.s._emit("edit.failed", path=f.path, reason=f.reason)
        for issue in result.issues:
            self.s._emit("edit.failed", path=issue.path, reason=issue.message)
        if result.ok and not result.applied and not result.already_applied:
            self.s._emit("edit.failed", path=None, reason="no edits found in the reply")
            return "Your reply contained no edits I could find. Reply with edits in the requested format."
        if result.ok:
            if self.opts.dry_run:
                self.dry_diffs.append(result.diff)
            return None
        from codeassist.edits.engine import failure_message

        return failure_message(result)

    # -- endings ----------------------------------------------------------------
    def _fail(self, message: str, detail: str | None = None) -> RunResult:
        from codeassist.session import RunResult

        restored = self.restore()
        errors = [message]
        if detail:
            errors.append(detail)
        if restored:
            errors.append("restored to their state before the request: " + ", ".join(restored))
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

        changed = tuple(self.changed_paths()) if not self.opts.dry_run else ()
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

        paths = self.changed_paths()
        if not paths:
            return self._succeed(commit=None)
        if not self.opts.commit or not self.s.settings.auto_commit:
            git.run_git(self.s.root, "add", "-A", "--", *paths)
            return self._succeed(commit=None)
        message = self._commit_message(paths)
        try:
            sha = git.commit_paths(
                self.s.root,
                paths,
                message,
                model=self.s.info.name,
                attribution=self.s.settings.attribution,
                verify=self.s.settings.verify_hooks,
            )
        except GitError as exc:
            # The change is good; only the commit failed (a hook, a lock). Keep the files, say so.
            return self._succeed(
                commit=None,
                errors=(f"{exc.message}; the changes are applied but not committed",),
                exit_code=exc.exit_code,
            )
        self.s._emit("commit", sha=sha, message=message)
        return self._succeed(commit=sha)

    def _commit_message(self, paths: list[str]) -> str:
        from codeassist import git
        from codeassist.prompts import render

        diff = git.run_git(self.s.root, "diff", "HEAD", "--", *paths, check=False).stdout.decode("utf-8", "replace")
        untracked = [p for p in paths if self.originals.get(p) is None]
        fallback = (
            "codeassist: " + self.opts.request.strip().splitlines()[0][:60]
            if self.opts.request.strip()
            else "codeassist: edit " + ", ".join(paths)[:60]
        )
        prompt = render(
            "commit_message",
            root=self.s.root,
            user_dir=self.s._user_prompt_dir,
            request=self.opts.request,
            diff=diff[:20000],
            new_files="\n".join(untracked) or "(none)",
        )
        try:
            reply = self.s._stream([Message("user", prompt)], quiet=True)
        except BackendError:
            return fallback
        return _clean_message(reply.text) or fallback


def _clean_message(text: str) -> str:
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
