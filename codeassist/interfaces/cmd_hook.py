"""Command: ``hook`` (install, uninstall and run codeassist's git hooks)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions

hook_app = typer.Typer(
    name="hook",
    help="Manage the git hooks: install | uninstall | run.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@hook_app.command("install")
def install_command(
    ctx: typer.Context,
    commit_msg: Annotated[
        bool, typer.Option("--commit-msg", help="Also install prepare-commit-msg, which drafts the message.")
    ] = False,
) -> None:
    """Install the pre-commit hook (chaining a hook already there)."""
    from codeassist.git import require_repo
    from codeassist.review.hooks import install

    opts: GlobalOptions = ctx.obj
    root = require_repo(opts.start_dir())
    names = ("pre-commit", "prepare-commit-msg") if commit_msg else ("pre-commit",)
    for change in install(root, names):
        extra = f" (the hook that was there runs first; kept as {change.name}.codeassist-previous)"
        print(f"{change.action} {change.path}" + (extra if change.action == "chained" else ""))


@hook_app.command("uninstall")
def uninstall_command(ctx: typer.Context) -> None:
    """Remove codeassist's hooks and put back the hooks they chained."""
    from codeassist.git import require_repo
    from codeassist.review.hooks import uninstall

    opts: GlobalOptions = ctx.obj
    root = require_repo(opts.start_dir())
    for change in uninstall(root):
        if change.action == "foreign":
            print(f"left alone {change.path} (not codeassist's)")
        elif change.action != "absent":
            print(f"{change.action} {change.path}")


@hook_app.command("run", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def run_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="pre-commit or prepare-commit-msg.")],
    args: Annotated[Optional[list[str]], typer.Argument(help="The arguments git gives the hook.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="pre-commit: offline checks only.")] = False,
    model_review: Annotated[
        bool, typer.Option("--model-review", help="pre-commit: also the model's review, whatever hook_review says.")
    ] = False,
) -> None:
    """Run a hook by hand, exactly as git runs it."""
    from codeassist.errors import UsageError

    opts: GlobalOptions = ctx.obj
    if name == "pre-commit":
        if offline and model_review:
            raise UsageError("choose one of --offline and --model-review")
        raise typer.Exit(_pre_commit(opts, False if offline else True if model_review else None))
    if name == "prepare-commit-msg":
        raise typer.Exit(_prepare_commit_msg(opts, list(args or [])))
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
    from codeassist.interfaces.cmd_review import cache_dir_for, model_completion, prompt_dirs_for
    from codeassist.review.hook_run import pre_commit, skipped

    if skipped(opts.environ):
        return 0
    root = require_repo(opts.start_dir())
    settings = _settings(opts, root)
    outcome = pre_commit(
        root,
        opts.environ,
        settings,
        lambda: model_completion(opts, settings),
        model=model,
        prompt_dirs=prompt_dirs_for(opts, root),
        cache_dir=cache_dir_for(root),
    )
    result = outcome.result
    if result is not None and result.findings:
        from codeassist.interfaces.cmd_review import print_findings
        from codeassist.interfaces.render import console
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
    from codeassist.interfaces.cmd_review import model_completion, prompt_dirs_for
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


def register(app: typer.Typer) -> None:
    app.add_typer(hook_app)
