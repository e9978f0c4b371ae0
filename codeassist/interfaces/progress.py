"""Never a silent wait: the index build's progress bar and the spinner shown until a model's first token.

Both draw on standard error, only on a terminal that can redraw (a dumb
terminal or a pipe gets nothing: there the raw text is all there is), and
both vanish when done (transient), leaving only what follows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.status import Status
    from rich.text import Text

PROGRESS_AFTER = 1.0  # seconds: shorter index builds show no bar at all


class LazyProgress:
    """A progress bar on stderr that appears only once parsing has run for a second (``codeassist index``, the chat)."""

    def __init__(self, err: Console, clock: Any = time.monotonic) -> None:
        self.err = err
        self.clock = clock
        self.start = clock()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.start < PROGRESS_AFTER or done >= total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("indexing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} files/s"),
                TimeRemainingColumn(),
                console=self.err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("index", total=total, rate="-")
        elapsed = max(self.clock() - self.start, 1e-6)
        self.bar.update(self.task, completed=done, total=total, rate=f"{done / elapsed:,.0f}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def warm_index(root: Path, err: Console) -> None:
    """Bring the index of ``root`` up to date with the progress bar of ``codeassist index``.

    The chat calls it before its first request, which would otherwise build the index silently
    (seconds, the first time on a large repository). A problem is left for the request to report.
    """
    from codeassist.errors import CodeassistError
    from codeassist.index.indexer import refresh_index

    bar = LazyProgress(err)
    try:
        refresh_index(root, progress=bar)
    except CodeassistError:
        pass
    finally:
        bar.close()


class _Elapsed:
    """``waiting for MODEL... 2.3 s``, read again at every redraw."""

    def __init__(self, what: str, clock: Callable[[], float]) -> None:
        self.what = what
        self.clock = clock
        self.start = clock()

    def __rich__(self) -> Text:
        from rich.text import Text

        return Text(f"{self.what}... {self.clock() - self.start:.1f} s", style="dim")


class Waiting:
    """A spinner with the elapsed time, from ``start`` until ``stop`` (the first token, or anything else)."""

    def __init__(self, err: Console, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.err = err
        self.clock = clock
        self._status: Status | None = None

    @property
    def active(self) -> bool:
        return self._status is not None

    def start(self, what: str) -> None:
        if self._status is not None or not self.err.is_terminal or self.err.is_dumb_terminal:
            return
        from rich.status import Status

        self._status = Status(_Elapsed(what, self.clock), console=self.err, spinner="dots")  # type: ignore[arg-type]
        self._status.start()

    def stop(self) -> None:
        status, self._status = self._status, None
        if status is not None:
            status.stop()
