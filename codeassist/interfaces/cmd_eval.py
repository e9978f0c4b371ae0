"""Command: ``eval``: measure models on this repository's own past commits."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from codeassist.interfaces.options import GlobalOptions
    from codeassist.learn.evaluate import Candidate, Progress

EDIT_FORMATS = ("search-replace", "udiff", "whole", "patch", "tool")


def _candidates(opts: GlobalOptions, root: Path, models: list[str], formats: list[str], mode: str) -> tuple[
    list[Candidate], dict[str, Any]
]:  # fmt: skip
    """The (model, edit format) pairs to measure and each model's settings; fails early on a bad one."""
    from codeassist.backends.catalogue import lookup_model
    from codeassist.backends.registry import create_backend
    from codeassist.errors import ConfigError, UsageError
    from codeassist.learn.evaluate import MODES, Candidate

    if mode not in MODES:
        raise UsageError(
            f"unknown mode {mode!r}: eval measures the classic mode only in this version",
            hint="the agent mode is not available yet; use --mode classic",
        )
    for fmt in formats:
        if fmt not in EDIT_FORMATS:
            raise UsageError(f"unknown edit format {fmt!r}", hint="use one of: " + ", ".join(EDIT_FORMATS))
    base = opts.settings(root)
    names = models or ([base.model] if base.model else [])
    if not names:
        raise ConfigError("no model to measure", hint="name one or more: codeassist eval --model A --model B")
    settings_for: dict[str, Any] = {}
    out: list[Candidate] = []
    for name in dict.fromkeys(names):
        settings = opts.settings(root, model=name)
        create_backend(settings, opts.environ)  # an unknown backend or a missing key fails here, not per task
        settings_for[name] = settings
        default = settings.edit_format or lookup_model(name, settings.models).edit_format
        out += [Candidate(name, fmt, mode) for fmt in (formats or [default])]
    return out, settings_for


def _check_rev(root: Path, rev: str) -> None:
    from codeassist.errors import UsageError
    from codeassist.git import run_git

    if run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).returncode != 0:
        raise UsageError(f"--since {rev}: not a commit of this repository")


def eval_command(
    ctx: typer.Context,
    commits: Annotated[int, typer.Option("--commits", help="How many past commits to use as tasks.")] = 10,
    since: Annotated[Optional[str], typer.Option("--since", help="Only commits after REV (REV..HEAD).")] = None,
    model: Annotated[
        Optional[list[str]],
        typer.Option("--model", help="A model to measure (repeatable; default: the configured one)."),
    ] = None,
    edit_format: Annotated[
        Optional[list[str]], typer.Option("--edit-format", help="Edit format(s) to compare (default: the model's).")
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="classic (the agent mode is not available in this version yet).")
    ] = "classic",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Tasks run at once.")] = 1,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore saved scores of earlier runs.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with every score.")] = False,
) -> None:
    """Measure models on this repository's own small past commits (never touches your work tree)."""
    from codeassist.errors import CodeassistError

    try:
        _eval(ctx.obj, commits, since, list(model or []), list(edit_format or []), mode, jobs, fresh, as_json)
    except CodeassistError as exc:
        if not as_json:
            raise
        from codeassist.interfaces.render import print_error, print_json
        from codeassist.learn.tasks import FILTER
        from codeassist.session import error_text

        print_error(exc.message, exc.hint, color=ctx.obj.color())
        print_json({"filter": FILTER, "tasks": [], "models": [], "results": [], "errors": [error_text(exc)]})
        raise typer.Exit(exc.exit_code) from None


def _eval(
    opts: GlobalOptions,
    commits: int,
    since: str | None,
    model: list[str],
    edit_format: list[str],
    mode: str,
    jobs: int,
    fresh: bool,
    as_json: bool,
) -> None:
    from codeassist.config import user_config_path
    from codeassist.errors import TaskFailed, UsageError
    from codeassist.git import require_repo
    from codeassist.learn.evaluate import Evaluation, report, results_dir, session_factory
    from codeassist.learn.record import default_data_dir
    from codeassist.learn.tasks import FILTER, select_tasks

    if commits < 1 or jobs < 1:
        raise UsageError("--commits and --jobs must be 1 or more")
    root = require_repo(opts.start_dir())
    if since:
        _check_rev(root, since)
    candidates, settings_for = _candidates(opts, root, model, edit_format, mode)
    tasks = select_tasks(root, count=commits, since=since)
    if not tasks:
        raise TaskFailed("no past commit fits the eval filter", hint=f"the filter: {FILTER}")
    results = results_dir(default_data_dir(), root)
    if fresh:
        import shutil

        for cand in candidates:
            shutil.rmtree(results / cand.slug, ignore_errors=True)
    factory = session_factory(settings_for, opts.environ, user_config_path(opts.environ).parent)
    with _progress(opts, len(tasks) * len(candidates)) as on_progress:
        scores = Evaluation(
            root, tasks, candidates, factory=factory, results=results, jobs=jobs, on_progress=on_progress
        ).run()
    data = report(tasks, candidates, scores)
    if as_json:
        from codeassist.interfaces.render import print_json

        print_json({**data, "results_dir": str(results), "errors": []})
    else:
        _print_table(opts, data, results)


class _progress:
    """A rich progress bar on a terminal, one line per finished task otherwise (both on stderr)."""

    def __init__(self, opts: GlobalOptions, total: int) -> None:
        from codeassist.interfaces.render import console

        self.err = console(opts, stderr=True)
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=self.err, transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self.update

    def update(self, p: Progress) -> None:
        s = p.score
        mark = "exact" if s.exact else ("checked" if s.checks_pass else ("applied" if s.applied else s.status))
        line = f"{p.task.sha[:10]} {p.candidate.model} ({p.candidate.edit_format}): {mark}"
        line += " (saved earlier)" if p.resumed else f", {s.seconds:.1f}s"
        if self.bar is not None:
            self.bar.update(self.task, completed=p.done, description=line)
        else:
            self.err.print(f"[{p.done}/{p.total}] {line}", markup=False, highlight=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _print_table(opts: GlobalOptions, data: dict[str, Any], results: Path) -> None:
    from rich.table import Table

    from codeassist.interfaces.render import console

    out = console(opts)
    if not out.is_terminal:
        out.width = max(out.width, 140)
    table = Table(title=f"eval: {len(data['tasks'])} past commits of this repository", box=None, pad_edge=False)
    for header in ("model", "format", "tasks", "applied", "checks pass", "exact", "files P/R", "rounds"):
        table.add_column(header, justify="left" if header in ("model", "format") else "right", no_wrap=True)
    for header in ("tokens in/out", "cost", "median s", "errors"):
        table.add_column(header, justify="right", no_wrap=True)
    for m in data["models"]:
        cost = "-" if m["cost_usd"] is None else f"${m['cost_usd']:.4f}"
        table.add_row(
            m["model"], m["edit_format"], str(m["tasks"]), _pct(m["applied"]), _pct(m["checks_pass"]),
            _pct(m["exact"]), f"{m['precision']:.2f}/{m['recall']:.2f}", f"{m['rounds']:.1f}",
            f"{m['input_tokens']:,}/{m['output_tokens']:,}", cost, f"{m['median_seconds']:.1f}", str(m["errors"]),
        )  # fmt: skip
    out.print(table)
    err = console(opts, stderr=True)
    err.print(f"details: {results / 'last.json'} (--json prints them)", markup=False, highlight=False)


def last_eval_models(opts: GlobalOptions) -> list[dict[str, Any]] | None:
    """Each model's figures from this repository's last eval (None outside a repository or before one)."""
    from codeassist.learn.evaluate import last_report
    from codeassist.learn.record import default_data_dir

    root = opts.repo_root()
    report = last_report(default_data_dir(), root) if root is not None else None
    models = report.get("models") if report else None
    return models if isinstance(models, list) else None


def print_last_eval(opts: GlobalOptions) -> None:
    """A short table of the last eval's figures in this repository, for ``codeassist models``."""
    models = last_eval_models(opts)
    if not models:
        return
    from rich.table import Table

    from codeassist.interfaces.render import console

    table = Table(title="last eval in this repository (codeassist eval)", box=None, pad_edge=False)
    for header in ("model", "format", "tasks", "checks pass", "exact", "median s"):
        table.add_column(header, justify="left" if header in ("model", "format") else "right", no_wrap=True)
    for m in models:
        table.add_row(
            str(m.get("model")), str(m.get("edit_format")), str(m.get("tasks", 0)), _pct(m.get("checks_pass", 0.0)),
            _pct(m.get("exact", 0.0)), f"{m.get('median_seconds', 0.0):.1f}",
        )  # fmt: skip
    out = console(opts)
    out.print()
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
