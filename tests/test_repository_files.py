"""The project's own files hold no conflict markers.

A merge once left them in README.md and BENCHMARKS.md, and the suite did not notice.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A marker line as git writes it; the edit formats' own "<<<<<<< SEARCH" and ">>>>>>> REPLACE" are not.
MARKER = re.compile(rb"^(?:<{7} (?!SEARCH\b)|>{7} (?!REPLACE\b))", re.MULTILINE)
# Files that hold conflict markers on purpose: tests and prompts about conflicts, edit-format examples.
ON_PURPOSE = re.compile(r"^(?:tests/|prompts/|codeassist/templates/|codeassist/(?:edits|review)/)")


def test_no_conflict_markers_in_the_projects_files() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:  # an unpacked source archive, not a checkout
        return
    found = []
    for raw in listed.stdout.split(b"\0"):
        rel = raw.decode("utf-8", "surrogateescape")
        if not rel or ON_PURPOSE.match(rel) or not (ROOT / rel).is_file():
            continue
        data = (ROOT / rel).read_bytes()
        if b"\0" not in data[:8192] and MARKER.search(data):
            found.append(rel)
    assert found == []
