"""A review end to end: offline checks, then the model's review within the time budget, then markers.

:func:`review` never prints and never changes the repository; it returns a
:class:`ReviewResult`. Backend failures are not raised: they become
``warnings`` and ``model_status`` ``"failed"``; the caller decides whether
that blocks (the hook fails open unless configured to fail closed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeassist import __version__
from codeassist.errors import CodeassistError
from codeassist.filerule import model_may_read
from codeassist.review import cache
from codeassist.review.changes import ChangedFile, ChangeSet
from codeassist.review.findings import Finding, sort_findings
from codeassist.review.model import Complete, ModelFindings, model_review
from codeassist.review.offline import check_file, path_matcher
from codeassist.review.rules import ReviewConfig, apply_markers

# "off": not asked for; "none": nothing to send; "done"; "failed": backend error; "timeout": over the budget.
ModelStatus = str


@dataclass(frozen=True)
class ReviewResult:
    findings: tuple[Finding, ...]
    files: tuple[str, ...]
    model_status: ModelStatus = "off"
    warnings: tuple[str, ...] = ()
    not_sent: tuple[str, ...] = ()  # files kept from the model (ignored, secret stores, holding a secret)
    dropped: int = 0  # model findings that could not be used
    cached: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def model_failed(self) -> bool:
        return self.model_status in ("failed", "timeout")

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [f.to_json() for f in self.findings],
            "files": list(self.files),
            "model": self.model_status,
            "not_sent": list(self.not_sent),
            "dropped": self.dropped,
            "cached": self.cached,
            "warnings": list(self.warnings),
        }


def review(
    changes: ChangeSet,
    config: ReviewConfig,
    *,
    root: Path,
    complete: Callable[[], Complete] | None = None,
    model_name: str = "",
    prompt_dirs: Sequence[Path] | None = None,
    cache_dir: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ReviewResult:
    """Review ``changes``; ``complete`` asks the model.

    ``complete`` is a factory, so no backend is built for a cached or empty change.
    """
    start = clock()
    key = None
    if changes.key is not None and cache_dir is not None:
        key = cache.cache_key(__version__, changes.key, config.fingerprint(), model_name if complete else "")
        hit = cache.load(cache_dir, key)
        if hit is not None:
            try:
                return ReviewResult(
                    tuple(Finding.from_json(f) for f in hit["findings"]),
                    tuple(hit["files"]),
                    hit["model"],
                    (),
                    tuple(hit["not_sent"]),
                    int(hit["dropped"]),
                    True,
                )
            except (KeyError, TypeError, ValueError):
                pass
    prints = path_matcher(config.debug_print_paths)
    findings: list[Finding] = []
    for f in changes.files:
        findings += check_file(f, config, prints)
    offline_done = clock()
    status: ModelStatus = "off"
    warnings: list[str] = []
    not_sent: list[str] = []
    dropped = 0
    if complete is not None and config.enabled("model"):
        may_read = model_may_read(root)
        with_secret = {f.path for f in findings if f.rule == "secret"}
        sendable = []
        for f in changes.files:
            if f.new is None:
                continue
            if may_read(f.path) and f.path not in with_secret:
                sendable.append(f)
            else:
                not_sent.append(f.path)
        if not sendable:
            status = "none"
        else:
            budget = config.timeout - (clock() - start)
            status, got, warning = _ask_in_time(sendable, complete, config, prompt_dirs, budget)
            if warning:
                warnings.append(warning)
            if got is not None:
                findings += got.findings
                dropped = got.dropped
                if got.dropped:
                    warnings.append(f"{got.dropped} finding(s) of the model could not be used and were dropped")
    lines = {f.path: f.text().splitlines() for f in changes.files if f.new is not None}
    kept = tuple(sort_findings(apply_markers(findings, lines)))
    result = ReviewResult(
        kept,
        tuple(f.path for f in changes.files),
        status,
        tuple(warnings),
        tuple(sorted(not_sent)),
        dropped,
        False,
        {"offline": offline_done - start, "total": clock() - start},
    )
    if key is not None and not result.model_failed:
        data = result.to_json()
        cache.store(cache_dir, key, data)
    return result


def _ask_in_time(
    files: Sequence[ChangedFile],
    complete: Callable[[], Complete],
    config: ReviewConfig,
    dirs: Sequence[Path] | None,
    budget: float,
) -> tuple[ModelStatus, ModelFindings | None, str | None]:
    """Run the model's review in a daemon thread and wait at most ``budget`` seconds for it.

    A thread, because a blocked socket read cannot be interrupted otherwise;
    on time-out it is abandoned (the hook process exits right after).
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            ask = complete()
            outcome["value"] = model_review(
                files, ask, context=config.context_lines, max_chars=config.max_diff_chars, dirs=dirs
            )
        except CodeassistError as exc:
            outcome["error"] = exc
        except Exception as exc:  # foreign code in a backend plugin must not break a commit
            outcome["error"] = exc

    if budget <= 0:
        return "timeout", None, "model review skipped: the time budget was spent on the offline checks"
    thread = threading.Thread(target=work, name="codeassist-review", daemon=True)
    thread.start()
    thread.join(budget)
    if thread.is_alive():
        return "timeout", None, f"model review did not finish within {config.timeout:g} s (hook_timeout); skipped"
    if "error" in outcome:
        exc = outcome["error"]
        if isinstance(exc, CodeassistError) and exc.exit_code == 3:
            return "failed", None, f"model review skipped: {exc.message}"
        return "failed", None, f"model review failed: {exc}"
    return "done", outcome["value"], None
