"""Command: ``review`` (findings on a change: staged, a revision range, or everything uncommitted)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions
    from codeassist.review.changes import ChangeSet

FAIL_ON = ("error", "warning", "never")


def _changes(opts: GlobalOptions, root: Path, rev_range: str | None, staged: bool, uncommitted: bool) -> ChangeSet:
    from codeassist.errors import UsageError
    from codeassist.review.changes import range_changes, staged_changes, uncommitted_changes

    if sum([bool(rev_range), staged, uncommitted]) > 1:
        raise UsageError("choose one of --staged, REV_RANGE and --uncommitted")
    if rev_range:
        return range_changes(root, opts.environ, rev_range)
    if uncommitted:
        return uncommitted_changes(root, opts.environ)
    return staged_changes(root, opts.environ)


def _empty(target: str, rev_range: str | None) -> dict[str, Any]:
    return {
        "target": target,
        "range": rev_range,
        "findings": [],
        "files": [],
        "model": "off",
        "not_sent": [],
        "dropped": 0,
        "cached": False,
        "blocking": False,
        "warnings": [],
        "errors": [],
    }


def review_command(
    ctx: typer.Context,
    rev_range: Annotated[Optional[str], typer.Argument(help="A revision range A..B, or one commit.")] = None,
    staged: Annotated[bool, typer.Option("--staged", help="Review what is staged (the default).")] = False,
    uncommitted: Annotated[
        bool, typer.Option("--uncommitted", help="Review every uncommitted change, untracked files too.")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Offline checks only, no model.")] = False,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 on a finding at or above: error, warning or never.")
    ] = "error",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object at the end.")] = False,
) -> None:
    """Findings on a change: syntax, conflict markers, secrets, large files, debugging leftovers, the model's review."""
    from codeassist.errors import CodeassistError, UsageError
    from codeassist.interfaces.render import console, print_error, print_json
    from codeassist.interfaces.review_wiring import print_findings

    opts: GlobalOptions = ctx.obj
    target = "range" if rev_range else "uncommitted" if uncommitted else "staged"
    try:
        if fail_on not in FAIL_ON:
            raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        code, data, result_changes = _review(opts, rev_range, staged, uncommitted, offline, fail_on)
    except CodeassistError as exc:
        if not as_json:
            raise
        print_error(exc.message, exc.hint, color=opts.color())
        print_json({**_empty(target, rev_range), "errors": [exc.message + (f" ({exc.hint})" if exc.hint else "")]})
        raise typer.Exit(exc.exit_code) from None
    err = console(opts, stderr=True)
    if as_json:
        print_json({**_empty(target, rev_range), **data})
    else:
        from codeassist.review.findings import Finding

        findings = [Finding.from_json(f) for f in data["findings"]]
        print_findings(console(opts), findings, result_changes)
        n_err = sum(f.severity == "error" for f in findings)
        err.print(
            f"{len(data['files'])} file(s) reviewed: {n_err} error(s), {len(findings) - n_err} warning(s)"
            + (f"; model review: {data['model']}" if data["model"] != "off" else ""),
            markup=False,
            highlight=False,
        )
    for warning in data["warnings"]:
        err.print(f"warning: {warning}", markup=False, highlight=False)
    raise typer.Exit(code)


def _review(
    opts: GlobalOptions, rev_range: str | None, staged: bool, uncommitted: bool, offline: bool, fail_on: str
) -> tuple[int, dict[str, Any], ChangeSet]:
    from codeassist.git import require_repo
    from codeassist.interfaces.review_wiring import cache_dir_for, model_completion, prompt_dirs_for
    from codeassist.review.findings import blocks
    from codeassist.review.model import FINDINGS_SCHEMA
    from codeassist.review.rules import from_settings
    from codeassist.review.run import review

    root = require_repo(opts.start_dir())
    settings = opts.settings(root)
    config = from_settings(settings)
    changes = _changes(opts, root, rev_range, staged, uncommitted)
    notes: list[str] = []
    complete = None
    if not offline and settings.model:
        complete = lambda: model_completion(opts, settings, json_schema=FINDINGS_SCHEMA)  # noqa: E731 - built only when there is something to send
    elif not offline:
        notes.append("no model configured: offline checks only (set one with --model or `codeassist config set model`)")
    result = review(
        changes,
        config,
        root=root,
        complete=complete,
        model_name=str(settings.model or ""),
        prompt_dirs=prompt_dirs_for(opts, root),
        cache_dir=cache_dir_for(root) if changes.kind == "staged" else None,
    )
    blocking = blocks(result.findings, fail_on)
    code = 1 if blocking else 4 if result.model_failed else 0
    data = result.to_json()
    data["warnings"] = notes + data["warnings"]
    data["blocking"] = blocking
    return code, data, changes


def register(app: typer.Typer) -> None:
    app.command("review")(review_command)
