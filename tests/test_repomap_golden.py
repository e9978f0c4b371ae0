"""Golden files of rendered repo maps for a small fixture repository.

To accept a deliberate change of output, regenerate the files and review the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/test_repomap_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest
from repomap_fixture import make_shop

from codeassist.repomap import build_repo_map

GOLDEN = Path(__file__).parent / "golden" / "repomap"

# Budgets hold the whole map, so the goldens show ranking and rendering and do
# not move when the token estimator is recalibrated (test_repomap.py covers budgets).
CASES = {
    "central": {"tokens": 4000},
    "query_and_chat_file": {
        "tokens": 4000,
        "query": "fix the rounding in apply_discount",
        "chat_files": ["shop/cart.py"],
    },
    "path_mention": {"tokens": 4000, "query": "why does checkout.py print EUR?"},
}


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/{name}", "actual"
            )
        )
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff}", pytrace=False)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_map(git_repo: Path, case: str) -> None:
    make_shop(git_repo)
    result = build_repo_map(git_repo, **CASES[case])  # type: ignore[arg-type]
    assert result.tokens <= CASES[case]["tokens"]  # type: ignore[operator]
    # Token counts stay out: they follow the estimator, which is calibrated on its own.
    summary = {"files": [[f.path, f.rank, list(f.symbols)] for f in result.files]}
    _compare(f"{case}.txt", result.text)
    _compare(f"{case}.json", json.dumps(summary, indent=1) + "\n")
