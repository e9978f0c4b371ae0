"""Checks run on the result of an edit: syntax (tree-sitter), then the user's lint and test commands.

Each check returns a :class:`CheckResult`; a failed one carries output the
model can act on (trimmed to a bounded size, keeping the tail where test
runners print their summary).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_OUTPUT_CHARS = 6000
DEFAULT_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class CheckResult:
    name: str  # "syntax", "lint" or "test"
    ok: bool
    output: str = ""
    command: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "command": self.command, "output": self.output}


def trim_output(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and the tail of long output; the tail holds most summaries."""
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head
    return f"{text[:head]}\n... ({len(text) - limit} characters omitted) ...\n{text[-tail:]}"


def check_syntax_of(root: Path, paths: Sequence[str], before: Mapping[str, bytes | None] | None = None) -> CheckResult:
    """Tree-sitter syntax errors in the given repo-relative files (unknown languages pass).

    With ``before`` (each file's content ahead of the edit, None for a new
    file), only the problems the edit introduced count: grammars reject some
    valid code (macro-heavy C headers), and the model must not be asked to
    fix what it did not break.
    """
    from codeassist.index.syntax import check_syntax, new_syntax_problems

    problems: list[str] = []
    for rel in sorted(set(paths)):
        file = root / rel
        try:
            source = file.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue  # deleted by the edit
        if before is not None and rel in before:
            found = new_syntax_problems(rel, before[rel], source)
        else:
            found = check_syntax(rel, source)
        problems += [f"{rel}:{p.line}:{p.column}: {p.message}" for p in found]
    if not problems:
        return CheckResult("syntax", True)
    return CheckResult("syntax", False, trim_output("\n".join(problems)))


def start_shell(command: str, root: Path, environ: Mapping[str, str] | None) -> subprocess.Popen[bytes]:
    """``command`` through the shell in ``root``, output and errors on one pipe, no input.

    It runs in its own process group so that :func:`kill_group` ends everything
    it started (a timeout, Ctrl-C), not only the shell.
    """
    return subprocess.Popen(
        command,
        shell=True,
        cwd=root,
        env=dict(environ) if environ is not None else dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def run_command_check(
    name: str,
    command: str,
    root: Path,
    *,
    environ: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> CheckResult:
    """Run ``command`` through the shell in ``root``; a non-zero exit is a failure.

    The command runs in its own process group so that a timeout (or Ctrl-C)
    ends everything it started, not only the shell.
    """
    proc = start_shell(command, root, environ)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, _ = proc.communicate()
        text = out.decode("utf-8", "replace")
        return CheckResult(name, False, trim_output(f"timed out after {timeout_s:g} s\n{text}"), command)
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise
    output = out.decode("utf-8", "replace")
    if proc.returncode == 0:
        return CheckResult(name, True, trim_output(output), command)
    return CheckResult(name, False, trim_output(f"exit code {proc.returncode}\n{output}"), command)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run_checks(
    root: Path,
    paths: Sequence[str],
    *,
    lint_cmd: str | None,
    test_cmd: str | None,
    environ: Mapping[str, str] | None = None,
    before: Mapping[str, bytes | None] | None = None,
) -> list[CheckResult]:
    """Syntax first; lint and tests only once the syntax is clean (they would fail for the same reason)."""
    results = [check_syntax_of(root, paths, before)]
    if not results[0].ok:
        return results
    for name, cmd in (("lint", lint_cmd), ("test", test_cmd)):
        if cmd:
            result = run_command_check(name, cmd, root, environ=environ)
            results.append(result)
            if not result.ok:
                break
    return results
