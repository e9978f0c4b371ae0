"""Commands over the record of requests: ``export`` (fine-tuning files), ``stats``, ``record forget``.

The global ``--repo PATH`` narrows each of them to one repository; without it
they cover every recorded repository.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions
    from codeassist.learn.store import Store, Trajectory

SinceOpt = Annotated[
    Optional[str], typer.Option("--since", help="Only requests from then on: a date, 2026-01-31T14:00, or 7d, 12h, 2w.")
]


def _scope(opts: GlobalOptions, since: str | None) -> tuple[str | None, str | None]:
    """(since as the record's ISO time, the repository to narrow to) from --since and the global --repo."""
    from codeassist.learn.period import parse_since

    iso = parse_since(since, datetime.now(UTC)) if since else None
    if opts.repo is None:
        return iso, None
    from codeassist.git import find_repo_root

    start = opts.start_dir()
    return iso, str((find_repo_root(start) or start).resolve())


def _recorded(opts: GlobalOptions, store: Store, since: str | None, repo: str | None) -> list[Trajectory]:
    """The trajectories in scope, their fates brought up to date first (for repositories still there)."""
    from codeassist.errors import GitError
    from codeassist.learn.record import settle_fates

    for path in store.repos():
        if repo is not None and path != repo:
            continue
        if Path(path, ".git").exists():
            try:
                settle_fates(store, Path(path))
            except GitError:
                continue  # a repository that moved or broke keeps its last known fates
    return store.trajectories(since=since, repo=repo)


def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="openai-sft, openai-dpo or jsonl.")] = "openai-sft",
    since: SinceOpt = None,
    kept_only: Annotated[
        bool, typer.Option("--kept-only", help="Only changes still kept (not uncommitted ones).")
    ] = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here (default: stdout).")] = None,
) -> None:
    """Write recorded requests as fine-tuning data (the last eval's tasks held out)."""
    from codeassist.errors import UsageError
    from codeassist.learn.evaluate import last_report
    from codeassist.learn.export import FORMATS, build_export, example_tokens, heldout_tasks
    from codeassist.learn.record import default_data_dir
    from codeassist.learn.store import open_store

    opts: GlobalOptions = ctx.obj
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))
    iso, repo = _scope(opts, since)
    data_dir = default_data_dir()
    with open_store(data_dir) as store:
        trajectories = _recorded(opts, store, iso, repo)
    root = opts.repo_root()
    report = last_report(data_dir, root) if root is not None else None
    requests = [t.get("request", "") for t in (report or {}).get("tasks", [])]
    result = build_export(fmt, trajectories, kept_only=kept_only, heldout_requests=requests)
    err = _err(opts)
    files = [(output, list(result.examples))]
    if output is not None and report and root is not None and fmt != "openai-dpo":
        held = heldout_tasks(root, report, fmt)
        if held:
            files.append((output.with_name(output.stem + ".heldout" + (output.suffix or ".jsonl")), held))
    for path, examples in files:
        _write_lines(path, examples)
        tokens = sum(example_tokens(e) for e in examples)
        where = "stdout" if path is None else str(path)
        err.print(f"{where}: {len(examples)} examples, {tokens:,} tokens (estimated)", markup=False, highlight=False)
    for reason, count in sorted(result.skipped.items()):
        err.print(f"left out: {count} request(s) ({reason})", markup=False, highlight=False)
    if not trajectories:
        err.print("nothing recorded yet: set record = true (codeassist config set record true)", markup=False)


def _write_lines(path: Path | None, examples: list[dict[str, Any]]) -> None:
    import sys

    from codeassist.errors import UsageError

    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in examples)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # the examples hold the user's code
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _err(opts: GlobalOptions) -> Any:
    from codeassist.interfaces.render import console

    return console(opts, stderr=True)


def stats(
    ctx: typer.Context,
    since: SinceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Acceptance, apply failures, rounds and cost per kept change, by model and edit format."""
    from codeassist.learn.record import default_data_dir
    from codeassist.learn.stats import edit_stats
    from codeassist.learn.store import open_store

    opts: GlobalOptions = ctx.obj
    iso, repo = _scope(opts, since)
    with open_store(default_data_dir()) as store:
        data = edit_stats(_recorded(opts, store, iso, repo))
    if as_json:
        from codeassist.interfaces.render import print_json

        print_json({**data, "since": iso, "repo": repo})
        return
    _print_stats(opts, data)


def _print_stats(opts: GlobalOptions, data: dict[str, Any]) -> None:
    from rich.table import Table

    from codeassist.interfaces.render import console

    out = console(opts)
    if not out.is_terminal:
        out.width = max(out.width, 140)
    table = Table(title="recorded edit requests", box=None, pad_edge=False)
    headers = ("model", "format", "requests", "kept", "accepted", "apply failures", "rounds", "cost", "cost/kept")
    for h in headers:
        table.add_column(h, justify="left" if h in ("model", "format") else "right", no_wrap=True)
    for r in [*data["rows"], data["total"]] if data["rows"] else []:
        cost = "-" if r["cost_usd"] is None else f"${r['cost_usd']:.4f}"
        per = "-" if r["cost_per_kept"] is None else f"${r['cost_per_kept']:.4f}"
        table.add_row(
            r["model"], r["edit_format"], str(r["requests"]), str(r["kept"]), f"{r['acceptance'] * 100:.0f}%",
            f"{r['apply_failure'] * 100:.0f}%", f"{r['rounds']:.1f}", cost, per,
        )  # fmt: skip
    if data["rows"]:
        out.print(table)
    else:
        out.print("no edit requests recorded (record = true turns the record on)", markup=False)
    if data["asks"]:
        out.print(f"and {data['asks']} question(s) asked", markup=False)


record_app = typer.Typer(help="The record of requests (record = true): forget what it holds.", no_args_is_help=True)


@record_app.command("forget")
def forget(
    ctx: typer.Context,
    since: SinceOpt = None,
    everything: Annotated[bool, typer.Option("--all", help="Delete the whole record, whatever its state.")] = False,
) -> None:
    """Delete recorded requests: from --since on, of the --repo repository, or --all."""
    from codeassist.errors import UsageError
    from codeassist.learn.record import default_data_dir
    from codeassist.learn.store import delete_database, open_store

    opts: GlobalOptions = ctx.obj
    err = _err(opts)
    if everything:
        if since or opts.repo is not None:
            raise UsageError("--all deletes everything; it takes no --since or --repo")
        gone = delete_database(default_data_dir())
        err.print("the record is deleted" if gone else "there was no record", markup=False)
        return
    iso, repo = _scope(opts, since)
    if iso is None and repo is None:
        raise UsageError("say what to forget: --since WHEN, --repo PATH, or --all")
    with open_store(default_data_dir()) as store:
        count = store.forget(since=iso, repo=repo)
        store.conn.execute("VACUUM")  # deleted rows must not linger in free pages of the file
    err.print(f"forgot {count} request(s)", markup=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("stats")(stats)
    app.add_typer(record_app, name="record")
