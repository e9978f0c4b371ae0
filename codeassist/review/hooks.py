"""Installing and removing codeassist's git hooks, chaining any hook already there.

The hooks directory is git's own answer (``git rev-parse --git-path hooks``),
so ``core.hooksPath`` and linked worktrees are honoured. A hook already in
place is moved aside to ``NAME.codeassist-previous`` and run first by ours
(its failure stops the commit, as it did before); ``uninstall`` puts it back
byte for byte. A symlinked hook is refused: writing through it would change a
file elsewhere, often one shared by several repositories. The script records
the absolute path of the interpreter, because GUI git clients run hooks with
a minimal PATH.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from codeassist.errors import GitError
from codeassist.git import run_git

MARKER = "# codeassist-hook:"
PREVIOUS_SUFFIX = ".codeassist-previous"
HOOK_NAMES = ("pre-commit", "prepare-commit-msg")


@dataclass(frozen=True)
class HookChange:
    name: str
    path: Path
    action: str  # installed, updated, chained, removed, restored, absent, foreign


def hooks_dir(root: Path) -> Path:
    out = run_git(root, "rev-parse", "--git-path", "hooks").stdout.decode("utf-8", "surrogateescape").strip()
    path = Path(out)
    return path if path.is_absolute() else root / path


def is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(400)
    except OSError:
        return False
    return MARKER.encode() in head


def script(name: str, python: str) -> str:
    """The hook script: run the kept hook first, honour the skip conventions, then codeassist.

    ``-P``: the repository being committed is the working directory, and a
    ``codeassist/`` folder in it must not shadow the installed package.
    """
    previous = name + PREVIOUS_SUFFIX
    return f"""#!/bin/sh
{MARKER} {name}
# Installed by `codeassist hook install`; `codeassist hook uninstall` removes it and
# puts back the hook that was here before (kept as {previous}).
# Skip it once with `git commit --no-verify`, or with SKIP=codeassist or CODEASSIST_HOOK=0.
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/{previous}" ]; then
    "$hook_dir/{previous}" "$@" || exit $?
fi
[ "${{CODEASSIST_HOOK:-1}}" = "0" ] && exit 0
case ",${{SKIP:-}}," in *,codeassist,*) exit 0 ;; esac
exec {shlex.quote(python)} -P -m codeassist hook run {name} "$@"
"""


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise GitError(
            f"refusing to write through the symlinked hook {path} (it points to {os.readlink(path)})",
            hint="replace the link with a file, or add `codeassist hook run NAME` to the script it points to",
        )


def install(root: Path, names: tuple[str, ...] = ("pre-commit",), python: str | None = None) -> list[HookChange]:
    """Install (or refresh) the named hooks; idempotent."""
    directory = hooks_dir(root)
    interpreter = python or sys.executable
    changes = []
    for name in names:
        path = directory / name
        kept = directory / (name + PREVIOUS_SUFFIX)
        _refuse_symlink(path)
        _refuse_symlink(kept)
        action = "installed"
        if path.exists():
            if is_ours(path):
                action = "updated"
            elif kept.exists():
                raise GitError(
                    f"{path} is not codeassist's hook, and {kept.name} already holds an earlier one",
                    hint=f"merge them by hand, or remove {kept} and run `codeassist hook install` again",
                )
            else:
                os.replace(path, kept)
                action = "chained"
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.codeassist.tmp"
        tmp.write_text(script(name, interpreter), encoding="utf-8")
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmp, path)
        changes.append(HookChange(name, path, action))
    return changes


def uninstall(root: Path) -> list[HookChange]:
    """Remove codeassist's hooks and restore the hooks they chained; others' hooks are left alone."""
    directory = hooks_dir(root)
    changes = []
    for name in HOOK_NAMES:
        path = directory / name
        kept = directory / (name + PREVIOUS_SUFFIX)
        if path.is_symlink() or (path.exists() and not is_ours(path)):
            changes.append(HookChange(name, path, "foreign"))
            continue
        if not path.exists() and not (kept.exists() or kept.is_symlink()):
            changes.append(HookChange(name, path, "absent"))
            continue
        path.unlink(missing_ok=True)  # ours, or already removed by hand (then only the kept hook goes back)
        if kept.exists() or kept.is_symlink():
            os.replace(kept, path)
            changes.append(HookChange(name, path, "restored"))
        else:
            changes.append(HookChange(name, path, "removed"))
    return changes
