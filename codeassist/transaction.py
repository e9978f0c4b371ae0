"""Changing the work tree all-or-nothing: lock, snapshot, save the user's work, write, commit or restore.

A :class:`Transaction` is how anything lands in a repository (``apply``, each
round of ``edit``, the chat). Inside ``with Transaction(ws, policy) as tx``:

1. :meth:`Transaction.land` takes the repository lock (a second codeassist
   waits a bounded time, then stops with a clear message), plans the edits
   against the files as they are *now*, snapshots every file it is about to
   touch for the first time, saves the user's uncommitted work in them (a
   commit of the user's own, or with commits off a ``git stash`` entry), and
   writes;
2. :meth:`Transaction.commit` commits what changed (the user's hooks run);
   :meth:`Transaction.keep` keeps the change uncommitted;
3. anything else, including any exception, Ctrl-C, SIGTERM or SIGHUP (see
   :mod:`codeassist.signals`), runs :meth:`Transaction.restore`: every touched
   file is put back byte for byte, with its permission bits, and the save
   commits are taken back, so the repository is exactly as before. What cannot
   be taken back (someone committed on top of a save) is named in
   :attr:`Transaction.notes`.

Files are read and put back through :mod:`codeassist.safe_files`: never
through a symbolic link a command left in a file's (or a directory's) place,
and never half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from codeassist.commits import CommitFailed
from codeassist.edits.apply import plan_edits, write_plan
from codeassist.edits.engine import ApplyInterrupted, EngineResult, parse, summary_message
from codeassist.edits.files import TextFile
from codeassist.edits.hunks import Proposed
from codeassist.edits.parse import no_edits_issue
from codeassist.errors import CodeassistError, GitError, TaskFailed
from codeassist.safe_files import FileState, git_mode, read_state, write_state
from codeassist.signals import TerminationGuard

if TYPE_CHECKING:
    from codeassist.backends.base import ToolCall
    from codeassist.edits.apply import Plan
    from codeassist.edits.types import Edit
    from codeassist.workspace import Workspace


@dataclass(frozen=True)
class CommitPolicy:
    """How changes are recorded: commit them, save the user's pending work first, run hooks, attribute."""

    commit: bool = True
    commit_dirty: bool = True
    verify: bool = True
    attribution: bool = True
    model: str | None = None


# The planned change, file by file -> the text to write for each (``before`` drops it, None deletes).
Review = Callable[[Sequence[Proposed]], Mapping[str, "str | None"]]


def keep_reviewed(plan: Plan, review: Review) -> None:
    """Let ``review`` cut the planned change down to what it keeps, before anything is written."""
    changed = plan.changed()
    if not changed:
        return
    proposed = []
    for rel in changed:
        f = plan.files[rel]
        before = TextFile.load(plan.root, rel).text if f.original is not None else None
        proposed.append(Proposed(rel, before, f.text))
    kept = review(proposed)
    for p in proposed:
        plan.files[p.path].text = kept.get(p.path, p.after)
    # The edits still count as applied (they matched): dropping them is the user's answer, not a failed
    # round to reflect on; with nothing kept, the request ends with no change.


class Transaction:
    """See the module docstring."""

    def __init__(self, ws: Workspace, policy: CommitPolicy) -> None:
        self.ws = ws
        self.policy = policy
        self.originals: dict[str, bytes | None] = {}
        self.modes: dict[str, int] = {}  # the permission bits of each original that existed
        self.prior_index: list[str] = []
        self.saves: list[str] = []  # save commits of the user's work, oldest first
        self.stash: str | None = None
        self.notes: list[str] = []
        self.restored: list[str] = []  # what the last restore put back
        self.done = False
        self._guard = TerminationGuard()

    # -- the context ---------------------------------------------------------------
    def __enter__(self) -> Transaction:
        self._guard.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self.done and (kind is not None or self.originals or self.saves):
                with self._guard.deferred():
                    self.restore()
                if isinstance(exc, CodeassistError) and self.notes:
                    exc.message += "; " + "; ".join(self.notes)  # what could not be taken back
                if kind is not None:
                    self._guard.discard_pending()  # already unwinding for a signal or an error
        finally:
            self.ws.lock.release()
            self._guard.__exit__()
            self.ws.forget_listing()

    # -- landing ---------------------------------------------------------------------
    def land(self, edits: Sequence[Edit], *, dry_run: bool = False, review: Review | None = None) -> EngineResult:
        """Plan ``edits`` under the lock and write them all, or nothing (see the module docstring).

        ``review`` sees the planned change before anything is written and
        says what to keep of each file (see :func:`keep_reviewed`); what it
        drops never touches the disk. Raises GitError (another codeassist,
        git's index lock, a failed save) and TaskFailed (a dirty file with
        ``commit_dirty`` off) before writing.
        """
        if self.ws.lock.acquire():
            self.ws.forget_listing()  # another codeassist changed the files while this one waited
        plan = plan_edits(self.ws, edits)
        if review is not None and not dry_run and not plan.failed:
            keep_reviewed(plan, review)
        result = plan.result()
        base = EngineResult(
            result.applied, result.failed, (), result.already_applied, result.diff, result.changed,
            warnings=result.warnings,
        )  # fmt: skip
        if not result.ok or dry_run or not result.changed:
            return base
        self.ws.check_not_locked()
        changed = list(result.changed)
        # Only files this transaction has not touched yet can hold the user's own work: a file an
        # earlier edit (or command) of the request changed holds the request's change, not the user's.
        fresh = [p for p in changed if p not in self.originals]
        self._snapshot(changed)
        user_commit = self._protect_user_work(plan, fresh)
        write_plan(plan)  # a full disk: what it wrote is put back, and the exception restores the rest
        self.ws.forget_listing()
        return replace(base, written=True, user_commit=user_commit)

    def _snapshot(self, paths: list[str]) -> None:
        new = [p for p in paths if p not in self.originals]
        for rel in new:
            self._remember(rel, read_state(self.ws.root, rel))
        if self.policy.commit:
            self.prior_index += self.ws.index_entries(new)

    def _protect_user_work(self, plan: Plan, changed: list[str]) -> str | None:
        """Save (or refuse to touch) files with uncommitted changes; returns the save commit or stash entry."""
        dirty = self.ws.dirty_paths(changed)
        if not dirty:
            return None
        written = {a.path for a in plan.applied if a.action in ("write", "delete")}
        return self._save_user_work(dirty, written)

    def _save_user_work(self, dirty: list[str], written: set[str]) -> str | None:
        """Save the work tree's versions of ``dirty`` (a commit, or a stash entry with commits off)."""
        from codeassist.commits import commit_paths, keep_staged, save_message

        if not self.policy.commit:
            # Nothing may be committed, so the user's versions go to the stash list (work tree untouched).
            tracked = {e.split("\t", 1)[1] for e in self.ws.index_entries(dirty)}
            untracked = set(dirty) - tracked
            clobbered = [p for p in dirty if p in written and p in untracked]
            if clobbered:
                raise TaskFailed(
                    "refusing to overwrite files git does not track yet: " + ", ".join(sorted(set(clobbered))),
                    hint="add or commit them first, or apply with commits on so they are saved",
                )
            from codeassist.git import stash_backup

            self.stash = stash_backup(self.ws.root, "codeassist: your uncommitted changes before editing")
            return self.stash
        if not self.policy.commit_dirty:
            raise TaskFailed(
                "these files have uncommitted changes: " + ", ".join(dirty),
                hint="commit or stash them first, or set commit_dirty = true to let codeassist save them",
            )
        keep_staged(self.ws.root, dirty)
        try:
            sha = commit_paths(
                self.ws.root,
                dirty,
                save_message(dirty),
                attribution=False,
                verify=self.policy.verify,
                kind="save",
                prior_index=self.ws.index_entries(dirty),
                head=self.ws.head,
                entries=self.ws.index_entries,
            )
        except CommitFailed as exc:
            raise GitError(
                "could not save your uncommitted changes to " + ", ".join(dirty) + " before editing, "
                "so nothing was written:\n" + exc.output,
                hint="commit or stash them yourself (or finish the merge in progress), then try again",
            ) from exc
        self.saves.append(sha)
        return sha

    def adopt(
        self, before: Mapping[str, bytes | None], users: Sequence[str], modes: Mapping[str, int] | None = None
    ) -> list[str]:
        """Take in files something else changed during the request (an agent's command): from now on
        they are part of the change, committed with it or put back with it.

        ``before`` is each file's content before (None: it did not exist) and ``modes`` its git mode
        (0o100644 or 0o100755; missing: not executable); a file the request already touched keeps its
        first snapshot. ``users`` are those whose content before was the user's uncommitted work: it is
        saved first, as :meth:`land` saves it (the work tree briefly holds the user's version while the
        save is made, then the command's again). With commits off git can save only tracked files, so
        the user's untracked files are put back as they were instead of taken in.

        Returns those put back. A failed save (GitError) also leaves the user's versions in place, the
        command's change to them dropped, and names them in the error.
        """
        modes = modes or {}
        new = {p: b for p, b in before.items() if p not in self.originals}
        if not new:
            return []
        for p, b in new.items():  # first: from here on a restore puts them back, whatever happens
            executable = bool(modes.get(p, 0) & 0o100)
            self._remember(p, None if b is None else FileState(b, git_mode(self.ws.root, p, executable)))
        paths = sorted(new)
        if self.policy.commit:
            self.prior_index += self.ws.index_entries(paths)
        mine = sorted(set(users) & set(new))
        kept_back = [] if self.policy.commit else self._untracked(mine)
        for p in kept_back:
            # Nowhere to save the user's version (no commit, and git's stash holds tracked files only):
            # the user's file wins over the command's change to it, which is dropped.
            self._put_back(p)
            del self.originals[p]
            self.modes.pop(p, None)
        mine = [p for p in mine if p not in kept_back]
        if mine:
            now = {p: read_state(self.ws.root, p) for p in mine}
            try:
                self.ws.check_not_locked()
                for p in mine:
                    self._put_back(p)
                self._save_user_work(mine, set(mine))
            except BaseException as exc:
                for p in mine:  # the user's versions stay, unsaved work is never overwritten
                    self._put_back(p)
                if isinstance(exc, CodeassistError):
                    exc.message += "; so the command's changes to these files of the user's were put back: " + (
                        ", ".join(mine)
                    )
                raise
            for p in mine:
                state = now[p]
                if state is None:
                    write_state(self.ws.root, p, None)
                else:
                    write_state(self.ws.root, p, state.data, state.mode)
        self.ws.forget_listing()
        return kept_back

    def _remember(self, rel: str, state: FileState | None) -> None:
        self.originals[rel] = None if state is None else state.data
        if state is not None:
            self.modes[rel] = state.mode

    def _put_back(self, rel: str) -> None:
        write_state(self.ws.root, rel, self.originals[rel], self.modes.get(rel))

    def _untracked(self, paths: list[str]) -> list[str]:
        tracked = {e.split("\t", 1)[1] for e in self.ws.index_entries(paths)} if paths else set()
        return [p for p in paths if p not in tracked]

    def deferred(self) -> AbstractContextManager[None]:
        """A block no signal cuts short (Ctrl-C, SIGTERM, SIGHUP are raised once it ends)."""
        return self._guard.deferred()

    # -- endings -----------------------------------------------------------------------
    def changed_paths(self) -> list[str]:
        """The touched files whose content or executable bit (what git records of a mode) now differs
        from the snapshot, sorted."""
        out = []
        for rel, original in sorted(self.originals.items()):
            current = read_state(self.ws.root, rel)
            if (None if current is None else current.data) != original:
                out.append(rel)
            elif current is not None and current.executable != bool(self.modes.get(rel, 0) & 0o100):
                out.append(rel)
        return out

    def commit(self, message: str) -> str:
        """Commit the changed files; GitError (a hook refused) leaves them written, uncommitted, and kept."""
        from codeassist.commits import commit_paths

        paths = self.changed_paths()
        if not paths:
            raise TaskFailed("nothing to commit: the edits changed no file")
        self.done = True  # from here on the change is the user's to keep, committed or not
        return commit_paths(
            self.ws.root,
            paths,
            message,
            model=self.policy.model,
            attribution=self.policy.attribution,
            verify=self.policy.verify,
            prior_index=self.prior_index,
            save_commit=self.saves[-1] if self.saves else None,
            head=self.ws.head,
            entries=self.ws.index_entries,
        )

    def keep(self, *, stage: bool = False) -> None:
        """Keep the change in the work tree without committing (staged when ``stage``)."""
        paths = self.changed_paths()
        if stage and paths:
            self.ws.git("add", "-A", "--", *paths, literal_paths=True)
        self.done = True

    def restore(self) -> list[str]:
        """Put every touched file back as it was and take back the save commits; returns the restored paths."""
        from codeassist.commits import undo_last

        restored = []
        for rel in self.changed_paths():
            try:
                self._put_back(rel)
                restored.append(rel)
            except OSError as exc:
                self.notes.append(f"could not put back {rel}: {exc.strerror}")
        for sha in reversed(self.saves):
            if self.ws.head() != sha:
                self.notes.append(
                    f"your uncommitted changes stay saved in commit {sha[:10]} (something was committed on top)"
                )
                break
            try:
                undo_last(self.ws.root)
            except CodeassistError as exc:
                self.notes.append(f"your uncommitted changes stay saved in commit {sha[:10]}: {exc.message}")
                break
        self.saves = []
        self.originals = {}
        self.modes = {}
        self.done = True
        self.restored = restored
        return restored


def write_back(root: Path, rel: str, data: bytes | None, mode: int | None = None) -> None:
    """Put the file at ``rel`` back to ``data`` (None: it did not exist), executable when the git mode
    ``mode`` says so, never through a symbolic link (see :mod:`codeassist.safe_files`)."""
    executable = mode is not None and bool(mode & 0o100)
    write_state(root, rel, data, None if data is None else git_mode(root, rel, executable))


def policy_from(settings: Any | None, *, commit: bool = True, model: str | None = None) -> CommitPolicy:
    """The commit policy the settings describe (defaults without settings)."""
    if settings is None:
        return CommitPolicy(commit=commit, model=model)
    return CommitPolicy(
        commit=commit,
        commit_dirty=bool(settings.commit_dirty),
        verify=bool(settings.verify_hooks),
        attribution=bool(settings.attribution),
        model=model,
    )


def land_edits(
    target: Workspace | Path,
    edits: Sequence[Edit],
    *,
    dry_run: bool = False,
    commit: bool = True,
    message: str | None = None,
    model: str | None = None,
    settings: Any | None = None,
) -> EngineResult:
    """Apply already-parsed ``edits`` in one transaction (all or none), then commit them.

    A commit refused by git (a hook) keeps the written change and is reported
    in ``commit_error``; any other failure leaves the repository as it was.
    """
    with _workspace(target) as ws, Transaction(ws, policy_from(settings, commit=commit, model=model)) as tx:
        result = tx.land(edits, dry_run=dry_run)
        if not result.written:
            return result
        if not commit:
            tx.keep()
            return result
        msg = message or summary_message(result.applied, result.changed)
        try:
            sha = tx.commit(msg)
        except CommitFailed as exc:
            return replace(result, commit_error=exc.message, message=msg)
        except KeyboardInterrupt as exc:  # written and kept; the commit did not happen
            raise ApplyInterrupted(replace(result, message=msg)) from exc
        return replace(result, commit=sha, message=msg)


def apply_reply(
    target: Workspace | Path,
    reply: str,
    *,
    fmt: str = "auto",
    tool_calls: Sequence[ToolCall] = (),
    dry_run: bool = False,
    commit: bool = True,
    message: str | None = None,
    model: str | None = None,
    settings: Any | None = None,
) -> EngineResult:
    """Read ``reply`` into edits, then :func:`land_edits`; a reply that cannot be read changes nothing."""
    with _workspace(target) as ws:
        edits, issues, formats = parse(reply, fmt, tool_calls, ws.paths())
        if issues:
            return EngineResult(issues=tuple(issues), formats=tuple(formats))
        if not edits:
            return EngineResult(issues=(no_edits_issue(reply),), formats=tuple(formats))
        result = land_edits(
            ws, edits, dry_run=dry_run, commit=commit, message=message, model=model, settings=settings
        )
        return replace(result, formats=tuple(formats))


@contextmanager
def _workspace(target: Workspace | Path) -> Iterator[Workspace]:
    """``target`` itself, or the Workspace at a path, opened and closed around the block."""
    from codeassist.workspace import Workspace

    if isinstance(target, Workspace):
        yield target
        return
    with Workspace.open(target) as ws:
        yield ws
