"""What the chat brings in from outside: ``/run CMD`` (and ``!CMD``), ``/test``, ``/lint`` and ``/paste``.

A command runs in the repository with its output shown as it arrives. Its
output then goes to the chat for the next request: automatically when it
failed, after asking when it passed. ``/test`` and ``/lint`` run the
configured ``test_cmd`` and ``lint_cmd``; a failure becomes the next request
(the model is asked to fix it) if the user agrees. ``/paste`` puts the
clipboard's text in the chat (read with the first of ``wl-paste``,
``xclip``, ``xsel``, ``pbpaste`` found on PATH).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeassist.interfaces.repl_table import command

if TYPE_CHECKING:
    from codeassist.interfaces.repl import Repl
    from codeassist.shell import ShellResult


def run_and_show(repl: Repl, cmd: str) -> ShellResult:
    """Run ``cmd`` with its output streamed to the terminal; the result, its status line printed."""
    out = repl.out.file

    def echo(line: str) -> None:
        out.write(line)
        out.flush()

    result = repl.session.run_shell(cmd, echo=echo)
    repl.forget_files()  # the command may have created or deleted files
    if result.ok:
        repl.status(f"{cmd}: exit code 0", style="green")
    else:
        repl.status(f"{cmd}: exit code {result.exit_code}", style="red")
    return result


def offer_output(repl: Repl, result: ShellResult) -> None:
    """Put the run's output in the chat's history: at once when it failed, else if the user says so."""
    from codeassist.backends.base import Message

    if result.ok and not repl.confirm("Add the output to the chat?", default=False):
        return
    repl.state.history += [Message("user", result.for_model()), Message("assistant", "Ok.")]
    why = "it failed; " if not result.ok else ""
    repl.status(f"{why}the output is in the chat for the next request ({len(result.output):,} characters)")


@command("/run", "COMMAND", "run a shell command in the repository; its output can go to the chat (also !COMMAND)")
def run(repl: Repl, rest: str) -> bool:
    if not rest:
        repl.problem("usage: /run COMMAND (or !COMMAND)")
        return True
    offer_output(repl, run_and_show(repl, rest))
    return True


@command("/test", "", "run test_cmd; a failure can go to the model to fix")
def test(repl: Repl, rest: str) -> bool:
    return _check(repl, "test", repl.session.settings.test_cmd)


@command("/lint", "", "run lint_cmd; a failure can go to the model to fix")
def lint(repl: Repl, rest: str) -> bool:
    return _check(repl, "lint", repl.session.settings.lint_cmd)


def _check(repl: Repl, name: str, cmd: str | None) -> bool:
    from codeassist.prompts import render

    if not cmd:
        repl.problem(
            f"no {name} command is configured", hint=f"codeassist config set {name}_cmd 'COMMAND' (or /run it)"
        )
        return True
    result = run_and_show(repl, cmd)
    if result.ok:
        repl.status(f"{name} passed", style="green")
        return True
    if not repl.confirm(f"The {name} failed. Ask the model to fix it?", default=True):
        return True
    request = render("fix_check.md", repl.session.prompt_dirs, check=name, command=cmd, output=result.output.rstrip())
    return repl.request("edit", request)


CLIPBOARD_READERS: tuple[tuple[str, ...], ...] = (
    ("wl-paste", "--no-newline"),
    ("xclip", "-selection", "clipboard", "-o"),
    ("xsel", "-b", "-o"),
    ("pbpaste",),
)


def read_clipboard(environ: dict[str, str]) -> str | None:
    """The clipboard's text through the first reader on PATH; None when there is none or it fails."""
    import shutil
    import subprocess

    for argv in CLIPBOARD_READERS:
        exe = shutil.which(argv[0], path=environ.get("PATH"))
        if exe is None:
            continue
        try:
            proc = subprocess.run([exe, *argv[1:]], env=environ, capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None
    return None


@command("/paste", "", "put the clipboard's text in the chat for the next request")
def paste(repl: Repl, rest: str) -> bool:
    from codeassist.backends.base import Message
    from codeassist.checks import trim_output

    text = read_clipboard(dict(repl.session.environ or {}))
    if text is None:
        repl.problem("cannot read the clipboard", hint="install wl-clipboard, xclip or xsel; or paste into the prompt")
        return True
    if not text.strip():
        repl.status("the clipboard is empty; nothing was added")
        return True
    body = trim_output(text.rstrip())
    repl.state.history += [Message("user", f"Here is text I pasted:\n\n```\n{body}\n```"), Message("assistant", "Ok.")]
    lines = body.count("\n") + 1
    repl.status(f"pasted {lines} line(s) into the chat for the next request", style="green")
    return True
