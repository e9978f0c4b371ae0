"""What the installed hooks do: ``pre-commit`` reviews the staged change, ``prepare-commit-msg`` drafts a message.

Both honour ``CODEASSIST_HOOK=0`` and ``SKIP=codeassist`` (pre-commit's
convention), never change the index or the working tree, and fail open on
infrastructure: a backend that is unreachable, slow, out of quota or not
configured costs one line of warning, and the commit goes on, unless
``hook_fail_closed`` is set (pre-commit only; drafting a message never blocks).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeassist.review.changes import ChangeSet, staged_changes
from codeassist.review.findings import blocks
from codeassist.review.model import Complete
from codeassist.review.rules import from_settings
from codeassist.review.run import ReviewResult, review

SKIP_NAMES = ("codeassist",)
# Git states in which a message is already decided (or replayed), so drafting one would be wrong.
_REPLAYING = ("rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD", "REVERT_HEAD", "sequencer")


@dataclass(frozen=True)
class HookOutcome:
    exit_code: int
    result: ReviewResult | None = None
    notices: tuple[str, ...] = ()  # one line each, for stderr


def skipped(environ: Mapping[str, str]) -> bool:
    if environ.get("CODEASSIST_HOOK", "1").strip() == "0":
        return True
    names = {s.strip() for s in environ.get("SKIP", "").split(",")}
    return any(name in names for name in SKIP_NAMES)


def pre_commit(
    root: Path,
    environ: Mapping[str, str],
    settings: Any,
    complete: Callable[[], Complete],
    *,
    model: bool | None = None,
    prompt_dirs: Sequence[Path] | None = None,
    cache_dir: Path | None = None,
) -> HookOutcome:
    """Review what is staged; exit 1 on an error finding (or a failed model review when failing closed)."""
    if skipped(environ):
        return HookOutcome(0)
    config = from_settings(settings)
    changes = staged_changes(root, environ)
    use_model = bool(settings.hook_review) if model is None else model
    result = review(
        changes,
        config,
        root=root,
        complete=complete if use_model else None,
        model_name=str(settings.model or ""),
        prompt_dirs=prompt_dirs,
        cache_dir=cache_dir,
    )
    notices = list(result.warnings)
    code = 1 if blocks(result.findings, "error") else 0
    if result.model_failed:
        if config.fail_closed:
            code = 1
            notices.append("commit blocked: the model review did not complete and hook_fail_closed is set")
        else:
            notices.append("commit allowed without the model review (set hook_fail_closed = true to block)")
    return HookOutcome(code, result, tuple(notices))


def _replaying(root: Path) -> bool:
    from codeassist.git import git_path

    return any(git_path(root, name).exists() for name in _REPLAYING)


def _has_message(text: str) -> bool:
    return any(line.strip() and not line.startswith("#") for line in text.splitlines())


def prepare_commit_msg(
    root: Path,
    environ: Mapping[str, str],
    args: Sequence[str],
    settings: Any,
    complete: Callable[[], Complete],
    *,
    prompt_dirs: Sequence[Path] | None = None,
) -> HookOutcome:
    """Put a drafted message at the top of git's message file when git gave no message; always exit 0."""
    if skipped(environ) or not args:
        return HookOutcome(0)
    msg_file = Path(args[0]) if os.path.isabs(args[0]) else root / args[0]
    source = args[1] if len(args) > 1 else environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    if source not in ("", "template") or _replaying(root):
        return HookOutcome(0)
    try:
        current = msg_file.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        return HookOutcome(0, notices=(f"cannot read the commit message file: {exc.strerror}",))
    if source == "" and _has_message(current):
        return HookOutcome(0)  # someone (another hook, the user's tooling) already wrote one
    changes = staged_changes(root, environ)
    if not changes.files:
        return HookOutcome(0)
    timeout = from_settings(settings).timeout
    drafted, problem = _draft_in_time(changes, root, complete, prompt_dirs, timeout)
    if problem:
        return HookOutcome(0, notices=(f"no message drafted: {problem}",))
    if not drafted:
        return HookOutcome(0, notices=("no message drafted: the model's reply held none",))
    text = drafted.rstrip("\n") + "\n" + ("\n" + current.lstrip("\n") if current.strip() else "")
    tmp = msg_file.with_name(msg_file.name + ".codeassist.tmp")
    tmp.write_text(text, encoding="utf-8", errors="surrogateescape")
    os.replace(tmp, msg_file)
    return HookOutcome(0)


def _draft_in_time(
    changes: ChangeSet, root: Path, complete: Callable[[], Complete], dirs: Sequence[Path] | None, timeout: float
) -> tuple[str, str | None]:
    from codeassist.review.message import draft_message

    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["text"] = draft_message(changes, root, complete(), dirs=dirs)
        except Exception as exc:  # fail open: a hook that drafts must never stop a commit
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="codeassist-draft", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return "", f"the model did not answer within {timeout:g} s (hook_timeout)"
    if "error" in outcome:
        exc = outcome["error"]
        return "", str(getattr(exc, "message", exc))
    return str(outcome["text"]), None
