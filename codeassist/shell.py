"""A shell command the user runs from the chat (``/run``, ``!``, ``/test``, ``/lint``), its output kept for the model.

The command runs through the shell in the repository's root, in its own
process group (Ctrl-C ends everything it started), with no standard input.
Its output is passed on as it arrives (so a long test run is never a silent
wait) and kept, trimmed the way the edit loop trims check output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from codeassist.checks import kill_group, start_shell, trim_output


@dataclass(frozen=True)
class ShellResult:
    command: str
    exit_code: int
    output: str  # stdout and stderr interleaved, trimmed

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def for_model(self) -> str:
        """The run as a message for the model."""
        status = "succeeded" if self.ok else f"failed with exit code {self.exit_code}"
        body = self.output.rstrip() or "(no output)"
        return f"I ran `{self.command}`; it {status}. Its output:\n\n```\n{body}\n```"


def run_shell(
    command: str,
    root: Path,
    *,
    environ: Mapping[str, str] | None = None,
    echo: Callable[[str], None] | None = None,
) -> ShellResult:
    """Run ``command`` in ``root``; ``echo`` gets the output as it arrives. Ctrl-C kills the command, then rises."""
    proc = start_shell(command, root, environ)
    assert proc.stdout is not None
    chunks: list[str] = []
    try:
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            chunks.append(line)
            if echo is not None:
                echo(line)
        code = proc.wait()
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise
    finally:
        proc.stdout.close()
    return ShellResult(command, code, trim_output("".join(chunks)))
