"""A commit message for a change, written by the model in the repository's own style."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from codeassist.filerule import model_may_read
from codeassist.git import run_git
from codeassist.review.changes import ChangeSet
from codeassist.review.model import Complete

MAX_DIFF_CHARS = 20_000
RECENT_SUBJECTS = 10


def recent_subjects(root: Path, count: int = RECENT_SUBJECTS) -> list[str]:
    """The latest commit subjects of HEAD (no merges), newest first; empty in a new repository."""
    proc = run_git(root, "log", f"-{count}", "--no-merges", "--format=%s", "HEAD", check=False)
    if proc.returncode != 0:
        return []
    return [s for s in proc.stdout.decode("utf-8", "replace").splitlines() if s.strip()]


def change_diff(changes: ChangeSet, root: Path, max_chars: int = MAX_DIFF_CHARS) -> str:
    """A unified diff of what the model may read; other files are named only."""
    may_read = model_may_read(root)
    parts: list[str] = []
    for f in changes.files:
        old_name = f"a/{f.old_path or f.path}" if f.old is not None else "/dev/null"
        new_name = f"b/{f.path}" if f.new is not None else "/dev/null"
        if not may_read(f.path) or (f.old_path and not may_read(f.old_path)):
            parts.append(f"--- {old_name}\n+++ {new_name}\n(content not shown)\n")
            continue
        if (f.new and b"\0" in f.new[:8000]) or (f.old and b"\0" in f.old[:8000]):
            parts.append(f"--- {old_name}\n+++ {new_name}\nBinary file changed\n")
            continue
        old = (f.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = (f.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
        body = "".join(difflib.unified_diff(old, new, old_name, new_name, n=3))
        parts.append(body or f"--- {old_name}\n+++ {new_name}\n(renamed or mode changed)\n")
    text = "".join(p if p.endswith("\n") else p + "\n" for p in parts)
    if len(text) > max_chars:
        text = text[:max_chars] + f"\n... ({len(text) - max_chars} more characters of diff left out)\n"
    return text


def draft_message(
    changes: ChangeSet, root: Path, complete: Complete, *, dirs: Sequence[Path] | None, request: str = ""
) -> str:
    """The model's message for ``changes``, cleaned; empty when the reply held none."""
    from codeassist import prompts
    from codeassist.edit_loop import clean_message

    prompt = prompts.commit_message_prompt(
        change_diff(changes, root), request=request, recent=recent_subjects(root), dirs=dirs
    )
    return clean_message(complete(prompt))
