"""What ``codeassist hook run NAME`` does, without typer: git runs it on every commit, so start-up counts.

:func:`main` is the fast path :mod:`codeassist.interfaces.cli` takes for
``codeassist hook run ...`` (the form the installed hooks use); typer's
``hook run`` command calls :func:`run_hook` too, so both behave the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions


def main(argv: list[str]) -> int:
    """``NAME [--offline | --model-review] [ARGS...]``; raises CodeassistError like any command."""
    from codeassist.errors import UsageError
    from codeassist.interfaces.options import GlobalOptions

    if not argv:
        raise UsageError("missing the hook name: codeassist hook run pre-commit|prepare-commit-msg")
    name, rest = argv[0], argv[1:]
    offline = "--offline" in rest
    model_review = "--model-review" in rest
    args = [a for a in rest if a not in ("--offline", "--model-review")]
    return run_hook(GlobalOptions(), name, args, offline=offline, model_review=model_review)


def run_hook(opts: GlobalOptions, name: str, args: list[str], *, offline: bool, model_review: bool) -> int:
    """Run hook ``name`` with git's ``args``; the exit code for git."""
    from codeassist.errors import UsageError

    if name == "pre-commit":
        if offline and model_review:
            raise UsageError("choose one of --offline and --model-review")
        return _pre_commit(opts, False if offline else True if model_review else None)
    if name == "prepare-commit-msg":
        return _prepare_commit_msg(opts, args)
    raise UsageError(f"unknown hook {name!r}", hint="codeassist runs pre-commit and prepare-commit-msg")


def _settings(opts: GlobalOptions, root: Path) -> Any:
    settings = opts.settings(root)
    if settings.source("max_retries") == "default":
        # Inside a commit a retry costs the user more than the review is worth: try once, then fail open.
        settings = settings.with_overrides(max_retries=0)
    return settings


def _pre_commit(opts: GlobalOptions, model: bool | None) -> int:
    import sys

    from codeassist.git import require_repo
    from codeassist.interfaces.review_wiring import cache_dir_for, model_completion, prompt_dirs_for
    from codeassist.review.hook_run import pre_commit, skipped
    from codeassist.review.model import FINDINGS_SCHEMA

    if skipped(opts.environ):
        return 0
    root = require_repo(opts.start_dir())
    settings = _settings(opts, root)
    outcome = pre_commit(
        root,
        opts.environ,
        settings,
        lambda: model_completion(opts, settings, json_schema=FINDINGS_SCHEMA),
        model=model,
        prompt_dirs=prompt_dirs_for(opts, root),
        cache_dir=cache_dir_for(root),
    )
    result = outcome.result
    if result is not None and result.findings:
        from codeassist.interfaces.render import console
        from codeassist.interfaces.review_wiring import print_findings
        from codeassist.review.changes import staged_changes

        err = console(opts, stderr=True)
        print_findings(err, result.findings, staged_changes(root, opts.environ))
        if outcome.exit_code:
            err.print(
                "codeassist: commit blocked. Fix the errors, or silence a rule on a line with "
                "`codeassist: allow RULE`; `git commit --no-verify` skips the hook.",
                markup=False,
                highlight=False,
            )
    for notice in outcome.notices:
        sys.stderr.write(f"codeassist: warning: {notice}\n")
    return outcome.exit_code


def _prepare_commit_msg(opts: GlobalOptions, args: list[str]) -> int:
    import sys

    from codeassist.errors import CodeassistError
    from codeassist.git import require_repo
    from codeassist.interfaces.review_wiring import model_completion, prompt_dirs_for
    from codeassist.review.hook_run import prepare_commit_msg

    try:
        root = require_repo(opts.start_dir())
        settings = _settings(opts, root)
        outcome = prepare_commit_msg(
            root,
            opts.environ,
            args,
            settings,
            lambda: model_completion(opts, settings),
            prompt_dirs=prompt_dirs_for(opts, root),
        )
    except CodeassistError as exc:  # never stop a commit for want of a drafted message
        sys.stderr.write(f"codeassist: warning: no message drafted: {exc.message}\n")
        return 0
    for notice in outcome.notices:
        sys.stderr.write(f"codeassist: warning: {notice}\n")
    return 0
