"""Command: ``commit`` (a commit message for the staged change, written by the model, then ``git commit``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions


@contextmanager
def _all_tracked_staged(root: Path, environ: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """An environment whose index is a copy of the user's with every tracked change added (what ``-a`` commits).

    The user's own index is not touched, so ``--dry-run -a`` changes nothing.
    """
    import shutil
    import tempfile

    from codeassist.git import git_path, run_git

    index = Path(environ["GIT_INDEX_FILE"]) if environ.get("GIT_INDEX_FILE") else git_path(root, "index")
    with tempfile.TemporaryDirectory(prefix="codeassist-commit-") as tmp:
        copy = Path(tmp) / "index"
        if index.exists():
            shutil.copyfile(index, copy)
        env = {**environ, "GIT_INDEX_FILE": str(copy)}
        run_git(root, "add", "-u", env={"GIT_INDEX_FILE": str(copy)})
        yield env


def commit_command(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the message; commit nothing.")] = False,
    all_tracked: Annotated[
        bool, typer.Option("-a", "--all", help="Commit every change to tracked files, as `git commit -a`.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object at the end.")] = False,
) -> None:
    """Write a commit message for the staged change with the model, and commit it through git (hooks run)."""
    from codeassist.errors import CodeassistError
    from codeassist.interfaces.render import print_error, print_json

    opts: GlobalOptions = ctx.obj
    try:
        data = _commit(opts, dry_run=dry_run, all_tracked=all_tracked)
    except CodeassistError as exc:
        if not as_json:
            raise
        print_error(exc.message, exc.hint, color=opts.color())
        error = exc.message + (f" ({exc.hint})" if exc.hint else "")
        print_json({"commit": None, "message": "", "files": [], "dry_run": dry_run, "errors": [error]})
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        print_json({**data, "errors": []})
    elif dry_run:
        print(data["message"])
    else:
        print(f"[{data['commit'][:12]}] {data['message'].splitlines()[0]}")


def _commit(opts: GlobalOptions, *, dry_run: bool, all_tracked: bool) -> dict[str, Any]:
    from contextlib import nullcontext

    from codeassist.errors import TaskFailed
    from codeassist.git import require_repo
    from codeassist.interfaces.review_wiring import model_completion, prompt_dirs_for
    from codeassist.review.changes import staged_changes
    from codeassist.review.message import draft_message

    root = require_repo(opts.start_dir())
    settings = opts.settings(root)
    complete = model_completion(opts, settings)
    scope = _all_tracked_staged(root, opts.environ) if all_tracked else nullcontext(dict(opts.environ))
    with scope as env:
        changes = staged_changes(root, env)
    if not changes.files:
        raise TaskFailed(
            "nothing to commit: no change is staged",
            hint="stage changes with `git add`, or pass -a to commit every change to tracked files",
        )
    message = draft_message(changes, root, complete, dirs=prompt_dirs_for(opts, root))
    if not message.strip():
        raise TaskFailed("the model's reply held no commit message")
    files = [f.path for f in changes.files]
    if dry_run:
        return {"commit": None, "message": message, "files": files, "dry_run": True}
    sha = _git_commit(root, message, all_tracked=all_tracked, verify=bool(settings.verify_hooks))
    return {"commit": sha, "message": message, "files": files, "dry_run": False}


def _git_commit(root: Path, message: str, *, all_tracked: bool, verify: bool) -> str:
    """``git commit`` with ``message`` (the user's hooks run unless verify_hooks is off); the new commit."""
    import tempfile

    from codeassist.git import head_sha, run_git

    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="codeassist-msg-", delete=False) as fh:
        fh.write(message.rstrip("\n") + "\n")
        msg_path = Path(fh.name)
    try:
        args = ["commit", "--quiet", "-F", str(msg_path), "--cleanup=strip"]
        if all_tracked:
            args.append("-a")
        if not verify:
            args.append("--no-verify")
        run_git(root, *args)
    finally:
        msg_path.unlink(missing_ok=True)
    sha = head_sha(root)
    assert sha is not None
    return sha


def register(app: typer.Typer) -> None:
    app.command("commit")(commit_command)
