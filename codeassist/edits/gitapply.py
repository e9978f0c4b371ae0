"""``git apply`` on a scratch copy of one file's in-memory content.

Running ``git apply`` against a temporary directory (never the work tree)
keeps the applier all-or-nothing: the result is text in memory, written later
with every other edit or not at all.

``git apply`` finds a hunk by its line number and slides it when the context
sits elsewhere. A hunk that landed exactly where its header said agrees with
the model twice (line and context); one that had to slide is handed back to
the matcher, which refuses a context that occurs more than once instead of
picking the nearest copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")


def hunks_only(raw_patch: str) -> str | None:
    """The patch's hunks (from the first ``@@``), or None when a hunk lacks line numbers."""
    lines = raw_patch.replace("\r\n", "\n").splitlines(True)
    start = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
    if start is None:
        return None
    body: list[str] = []
    for line in lines[start:]:
        if line.startswith("@@"):
            if not _HUNK.match(line):
                return None
        elif line.startswith(("--- ", "+++ ", "diff --git", "```")):
            break
        elif line[:1] not in (" ", "+", "-", "\\", "\n"):
            return None
        body.append(line if line.endswith("\n") else line + "\n")
    return "".join(body)


def git_apply_text(text: str, rel: str, raw_patch: str) -> str | None:
    """``text`` with the patch applied at its stated lines, or None to fall back to the matcher."""
    body = hunks_only(raw_patch)
    if not body:
        return None
    patch = f"--- a/{rel}\n+++ b/{rel}\n{body}"
    with tempfile.TemporaryDirectory(prefix="codeassist-apply-") as tmp:
        target = Path(tmp) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        env = dict(os.environ)
        # Never let git find a repository around the scratch directory.
        env["GIT_CEILING_DIRECTORIES"] = str(Path(tmp).parent)
        env.pop("GIT_DIR", None)
        env.pop("GIT_WORK_TREE", None)
        env.pop("GIT_INDEX_FILE", None)
        try:
            check = subprocess.run(
                ["git", "apply", "--recount", "--verbose", "--whitespace=nowarn", "-"],
                cwd=tmp,
                input=patch.encode("utf-8"),
                capture_output=True,
                env=env,
                check=False,
            )
        except OSError:
            return None
        if check.returncode != 0 or b"offset" in check.stderr or b"fuzz" in check.stderr:
            return None
        try:
            return target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None


_INDEX = re.compile(r"^index ([0-9a-f]{7,64})\.\.([0-9a-f]{7,64})", re.MULTILINE)


def three_way_text(text: str, rel: str, raw_patch: str, read_blob: Callable[[str], bytes | None]) -> str | None:
    """What ``git apply --3way`` does, in memory: the patch applied to its own preimage
    (named by the diff's ``index`` line and present in the repository), merged into ``text``.

    None when the diff names no known preimage or the merge conflicts.
    """
    found = _INDEX.search(raw_patch)
    if not found:
        return None
    data = read_blob(found.group(1))
    if data is None:
        return None
    try:
        base = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    theirs = git_apply_text(base, rel, raw_patch)
    if theirs is None:
        return None
    with tempfile.TemporaryDirectory(prefix="codeassist-merge-") as tmp:
        names = []
        for name, content in (("current", text), ("base", base), ("patched", theirs)):
            path = Path(tmp) / name
            path.write_bytes(content.encode("utf-8"))
            names.append(str(path))
        merged = subprocess.run(["git", "merge-file", "-p", *names], capture_output=True, check=False)
    if merged.returncode != 0:  # >0: conflicts; <0: error
        return None
    try:
        return merged.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None
