"""SIGTERM and SIGHUP as an orderly unwind, like Ctrl-C.

While a :class:`TerminationGuard` is active (a Workspace transaction is open),
SIGTERM and SIGHUP raise :class:`Terminated` in the main thread, so the
transaction's restore runs exactly as it does for ``KeyboardInterrupt``; the
process then exits 128 + the signal number (143, 129). Inside
:meth:`TerminationGuard.deferred` (the restore itself) a signal is only
remembered and raised once the block ends: a restore is never cut short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """The process received SIGTERM or SIGHUP; like KeyboardInterrupt, not an Exception."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class TerminationGuard:
    """Installs the handlers on enter (main thread only) and puts the previous ones back on exit."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self._deferring = 0
        self._pending: int | None = None

    def __enter__(self) -> TerminationGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._deferring:
            self._pending = self._pending or signum
            return
        raise Terminated(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Run the block to its end even if a signal (Ctrl-C too) arrives; raise it afterwards."""
        self._deferring += 1
        interrupt = None
        if self._previous and self._deferring == 1:
            interrupt = signal.signal(signal.SIGINT, self._handle)
        try:
            yield
        finally:
            self._deferring -= 1
            if interrupt is not None:
                signal.signal(signal.SIGINT, interrupt)
        if not self._deferring and self._pending is not None:
            signum, self._pending = self._pending, None
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise Terminated(signum)

    def discard_pending(self) -> None:
        """Forget a signal that arrived while already unwinding for another one."""
        self._pending = None
