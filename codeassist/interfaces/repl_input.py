"""The REPL's input line: prompt-toolkit with a history file, multi-line entry and completion.

Keys: Enter sends the line; Esc then Enter (Alt+Enter in most terminals)
starts a new line inside the same message; Ctrl-C clears the line; Ctrl-D on
an empty line leaves; Ctrl-X Ctrl-E opens ``$EDITOR``. Tab completes slash
commands (from the command table), their arguments, and ``@path`` anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import CompleteEvent, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import History

MAX_COMPLETIONS = 200  # a huge repository would otherwise flood the menu


def complete_line(
    text: str,
    commands: Mapping[str, str],
    sources: Mapping[str, Callable[[], Sequence[str]]],
) -> tuple[int, list[str]]:
    """Completions for the text before the cursor: (how many characters they replace, candidates).

    ``commands`` maps each command name to its completion source (the
    command table's ``complete``: "files", "chat", "sessions" or "");
    ``sources`` maps a source to what it offers. A command name completes
    with a trailing space; ``@`` followed by a path anywhere in a line
    completes on the repository's files.
    """
    word = "" if not text or text[-1].isspace() else text.split()[-1]
    if word.startswith("@") and "files" in sources:
        found = _paths(sources["files"](), word[1:])
        if len(word) > 1 and "/" not in word and "symbols" in sources:
            # A symbol completes to the file that defines it (each file once, after the paths).
            found += [p for p in _symbol_files(sources["symbols"], word[1:]) if p not in found]
        return len(word), ["@" + p for p in found[:MAX_COMPLETIONS]]
    if not text.startswith("/"):
        return 0, []
    if " " not in text:
        return len(text), [c + " " for c in sorted(commands) if c.startswith(text)]
    source = sources.get(commands.get(text.split(" ", 1)[0], ""))
    if source is None:
        return 0, []
    return len(word), _paths(source(), word)


def _symbol_files(symbols: Callable[[], Sequence[str]], prefix: str) -> list[str]:
    """Files defining a symbol that starts with ``prefix``; ``symbols()`` lists ``name\tpath`` pairs, sorted."""
    out: list[str] = []
    for pair in symbols():
        name, _, path = pair.partition("\t")
        if name.startswith(prefix) and path not in out:
            out.append(path)
    return out


def _paths(paths: Sequence[str], word: str) -> list[str]:
    found = [p for p in paths if p.startswith(word)]
    if len(found) > MAX_COMPLETIONS:
        found = _directories(found, len(word))[:MAX_COMPLETIONS]
    return found


def _directories(paths: Iterable[str], start: int) -> list[str]:
    """Collapse paths to their next directory level after ``start`` characters (keeps big menus short)."""
    out: list[str] = []
    for p in paths:
        cut = p.find("/", start)
        item = p if cut < 0 else p[: cut + 1]
        if not out or out[-1] != item:
            out.append(item)
    return out


def _completer(commands: Mapping[str, str], sources: Mapping[str, Callable[[], Sequence[str]]]):  # type: ignore[no-untyped-def]
    from prompt_toolkit.completion import Completer, Completion

    class ChatCompleter(Completer):
        def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
            replace, found = complete_line(document.text_before_cursor, commands, sources)
            for item in found:
                yield Completion(item, start_position=-replace)

    return ChatCompleter()


def _history(path: Path | None) -> tuple[History, str | None]:
    """A file history under ``path``; in memory (with the reason) when the file cannot be used."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if path is None:
        return InMemoryHistory(), None
    import os

    try:
        # What a user types may hold a pasted key or password: the folder and the file are the user's alone.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)  # a history written before this rule, or under a looser umask
    except OSError as exc:
        return InMemoryHistory(), f"input history not saved: cannot write {path}: {exc.strerror}"
    return FileHistory(str(path)), None


def make_prompt(
    history_path: Path | None,
    commands: Mapping[str, str],
    sources: Mapping[str, Callable[[], Sequence[str]]],
    *,
    vi: bool = False,
    toolbar: Callable[[], str] | None = None,
) -> tuple[PromptSession[str], str | None]:
    """The prompt session, and a warning when the history file is not usable.

    ``vi`` starts in vi editing mode; ``toolbar`` gives the bottom toolbar's
    text (redrawn with the prompt). Ctrl-X Ctrl-E (``v`` in vi's normal
    mode) opens ``$VISUAL``/``$EDITOR`` on the line; a bracketed paste of many
    lines lands as one message.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.enums import EditingMode
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.insert_text("\n")

    # Bound here as well as by enable_open_in_editor: on a dumb terminal prompt_toolkit loads only
    # the session's own bindings, and a long request deserves an editor there too.
    @bindings.add("c-x", "c-e")
    def _editor(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.open_in_editor(validate_and_handle=True)

    history, warning = _history(history_path)
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=_completer(commands, sources),
        complete_while_typing=False,  # Tab asks; typing a request never pops a menu up
        key_bindings=bindings,
        multiline=False,
        prompt_continuation="... ",
        enable_open_in_editor=True,
        editing_mode=EditingMode.VI if vi else EditingMode.EMACS,
        bottom_toolbar=toolbar,
    )
    return session, warning


def set_vi(session: PromptSession[str], vi: bool) -> None:
    """Switch the prompt between vi and emacs editing (the chat's ``/vim``)."""
    from prompt_toolkit.enums import EditingMode

    session.app.editing_mode = EditingMode.VI if vi else EditingMode.EMACS


def edit_in_editor(text: str, environ: Mapping[str, str]) -> str | None:
    """Open ``$VISUAL``/``$EDITOR`` (else ``vi``) on ``text`` in a temporary file; the result, or None on failure."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="codeassist-request-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            code = subprocess.call([*shlex.split(editor), name], env=dict(environ))
        except OSError:
            return None
        if code != 0:
            return None
        with open(name, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    finally:
        os.unlink(name)
