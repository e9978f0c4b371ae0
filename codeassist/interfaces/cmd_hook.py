"""Command: ``hook`` (install, uninstall and run codeassist's git hooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

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
    from codeassist.interfaces.hook_runner import run_hook

    raise typer.Exit(run_hook(ctx.obj, name, list(args or []), offline=offline, model_review=model_review))


def register(app: typer.Typer) -> None:
    app.add_typer(hook_app)
