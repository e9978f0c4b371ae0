"""A model's reply read into edits, and the value that says what became of them.

:func:`parse` reads a reply (text and tool calls) once into edits, with the
issues that stop it from being applied; :class:`EngineResult` reports what a
transaction (:mod:`codeassist.transaction`) did with them. Pure: no git, no
settings, no writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codeassist.edits.apply import Applied, ApplyResult, Failed, Warned, failure_message
from codeassist.edits.types import Edit, ParseIssue

if TYPE_CHECKING:
    from codeassist.backends.base import ToolCall
    from codeassist.edits.markup import FileLookup

# Far beyond any real reply; a bigger input is a mistake (a log, a binary), not edits.
MAX_REPLY_CHARS = 8_000_000
MAX_FILES_PER_REPLY = 2_000  # more than any real change; each file costs git calls to check


@dataclass(frozen=True)
class EngineResult:
    """What happened to a reply.

    ``ok``: every edit applied (or was already there) and nothing failed. The
    commit is separate: ``commit`` is its id, or None with ``commit_error``
    set when git (a hook) refused it; the edits are then written but not
    committed. ``user_commit``: the save of the user's own pending work (a
    commit, or a stash entry with commits off). ``feedback()`` is the text
    to send back to the model when the reply did not land.
    """

    applied: tuple[Applied, ...] = ()
    failed: tuple[Failed, ...] = ()
    issues: tuple[ParseIssue, ...] = ()
    already_applied: tuple[str, ...] = ()
    diff: str = ""
    changed: tuple[str, ...] = ()
    commit: str | None = None
    user_commit: str | None = None
    commit_error: str | None = None
    written: bool = False
    formats: tuple[str, ...] = ()
    message: str = ""
    warnings: tuple[Warned, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed and not self.issues and (bool(self.applied) or bool(self.already_applied))

    def feedback(self) -> str:
        """Text for the model when the reply did not land (empty when it did)."""
        if self.issues:
            lines = ["The reply could not be read, so no edit was applied and no file was changed:"]
            for issue in self.issues:
                where = f" (line {issue.line})" if issue.line else ""
                path = f"{issue.path}: " if issue.path else ""
                lines.append(f"- {path}{issue.message}{where}")
            return "\n".join(lines) + "\nSend the complete edits again.\n"
        if self.failed:
            result = ApplyResult(failed=self.failed, already_applied=self.already_applied)
            return failure_message(result)
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "applied": [{"path": a.path, "action": a.action, "strategy": a.strategy} for a in self.applied],
            "failed": [{"path": f.path, "reason": f.reason, "closest": f.closest} for f in self.failed],
            "issues": [{"message": i.message, "line": i.line, "path": i.path} for i in self.issues],
            "already_applied": list(self.already_applied),
            "changed": list(self.changed),
            "commit": self.commit,
            "user_commit": self.user_commit,
            "commit_error": self.commit_error,
            "written": self.written,
            "formats": list(self.formats),
            "warnings": [{"path": w.path, "message": w.message} for w in self.warnings],
        }


class ApplyInterrupted(KeyboardInterrupt):
    """An interrupt after the edits were written, before they were committed; ``result`` says what was done.

    A ``KeyboardInterrupt``, so callers that only stop still stop; one that
    reports (``apply --json``) reports the written, uncommitted change.
    """

    def __init__(self, result: EngineResult) -> None:
        super().__init__("interrupted")
        self.result = result


def parse(
    reply: str, fmt: str, tool_calls: Sequence[ToolCall], files: FileLookup | None = None
) -> tuple[list[Edit], list[ParseIssue], list[str]]:
    """Edits, issues and format names from the reply text and any tool calls (``files``: the repository's)."""
    from codeassist.edits.parse import parse_reply

    edits: list[Edit] = []
    issues: list[ParseIssue] = []
    formats: list[str] = []
    if len(reply) > MAX_REPLY_CHARS:
        mb = len(reply) / 1_000_000
        return [], [ParseIssue(f"the reply is too large to be edits ({mb:.1f} MB; the limit is 8 MB)")], []
    if "\0" in reply:
        return [], [ParseIssue("the reply contains NUL bytes; it is not text")], []
    called = None
    if tool_calls:
        from codeassist.edits.tool import edits_from_tool_calls

        called = edits_from_tool_calls(tool_calls)
    if reply.strip():
        parsed = parse_reply(reply, fmt=fmt, files=files, alongside=called.edits if called else ())
        edits += parsed.edits
        issues += parsed.issues
        formats += parsed.formats
    if called is not None:
        edits += called.edits
        issues += called.issues
        formats += [f for f in called.formats if f not in formats]
    touched = len({e.path for e in edits})
    if touched > MAX_FILES_PER_REPLY:
        # Each file is checked against the repository (git check-ignore, links) before anything is
        # written: a hostile reply naming a million files would take hours to refuse edit by edit.
        issue = ParseIssue(f"the reply edits {touched:,} files; at most {MAX_FILES_PER_REPLY:,} are applied at once")
        return [], [issue], formats
    return edits, issues, formats


def summary_message(applied: Sequence[Applied], changed: Sequence[str]) -> str:
    """A deterministic commit message when the caller gives none."""
    verbs = {"create": "Create", "write": "Rewrite", "delete": "Delete", "rename": "Rename", "append": "Extend"}
    actions = {a.action for a in applied}
    verb = verbs[actions.pop()] if len(actions) == 1 and next(iter(actions)) in verbs else "Edit"
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    subject = f"codeassist: {verb} {shown}"
    body = "\n".join(f"- {a.action} {a.path} ({a.strategy})" for a in applied)
    return f"{subject}\n\n{body}\n"
