"""The commits codeassist makes, how it remembers them, and how ``undo`` reverts them.

Every commit codeassist makes gets a git note under ``refs/notes/codeassist``
(JSON: kind, paths, the index entries of those paths before the change, and
the commit that saved the user's pending work, if any). ``undo`` reverts only
commits carrying such a note.

Undo restores the exact prior state rather than adding a revert commit: it
moves the branch back to the parent, rewrites the touched paths in the index
from the recorded entries (so a change the user had staged is staged again)
and in the work tree from the commit that held them (the user's saved
pending work, or the parent). It refuses whenever that could lose or rewrite
anything it does not own: HEAD not made by codeassist, a merge, a commit
any remote-tracking branch contains (pushed with or without an upstream),
or touched files changed since.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeassist.errors import GitError, TaskFailed
from codeassist.git import (
    check_not_locked,
    commit_parents,
    commit_subject,
    dirty_paths,
    head_sha,
    index_entries,
    is_ancestor,
    run_git,
    upstream_of_head,
)

NOTES_REF = "refs/notes/codeassist"
TRAILER_EMAIL = "codeassist@users.noreply.invalid"
ZERO_SHA = "0" * 40


class CommitFailed(GitError):
    """``git commit`` refused (a hook, a merge in progress); ``output`` is what git and the hooks said.

    The message says the change stays in the work tree: true for the commit
    of an edit, which keeps its written files; the save of the user's work
    happens before anything is written and its caller says so instead.
    """

    def __init__(self, output: str) -> None:
        super().__init__(
            f"git commit failed, so the change is in the work tree but not committed:\n{output}",
            hint="fix what the hook reports and commit yourself, or commit with verify_hooks = false",
        )
        self.output = output


@dataclass(frozen=True)
class UndoResult:
    """What ``undo`` reverted: commits newest first, the new HEAD, the restored paths."""

    reverted: tuple[str, ...]
    subject: str
    head: str | None
    paths: tuple[str, ...]


def attribution_trailer(model: str | None) -> str:
    who = f"codeassist ({model})" if model else "codeassist"
    return f"Co-authored-by: {who} <{TRAILER_EMAIL}>"


def save_message(paths: list[str]) -> str:
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return (
        f"codeassist: save your uncommitted changes to {shown} before editing\n\n"
        "These are your own changes, committed as they were so that codeassist's edit\n"
        "on top of them can be undone without losing them (`codeassist undo`).\n"
    )


def keep_staged(root: Path, paths: list[str]) -> str | None:
    """Keep a staged version of ``paths`` that differs from the work tree reachable; returns the ref.

    Saving the user's pending work commits the work-tree version, which also
    replaces the staged version in the index; this commit of the whole index,
    under ``refs/codeassist/staged/``, keeps that version from ever being lost.
    """
    if run_git(root, "diff", "--cached", "--quiet", "--", *paths, check=False, literal_paths=True).returncode == 0:
        return None
    if run_git(root, "diff", "--quiet", "--", *paths, check=False, literal_paths=True).returncode == 0:
        return None
    tree = run_git(root, "write-tree", check=False)
    if tree.returncode != 0:  # unmerged entries: the commit will refuse anyway
        return None
    parent = head_sha(root)
    args = ["commit-tree", tree.stdout.decode().strip(), "-m", "codeassist: your staged changes, kept before editing"]
    if parent:
        args[2:2] = ["-p", parent]
    sha = run_git(root, *args).stdout.decode().strip()
    ref = f"refs/codeassist/staged/{sha}"
    run_git(root, "update-ref", ref, sha)
    return ref


def commit_paths(
    root: Path,
    paths: list[str] | tuple[str, ...],
    message: str,
    *,
    model: str | None = None,
    attribution: bool = True,
    verify: bool = True,
    kind: str = "edit",
    prior_index: list[str] | None = None,
    save_commit: str | None = None,
    head: Callable[[], str | None] | None = None,
    entries: Callable[[list[str]], list[str]] | None = None,
) -> str:
    """Commit exactly ``paths`` as they are in the work tree; return the new commit.

    Other changes the user staged stay staged and out of this commit
    (``git commit --only``). The repository's hooks run unless ``verify`` is
    False. A rejecting hook raises :class:`GitError` carrying its output; the
    work tree is left as it was (changes applied, not committed).
    ``prior_index`` overrides the recorded pre-change index entries (the edit
    commit after a save commit records the state before the save). ``head``
    reads HEAD and ``entries`` the index (the Workspace reads both in process); a :class:`CommitFailed`
    carries git's and the hooks' output in ``output``.
    """
    read_head = head or (lambda: head_sha(root))
    read_entries = entries or (lambda names: index_entries(root, names))
    check_not_locked(root)
    wanted = sorted(set(paths))
    if not wanted:
        raise GitError("nothing to commit: no paths given")
    now = read_entries(wanted)
    prior = prior_index if prior_index is not None else now
    parent = read_head()
    tracked = {e.split("\t", 1)[1] for e in now}
    new = [p for p in wanted if p not in tracked and (root / p).exists()]
    wanted = [p for p in wanted if p in tracked or p in new]
    if not wanted:
        raise GitError("nothing to commit: none of the paths is in the repository")
    if new:
        # `commit --only` takes paths git knows; intent-to-add makes new files known without staging content.
        run_git(root, "add", "--intent-to-add", "--", *new, literal_paths=True)
    text = message.rstrip("\n") + "\n"
    if attribution:
        text += "\n" + attribution_trailer(model) + "\n"
    args = ["commit", "--quiet", "--only", "--cleanup=whitespace", "-F", "-"]
    if not verify:
        args.append("--no-verify")
    proc = run_git(root, *args, "--", *wanted, input=text.encode("utf-8"), check=False, literal_paths=True)
    sha = read_head()
    if proc.returncode != 0 or sha is None or sha == parent:
        if new:
            run_git(root, "rm", "--cached", "--quiet", "--", *new, check=False, literal_paths=True)
        output = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()
        raise CommitFailed(output)
    record(root, sha, {"kind": kind, "paths": sorted(set(paths)), "prior_index": prior, "save": save_commit})
    return sha


def record(root: Path, sha: str, meta: dict[str, Any]) -> None:
    """Remember that codeassist made ``sha`` (a note under refs/notes/codeassist)."""
    body = json.dumps({"codeassist": 1, **meta}, sort_keys=True)
    run_git(root, "notes", "--ref", NOTES_REF, "add", "-f", "-F", "-", sha, input=body.encode("utf-8"))


def read_record(root: Path, sha: str) -> dict[str, Any] | None:
    """The note codeassist left on ``sha``, or None when codeassist did not make it."""
    proc = run_git(root, "notes", "--ref", NOTES_REF, "show", sha, check=False)
    if proc.returncode != 0:
        return None
    try:
        meta = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return meta if isinstance(meta, dict) and meta.get("codeassist") == 1 else None


def undo_last(root: Path) -> UndoResult:
    """Revert the last commit codeassist made (and the save of the user's work before it)."""
    check_not_locked(root)
    head = head_sha(root)
    if head is None:
        raise TaskFailed("nothing to undo: the repository has no commits yet")
    meta = read_record(root, head)
    subject = commit_subject(root, head)
    if meta is None:
        raise TaskFailed(
            f"HEAD {head[:10]} ({subject}) was not made by codeassist; undo reverts only codeassist's own commits",
        )
    parents = commit_parents(root, head)
    if len(parents) > 1:
        raise TaskFailed(f"HEAD {head[:10]} is a merge commit; undo does not revert merges")
    published = _remote_branches_containing(root, head)
    if published:
        shown = ", ".join(published[:3]) + (f" and {len(published) - 3} more" if len(published) > 3 else "")
        raise TaskFailed(
            f"HEAD {head[:10]} is already on {shown}; undoing it would rewrite published history",
            hint="use `git revert` to undo a pushed commit",
        )
    chain = [head]
    save = meta.get("save")
    save_meta = read_record(root, save) if save and parents == [save] else None
    if save and save_meta is not None and save_meta.get("kind") == "save":
        chain.append(save)
    paths = sorted({p for sha in chain for p in (read_record(root, sha) or {}).get("paths", [])})
    changed = dirty_paths(root, paths)
    if changed:
        raise TaskFailed(
            "files changed since codeassist committed them: " + ", ".join(changed),
            hint="commit or stash those changes first; undo never overwrites your work",
        )
    target_parents = commit_parents(root, chain[-1])
    target = target_parents[0] if target_parents else None
    if meta.get("kind") == "save":
        # Undoing only the save of the user's work: their changes stay, uncommitted, as before.
        saved_paths = set(paths)
    elif len(chain) > 1 and save_meta:
        saved_paths = set(save_meta.get("paths", []))
    else:
        saved_paths = set()
    _move_head(root, head, target)
    _restore_index(root, paths, list(meta.get("prior_index") or []))
    _restore_worktree(root, paths, saved_paths, chain[-1], target)
    for sha in chain:
        run_git(root, "notes", "--ref", NOTES_REF, "remove", "--ignore-missing", sha, check=False)
    return UndoResult(tuple(chain), subject, target, tuple(paths))


def _remote_branches_containing(root: Path, sha: str) -> list[str]:
    """Every remote-tracking branch that contains ``sha`` (pushed with or without an upstream), upstream first."""
    out = run_git(root, "for-each-ref", "--contains", sha, "--format=%(refname:short)", "refs/remotes/").stdout
    names = sorted(n for n in out.decode("utf-8", "surrogateescape").splitlines() if n and not n.endswith("/HEAD"))
    upstream = upstream_of_head(root)
    if upstream in names:
        names.remove(upstream)
        names.insert(0, upstream)
    # An upstream that is not a remote-tracking branch (a local branch) counts too.
    if upstream and upstream not in names and is_ancestor(root, sha, upstream):
        names.insert(0, upstream)
    return names


def _move_head(root: Path, old: str, new: str | None) -> None:
    if new is not None:
        run_git(root, "update-ref", "-m", "codeassist undo", "HEAD", new, old)
        return
    # Undoing the first commit: the branch goes back to having no commits.
    branch = run_git(root, "symbolic-ref", "-q", "HEAD", check=False).stdout.decode().strip()
    run_git(root, "update-ref", "-d", branch or "HEAD", old)


def _restore_index(root: Path, paths: list[str], prior: list[str]) -> None:
    """Put each path's index entry back exactly as recorded (absent if it was absent)."""
    known = {entry.split("\t", 1)[1] for entry in prior}
    lines = list(prior)
    lines += [f"0 {ZERO_SHA}\t{p}" for p in paths if p not in known]
    if lines:
        data = "".join(line + "\0" for line in lines).encode("utf-8", "surrogateescape")
        run_git(root, "update-index", "-z", "--index-info", input=data)


def _restore_worktree(root: Path, paths: list[str], saved: set[str], save_commit: str, target: str | None) -> None:
    """Write each path as it was: from the save commit if the user had pending work, else the parent."""
    by_source: dict[str, list[str]] = {}
    for p in paths:
        source = save_commit if p in saved else target
        present = source is not None and run_git(root, "cat-file", "-e", f"{source}:{p}", check=False).returncode == 0
        if present and source is not None:
            by_source.setdefault(source, []).append(p)
        else:
            (root / p).unlink(missing_ok=True)
    for source, group in sorted(by_source.items()):
        run_git(root, "restore", f"--source={source}", "--worktree", "--", *group, literal_paths=True)
