"""``eval``: each model asked for each task's change in a temporary worktree, scored, saved as it finishes.

A run is the product of tasks (past commits, :mod:`codeassist.learn.tasks`)
and candidates (a model with an edit format). Each pair runs in its own
detached worktree at the commit's parent through a real
:class:`~codeassist.session.Session` with ``commit=False``, and its
:class:`~codeassist.learn.score.Score` is written to
``<results>/<candidate>/<sha>.json`` the moment it is known. A later run with
the same candidates skips the pairs that already have a score (except those
that ended in an ``error``: a backend or git failure is tried again), so an
interrupted run continues where it stopped. Up to ``jobs`` pairs run at once.
Ctrl-C stops every running request at its next event, and each worktree is
removed whatever happened.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.errors import CodeassistError, Interrupted
from codeassist.learn.score import Score, applied_once, files_touched, matches_commit, precision_recall, summarize
from codeassist.learn.tasks import FILTER, Task
from codeassist.learn.worktree import remove_stale, seed_index, temporary_worktree

if TYPE_CHECKING:
    from codeassist.backends.base import Message, RequestOptions, StreamEvent
    from codeassist.config import Settings
    from codeassist.session import EventSink, Session

MODES = ("classic",)  # "agent" arrives with the agent mode (issue 15)


@dataclass(frozen=True)
class Candidate:
    """What is measured: a model, the edit format it is asked to use, and the mode."""

    model: str
    edit_format: str
    mode: str = "classic"

    @property
    def key(self) -> str:
        return f"{self.model} {self.edit_format} {self.mode}"

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{self.model}__{self.edit_format}__{self.mode}")


@dataclass(frozen=True)
class Progress:
    """One pair finished (``resumed``: its score came from an earlier run)."""

    done: int
    total: int
    candidate: Candidate
    task: Task
    score: Score
    resumed: bool


SessionFactory = Callable[[Candidate, Path, "EventSink"], "Session"]


class TimedBackend:
    """A backend that adds up the time spent waiting for the model's events."""

    def __init__(self, inner: Any, clock: Callable[[], float]) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "backend")
        self.clock = clock
        self.seconds = 0.0

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        events = iter(self.inner.stream(messages, options))
        while True:
            start = self.clock()
            try:
                event = next(events)
            except StopIteration:
                return
            finally:
                self.seconds += self.clock() - start
            yield event

    def list_models(self) -> list[str]:
        return list(self.inner.list_models())


def results_dir(data_dir: Path, root: Path) -> Path:
    """Where this repository's eval results live in the user's data directory."""
    resolved = str(root.resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return data_dir / "eval" / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', root.name)}-{digest}"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def saved_score(results: Path, candidate: Candidate, task: Task) -> Score | None:
    """The score an earlier run saved for this pair (None when absent, unreadable, or an error)."""
    path = results / candidate.slug / f"{task.sha}.json"
    try:
        score = Score.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return None if score.status == "error" else score


class Evaluation:
    """One eval run; :meth:`run` returns every pair's score, task by task, in candidate order."""

    def __init__(
        self,
        root: Path,
        tasks: Sequence[Task],
        candidates: Sequence[Candidate],
        *,
        factory: SessionFactory,
        results: Path,
        jobs: int = 1,
        clock: Callable[[], float] = time.monotonic,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.root = root
        self.tasks = list(tasks)
        self.candidates = list(candidates)
        self.factory = factory
        self.results = results
        self.jobs = max(1, jobs)
        self.clock = clock
        self.on_progress = on_progress or (lambda p: None)
        self._stop = threading.Event()
        self._done = 0

    def run(self) -> list[Score]:
        pairs = [(t, c) for t in self.tasks for c in self.candidates]
        scores: dict[tuple[str, str], Score] = {}
        todo = []
        for task, cand in pairs:
            earlier = saved_score(self.results, cand, task)
            if earlier is None:
                todo.append((task, cand))
            else:
                scores[(task.sha, cand.key)] = earlier
                self._report(len(pairs), cand, task, earlier, resumed=True)
        if todo:
            remove_stale(self.root)
            self._run_pairs(todo, len(pairs), scores)
        ordered = [scores[(t.sha, c.key)] for t, c in pairs if (t.sha, c.key) in scores]
        self._write_last(ordered)
        return ordered

    def _run_pairs(self, todo: list[tuple[Task, Candidate]], total: int, scores: dict[tuple[str, str], Score]) -> None:
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="codeassist-eval")
        pending: dict[Future[Score | None], tuple[Task, Candidate]] = {}
        queue = list(todo)
        try:
            while queue or pending:
                while queue and len(pending) < self.jobs:
                    task, cand = queue.pop(0)
                    pending[pool.submit(self._one, task, cand)] = (task, cand)
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    task, cand = pending.pop(future)
                    score = future.result()
                    if score is None:
                        raise Interrupted()
                    scores[(task.sha, cand.key)] = score
                    _write_json(self.results / cand.slug / f"{task.sha}.json", score.to_json())
                    self._report(total, cand, task, score, resumed=False)
        except BaseException:
            # Ctrl-C (or a failure): every running request stops at its next event; worktrees go in its finally.
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _report(self, total: int, cand: Candidate, task: Task, score: Score, *, resumed: bool) -> None:
        self._done += 1
        self.on_progress(Progress(self._done, total, cand, task, score, resumed))

    def _one(self, task: Task, cand: Candidate) -> Score | None:
        """Run one pair; None when the run was interrupted."""
        from codeassist.session import RunOptions

        if self._stop.is_set():
            return None
        events: list[dict[str, Any]] = []

        def sink(event: dict[str, Any]) -> None:
            if self._stop.is_set():
                raise Interrupted()
            events.append(event)

        start = self.clock()
        timer: TimedBackend | None = None
        try:
            with temporary_worktree(self.root, task.parent) as tree:
                seed_index(self.root, tree)
                session = self.factory(cand, tree, sink)
                timer = TimedBackend(session.backend, self.clock)
                session.backend = timer
                opts = RunOptions(
                    "edit", task.request, edit_format=cand.edit_format, max_rounds=session.settings.max_rounds,
                    commit=False, auto_add_files=True,
                )  # fmt: skip
                result = session.edit(opts)
                if result.exit_code == Interrupted.exit_code or self._stop.is_set():
                    return None
                touched = files_touched(events)
                exact = result.status == "success" and matches_commit(tree, task.sha, [*task.files, *touched])
        except Interrupted:
            return None
        except CodeassistError as exc:
            return _error_score(task, cand, exc.message, self.clock() - start, timer)
        precision, recall = precision_recall(touched, task.files)
        usage = result.usage
        return Score(
            task.sha, task.subject, cand.model, cand.edit_format, cand.mode, result.status,
            applied=applied_once(events), checks_pass=result.status == "success", exact=exact,
            files_expected=task.files, files_touched=touched, precision=precision, recall=recall,
            rounds=result.rounds, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd, seconds=round(self.clock() - start, 3),
            model_seconds=round(timer.seconds if timer else 0.0, 3),
            error="; ".join(result.errors) if result.status == "error" else "",
        )  # fmt: skip

    def _write_last(self, scores: Sequence[Score]) -> None:
        _write_json(self.results / "last.json", report(self.tasks, self.candidates, scores))


def _error_score(task: Task, cand: Candidate, message: str, seconds: float, timer: TimedBackend | None) -> Score:
    return Score(
        task.sha, task.subject, cand.model, cand.edit_format, cand.mode, "error", False, False, False,
        task.files, (), 0.0, 0.0, 0, 0, 0, None, round(seconds, 3), round(timer.seconds if timer else 0.0, 3),
        message,
    )  # fmt: skip


def report(tasks: Sequence[Task], candidates: Sequence[Candidate], scores: Sequence[Score]) -> dict[str, Any]:
    """The run as one JSON object: the filter, the tasks, a summary per candidate, every score."""
    by_key: dict[str, list[Score]] = {c.key: [] for c in candidates}
    for s in scores:
        by_key.setdefault(Candidate(s.model, s.edit_format, s.mode).key, []).append(s)
    return {
        "filter": FILTER,
        "tasks": [t.to_json() for t in tasks],
        "models": [
            {"model": c.model, "edit_format": c.edit_format, "mode": c.mode, **summarize(by_key[c.key])}
            for c in candidates
        ],
        "results": [s.to_json() for s in scores],
    }


def last_report(data_dir: Path, root: Path) -> dict[str, Any] | None:
    """The last eval report of this repository, or None."""
    try:
        data = json.loads((results_dir(data_dir, root) / "last.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def session_factory(
    settings_for: Mapping[str, Settings], environ: Mapping[str, str], user_config_dir: Path | None
) -> SessionFactory:
    """Sessions on the configured backends: ``settings_for`` maps each model to its settings.

    Each model's facts come from the resolution every request uses
    (:func:`codeassist.session.resolve_model`: the server's window, the early
    key check), once per model, not once per task.
    """
    from codeassist.backends.model_facts import ModelFacts
    from codeassist.backends.registry import create_backend
    from codeassist.session import Session, resolve_model

    resolved: dict[str, ModelFacts] = {}

    def make(cand: Candidate, root: Path, sink: EventSink) -> Session:
        if cand.model not in resolved:
            resolved[cand.model] = resolve_model(settings_for[cand.model], environ)
        facts = resolved[cand.model]
        return Session(
            create_backend(facts.settings, environ), root=root, settings=facts.settings,
            model_info=facts.info, on_event=sink, environ=environ,
            user_config_dir=user_config_dir, own_record=False,
        )  # fmt: skip

    return make
