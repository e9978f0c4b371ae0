"""From a model's reply to committed edits: parse, protect the user's work, apply, commit.

:func:`apply_reply` is the one entry the ``apply`` command and the edit loop
use. It never writes anything when the reply cannot be read completely or any
edit fails, and it never overwrites the user's uncommitted work: a file with
pending changes is first committed as the user's own ("save") commit, or the
apply is refused when ``commit_dirty`` is off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.edits.apply import (
    Applied,
    ApplyResult,
    Failed,
    Plan,
    Warned,
    failure_message,
    plan_edits,
    write_plan,
)
from codeassist.edits.paths import PathResolver
from codeassist.edits.types import Edit, ParseIssue
from codeassist.errors import GitError, TaskFailed

if TYPE_CHECKING:
    from codeassist.backends.base import ToolCall
    from codeassist.config import Settings
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


@dataclass(frozen=True)
class _Options:
    commit_dirty: bool = True
    attribution: bool = True
    verify: bool = True


def _options(settings: Settings | None) -> _Options:
    if settings is None:
        return _Options()
    return _Options(bool(settings.commit_dirty), bool(settings.attribution), bool(settings.verify_hooks))


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


def apply_reply(
    root: Path,
    reply: str,
    *,
    fmt: str = "auto",
    tool_calls: Sequence[ToolCall] = (),
    dry_run: bool = False,
    commit: bool = True,
    message: str | None = None,
    model: str | None = None,
    settings: Settings | None = None,
    before_write: Callable[[list[str]], None] | None = None,
) -> EngineResult:
    """Parse ``reply``, apply every edit or none, and commit what was applied.

    Raises :class:`GitError` outside a repository or with a locked index, and
    :class:`TaskFailed` when a dirty file would need saving but
    ``commit_dirty`` is off. A rejected commit (a hook) is not raised: the
    result carries ``commit_error`` and the applied, uncommitted change.
    """
    root = _repo_root(root)
    edits, issues, formats = parse(reply, fmt, tool_calls, PathResolver(root))
    if issues:
        return EngineResult(issues=tuple(issues), formats=tuple(formats))
    if not edits:
        from codeassist.edits.parse import no_edits_issue

        return EngineResult(issues=(no_edits_issue(reply),), formats=tuple(formats))
    result = land_edits(
        root, edits, dry_run=dry_run, commit=commit, message=message, model=model, settings=settings,
        before_write=before_write,
    )
    return replace(result, formats=tuple(formats))


def land_edits(
    root: Path,
    edits: Sequence[Edit],
    *,
    dry_run: bool = False,
    commit: bool = True,
    message: str | None = None,
    model: str | None = None,
    settings: Settings | None = None,
    before_write: Callable[[list[str]], None] | None = None,
) -> EngineResult:
    """Apply already-parsed ``edits`` (all or none), saving the user's work first, then commit.

    ``before_write`` is called with the paths about to change once every edit
    has resolved, just before anything is saved or written (the edit loop
    snapshots those files there and saves the user's work in them); an error
    it raises leaves every file untouched.
    """
    from codeassist.git import check_not_locked

    root = _repo_root(root)
    opts = _options(settings)
    plan = plan_edits(root, edits)
    result = plan.result()
    base = EngineResult(
        result.applied, result.failed, (), result.already_applied, result.diff, result.changed,
        warnings=result.warnings,
    )  # fmt: skip
    if not result.ok or dry_run or not result.changed:
        return base
    check_not_locked(root)
    if before_write is not None:
        before_write(list(result.changed))
    user_commit, prior = _protect_user_work(root, plan, list(result.changed), commit, opts)
    write_plan(plan)
    written = replace(base, written=True, user_commit=user_commit)
    if not commit:
        return written
    msg = message or summary_message(result.applied, result.changed)
    try:
        sha = _commit(root, list(result.changed), msg, model, opts, prior, user_commit)
    except GitError as exc:
        return replace(written, commit_error=exc.message, message=msg)
    except KeyboardInterrupt as exc:
        raise ApplyInterrupted(replace(written, message=msg)) from exc
    return replace(written, commit=sha, message=msg)


def _repo_root(root: Path) -> Path:
    """The work tree root; a directory holding ``.git`` is one, without asking git (a subprocess)."""
    from codeassist.git import require_repo

    if (root / ".git").exists():
        return root.resolve()
    return require_repo(root)


def _commit(
    root: Path, paths: list[str], msg: str, model: str | None, opts: _Options, prior: list[str], save: str | None
) -> str:
    from codeassist.commits import commit_paths

    return commit_paths(
        root,
        paths,
        msg,
        model=model,
        attribution=opts.attribution,
        verify=opts.verify,
        prior_index=prior,
        save_commit=save,
    )


def _protect_user_work(
    root: Path, plan: Plan, changed: list[str], commit: bool, opts: _Options
) -> tuple[str | None, list[str]]:
    """Save (or refuse to touch) files with uncommitted changes; returns (save commit, prior index).

    With commits on, the save is a commit of the user's own; with commits off,
    a stash entry (``git stash list``), reported in ``user_commit`` too.
    """
    from codeassist.commits import commit_paths, keep_staged, save_message
    from codeassist.git import dirty_paths, index_entries, stash_backup

    prior = index_entries(root, changed)
    dirty = dirty_paths(root, changed)
    if not dirty:
        return None, prior
    if not commit:
        # Nothing may be committed, so the user's versions go to the stash list (work tree untouched).
        untracked = set(dirty) - {e.split("\t", 1)[1] for e in prior}
        clobbered = [a.path for a in plan.applied if a.action in ("write", "delete") and a.path in untracked]
        if clobbered:
            raise TaskFailed(
                "refusing to overwrite files git does not track yet: " + ", ".join(sorted(set(clobbered))),
                hint="add or commit them first, or apply with commits on so they are saved",
            )
        return stash_backup(root, "codeassist: your uncommitted changes before apply --no-commit"), prior
    if not opts.commit_dirty:
        raise TaskFailed(
            "these files have uncommitted changes: " + ", ".join(dirty),
            hint="commit or stash them first, or set commit_dirty = true to let codeassist save them",
        )
    keep_staged(root, dirty)
    sha = commit_paths(
        root,
        dirty,
        save_message(dirty),
        attribution=False,
        verify=opts.verify,
        kind="save",
        prior_index=index_entries(root, dirty),
    )
    return sha, prior
