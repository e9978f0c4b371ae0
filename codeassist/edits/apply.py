"""Apply a reply's edits to the work tree: all of them, or none.

Every edit is first resolved against in-memory copies of the files, in reply
order, so later edits see earlier ones. Only when every edit resolved is
anything written (each file through a temporary file and ``os.replace``); a
failure while writing puts back the files already written. A failed resolve
writes nothing and reports, per edit, the path, the reason and the closest
lines, which :func:`failure_message` turns into text a model can act on.

Unified-diff edits (``raw_patch``) go through ``git apply --recount`` on a
scratch copy of the file first (no ``--check`` needed: nothing real is
touched), then a three-way merge when the diff's ``index`` line names a
preimage blob the repository has (``git apply --3way`` in memory), and fall
back to the matcher hunk by hunk.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codeassist.edits.files import TextFile, normalize, write_atomic
from codeassist.edits.gitapply import git_apply_text, three_way_text
from codeassist.edits.paths import PathRefused, PathResolver, RepoFiles
from codeassist.edits.types import Edit
from codeassist.errors import TaskFailed


@dataclass(frozen=True)
class Applied:
    path: str
    action: str
    strategy: str


@dataclass(frozen=True)
class Failed:
    path: str
    reason: str
    closest: str = ""
    index: int = -1  # the edit's position in the reply


@dataclass(frozen=True)
class Warned:
    """An edit that applied but may not be what the model meant (the user should look)."""

    path: str
    message: str


@dataclass(frozen=True)
class ApplyResult:
    applied: tuple[Applied, ...] = ()
    failed: tuple[Failed, ...] = ()
    already_applied: tuple[str, ...] = ()
    diff: str = ""
    changed: tuple[str, ...] = ()
    written: bool = False
    warnings: tuple[Warned, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class Plan:
    """The resolved outcome of a reply, not yet written."""

    root: Path
    read_blob: Callable[[str], bytes | None] = lambda sha: None
    files: dict[str, TextFile] = field(default_factory=dict)
    applied: list[Applied] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    warnings: list[Warned] = field(default_factory=list)

    def changed(self) -> list[str]:
        return sorted(rel for rel, f in self.files.items() if f.changed())

    def result(self, written: bool = False) -> ApplyResult:
        ok = not self.failed
        changed = tuple(self.changed()) if ok else ()
        return ApplyResult(
            tuple(self.applied) if ok else (),
            tuple(self.failed),
            tuple(dict.fromkeys(self.already)),
            render_diff(self.files, changed) if ok else "",
            changed,
            written,
            tuple(self.warnings) if ok else (),
        )


def apply_edits(repo: RepoFiles, edits: Sequence[Edit], *, dry_run: bool = False) -> ApplyResult:
    """Resolve every edit, then write all of them or nothing. Never raises for a bad edit."""
    plan = plan_edits(repo, edits)
    if plan.failed or dry_run:
        return plan.result()
    write_plan(plan)
    return plan.result(written=True)


def plan_edits(repo: RepoFiles, edits: Sequence[Edit]) -> Plan:
    """Resolve ``edits`` in order against in-memory file contents; writes nothing."""
    resolver = PathResolver(repo)
    plan = Plan(resolver.root, read_blob=repo.read_blob)
    i = 0
    while i < len(edits):
        edit = edits[i]
        group = [edit]
        if edit.raw_patch and edit.action == "replace":
            while i + len(group) < len(edits) and _same_patch(edits[i + len(group)], edit):
                group.append(edits[i + len(group)])
        try:
            if edit.raw_patch and edit.action == "replace":
                _apply_patch_group(plan, resolver, group)
            else:
                _apply_one(plan, resolver, edit)
        except PathRefused as exc:
            for e in group:
                plan.failed.append(Failed(e.path, exc.reason, "", e.index))
        i += len(group)
    return plan


def _same_patch(a: Edit, b: Edit) -> bool:
    return a.action == "replace" and a.path == b.path and a.raw_patch == b.raw_patch


def _state(plan: Plan, resolver: PathResolver, raw: str, action: str) -> TextFile:
    rel = resolver.resolve(raw, action).rel
    if rel not in plan.files:
        plan.files[rel] = TextFile.load(plan.root, rel)
    return plan.files[rel]


def _apply_one(plan: Plan, resolver: PathResolver, edit: Edit) -> None:
    action = edit.action
    if action == "rename":
        _rename(plan, resolver, edit)
        return
    # An empty SEARCH may name a file that does not exist yet.
    f = _state(plan, resolver, edit.path, "append" if action == "replace" and not edit.old.strip() else action)
    new = normalize(edit.new)
    has_content = bool((f.text or "").strip())
    if action == "replace" and not edit.old.strip():
        # An empty SEARCH: a new file, or more lines at the end of an existing one.
        action = "append" if has_content else "create"
    elif action == "create" and edit.format == "search-replace" and has_content and f.text != new:
        # The parser cannot tell an empty SEARCH on an existing file from a new file.
        action = "append"
    if action == "replace":
        _replace(plan, f, edit, edit.old, new)
    elif action in ("create", "write"):
        if _holds(f, new):
            plan.already.append(f.rel)
        elif action == "create" and f.exists and f.text and f.text.strip():
            if edit.old.strip() and _holds(f, normalize(edit.old)):
                # A diff headed "new file" whose removed lines are the file exactly: a plain rewrite.
                f.text = new
                plan.applied.append(Applied(f.rel, "write", "exact"))
            else:
                plan.failed.append(Failed(f.rel, _exists_reason(edit, f.rel), "", edit.index))
        else:
            if action == "write" and not f.exists:
                _warn_of_namesake(plan, resolver, edit, f.rel)
            f.text = new
            plan.applied.append(Applied(f.rel, action, "whole" if action == "write" else "create"))
    elif action == "append":
        if f.exists and new.strip() and f.text is not None and f.text.endswith(new):
            plan.already.append(f.rel)
        else:
            base = f.text or ""
            if base and not base.endswith("\n"):
                base += "\n"
            f.text = base + new
            plan.applied.append(Applied(f.rel, "append", "append"))
    elif action == "delete":
        if not f.exists and f.original is None and not resolver.tracked_ever(f.rel):
            # A name the model made up: "already applied" would hide that the file it meant is still there.
            reason = "no such file, and git has never tracked it; nothing to delete (check the path)"
            plan.failed.append(Failed(f.rel, reason, "", edit.index))
        elif not f.exists:
            plan.already.append(f.rel)
        else:
            f.text = None
            plan.applied.append(Applied(f.rel, "delete", "delete"))
    else:
        plan.failed.append(Failed(edit.path, f"unknown edit action {action!r}", "", edit.index))


def _holds(f: TextFile, text: str) -> bool:
    """Whether the file's content is ``text`` (a missing final newline in the file aside)."""
    return f.exists and (f.text == text or (f.text == text + "\n" and not f.final_newline))


def _exists_reason(edit: Edit, rel: str) -> str:
    """Why creating ``rel`` failed, with the remedy in the format the reply used."""
    if edit.format == "udiff":
        how = (
            f"a diff creating it (--- /dev/null) cannot apply; send a diff of its current content"
            f" (--- a/{rel} and +++ b/{rel}, hunks with the lines it changes)"
        )
    elif edit.format == "patch":
        how = f"change it with *** Update File: {rel} and hunks instead of *** Add File"
    elif edit.format == "tool":
        how = "change it with replace_in_file instead of create_file"
    else:
        how = "edit it with SEARCH/REPLACE or send the whole file"
    return f"file already exists; {how}"


def _warn_of_namesake(plan: Plan, resolver: PathResolver, edit: Edit, rel: str) -> None:
    """A whole file for a path that does not exist, beside exactly one file of that name elsewhere.

    Most likely the model got the directory wrong; the new file is still
    written (a new file of a common name is often meant), but not silently.
    """
    name = posixpath.basename(rel)
    same = [p for p in resolver.files() if posixpath.basename(p) == name and p != rel]
    if len(same) == 1:
        message = (
            f"{rel} did not exist, so it was written as a new file; {same[0]} has the same name:"
            f" check that a new file, not a change to {same[0]}, was meant"
        )
        plan.warnings.append(Warned(rel, message))


def _replace(plan: Plan, f: TextFile, edit: Edit, old: str, new: str, line_hint: int | None = None) -> bool:
    from codeassist.edits.match import MatchFailure, apply_match, locate

    if f.text is None:
        plan.failed.append(Failed(f.rel, "no such file (deleted earlier in this reply?)", "", edit.index))
        return False
    if normalize(old) == new:
        # Nothing to change: a hunk of context only, or a block cut short. Success would hide it.
        reason = "this edit's old and new text are identical, so it changes nothing; send the lines that change"
        plan.failed.append(Failed(f.rel, reason, "", edit.index))
        return False
    found = locate(f.text, normalize(old), new, anchor=edit.anchor, line_hint=line_hint)
    if isinstance(found, MatchFailure):
        if found.reason == "already-applied":
            plan.already.append(f.rel)
            return True
        plan.failed.append(Failed(f.rel, found.message, found.closest or "", edit.index))
        return False
    f.text = apply_match(f.text, found)
    plan.applied.append(Applied(f.rel, "replace", found.strategy))
    return True


def _apply_patch_group(plan: Plan, resolver: PathResolver, group: list[Edit]) -> None:
    """A file's unified diff: ``git apply`` on a scratch copy, else the matcher per hunk."""
    first = group[0]
    f = _state(plan, resolver, first.path, "replace")
    if f.text is not None and first.raw_patch:
        strategy, patched = "git-apply", git_apply_text(f.text, f.rel, first.raw_patch)
        if patched is None:
            strategy, patched = "git-apply-3way", three_way_text(f.text, f.rel, first.raw_patch, plan.read_blob)
        # An unchanged result means the hunks only held context: let the matcher judge each edit.
        if patched is not None and patched != f.text:
            f.text = patched
            plan.applied.extend(Applied(f.rel, "replace", strategy) for _ in group)
            return
    lines_before = f.text.count("\n") if f.text is not None else 0
    for edit in group:
        # A hunk's header counts lines of the file before the diff; earlier hunks, applied in order,
        # have moved the text since by as many lines as they added or removed.
        shift = (f.text.count("\n") - lines_before) if f.text is not None else 0
        hint = edit.line_hint + shift if edit.line_hint else None
        _replace(plan, f, edit, edit.old, normalize(edit.new), hint)


def _rename(plan: Plan, resolver: PathResolver, edit: Edit) -> None:
    if not edit.new_path:
        plan.failed.append(Failed(edit.path, "rename without a destination path", "", edit.index))
        return
    dest_rel = resolver.resolve(edit.new_path, "create").rel
    dest = plan.files.get(dest_rel) or TextFile.load(plan.root, dest_rel)
    plan.files[dest_rel] = dest
    try:
        src = _state(plan, resolver, edit.path, "rename")
    except PathRefused:
        if dest.exists:  # moved already by an earlier run of the same reply
            plan.already.append(dest_rel)
            return
        raise
    if src.text is None:
        plan.failed.append(Failed(src.rel, "no such file to rename", "", edit.index))
    elif dest.exists:
        plan.failed.append(Failed(dest_rel, f"cannot rename {src.rel}: {dest_rel} already exists", "", edit.index))
    else:
        dest.text, dest.mode, dest.bom, dest.crlf, dest.final_newline = (
            src.text,
            src.mode,
            src.bom,
            src.crlf,
            src.final_newline,
        )
        src.text = None
        plan.applied.append(Applied(dest_rel, "rename", "rename"))


def write_plan(plan: Plan) -> list[str]:
    """Write every changed file; on any error put back what was written and raise."""
    if plan.failed:
        raise TaskFailed("refusing to write a plan with failed edits")
    changed = plan.changed()
    for rel in changed:
        f = plan.files[rel]
        try:
            current = (plan.root / rel).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            current = None
        if current != f.original:
            raise TaskFailed(f"{rel} changed on disk while the edits were prepared; nothing was written")
    done: list[str] = []
    try:
        for rel in changed:
            f = plan.files[rel]
            path = plan.root / rel
            if f.text is None:
                path.unlink()
            else:
                write_atomic(path, f.encode(), f.mode)
            done.append(rel)
    except BaseException as exc:  # an interrupt mid-way must not leave half a reply applied either
        _rollback(plan, done)
        if isinstance(exc, OSError):
            raise TaskFailed(f"could not write {rel}: {exc.strerror or exc}; nothing was changed") from exc
        raise
    return changed


def _rollback(plan: Plan, done: list[str]) -> None:
    for rel in reversed(done):
        f = plan.files[rel]
        path = plan.root / rel
        if f.original is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, f.original, f.mode)


def render_diff(files: dict[str, TextFile], changed: Sequence[str]) -> str:
    """A unified diff (``git apply``-able) of the planned change, files in path order."""
    out: list[str] = []
    for rel in changed:
        f = files[rel]
        before = f.original.decode("utf-8", "replace") if f.original is not None else ""
        after = f.encode().decode("utf-8") if f.text is not None else ""
        a = f"a/{rel}" if f.original is not None else "/dev/null"
        b = f"b/{rel}" if f.text is not None else "/dev/null"
        out.append(f"diff --git a/{rel} b/{rel}\n")
        lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), a, b)
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def failure_message(result: ApplyResult) -> str:
    """What went wrong, per failed edit, in words a model can act on."""
    if not result.failed:
        return ""
    n = len(result.failed)
    parts = [
        f"{n} edit{'s' if n != 1 else ''} could not be applied, so none of the edits in the reply were applied "
        "and no file was changed. Fix the edits below and send ALL edits again."
    ]
    for fail in result.failed:
        where = f" (edit #{fail.index + 1})" if fail.index >= 0 else ""
        parts.append(f"\n## {fail.path}{where}\n{fail.reason}")
        if fail.closest:
            fence = "````" if "```" in fail.closest else "```"
            parts.append(f"The closest lines in {fail.path} are:\n{fence}\n{fail.closest.rstrip(chr(10))}\n{fence}")
    if result.already_applied:
        parts.append("\nAlready present (nothing to do): " + ", ".join(result.already_applied))
    return "\n".join(parts) + "\n"
