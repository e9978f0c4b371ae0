"""The REPL's input line: prompt-toolkit with a history file, multi-line entry and completion.

Keys: Enter sends the line; Esc then Enter (Alt+Enter in most terminals)
starts a new line inside the same message; Ctrl-C clears the line; Ctrl-D on
an empty line leaves. Tab completes slash commands, and repository paths
after ``/add``, ``/read-only`` and ``/drop``.
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
    commands: Sequence[str],
    path_commands: Mapping[str, Callable[[], Sequence[str]]],
) -> tuple[int, list[str]]:
    """Completions for the text before the cursor: (how many characters they replace, candidates).

    ``path_commands`` maps a command to the paths it offers (repository
    files for /add, the chat's files for /drop).
    """
    if not text.startswith("/"):
        return 0, []
    if " " not in text:
        return len(text), [c for c in commands if c.startswith(text)]
    command = text.split(" ", 1)[0]
    source = path_commands.get(command)
    if source is None:
        return 0, []
    word = "" if text.endswith(" ") else text.rsplit(" ", 1)[-1]
    found = [p for p in source() if p.startswith(word)]
    if len(found) > MAX_COMPLETIONS:
        found = _directories(found, len(word))[:MAX_COMPLETIONS]
    return len(word), found


def _directories(paths: Iterable[str], start: int) -> list[str]:
    """Collapse paths to their next directory level after ``start`` characters (keeps big menus short)."""
    out: list[str] = []
    for p in paths:
        cut = p.find("/", start)
        item = p if cut < 0 else p[: cut + 1]
        if not out or out[-1] != item:
            out.append(item)
    return out


def _completer(commands: Sequence[str], path_commands: Mapping[str, Callable[[], Sequence[str]]]):  # type: ignore[no-untyped-def]
    from prompt_toolkit.completion import Completer, Completion

    class ChatCompleter(Completer):
        def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
            replace, found = complete_line(document.text_before_cursor, commands, path_commands)
            for item in found:
                yield Completion(item, start_position=-replace)

    return ChatCompleter()


def _history(path: Path | None) -> tuple[History, str | None]:
    """A file history under ``path``; in memory (with the reason) when the file cannot be used."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if path is None:
        return InMemoryHistory(), None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as exc:
        return InMemoryHistory(), f"input history not saved: cannot write {path}: {exc.strerror}"
    return FileHistory(str(path)), None


def make_prompt(
    history_path: Path | None,
    commands: Sequence[str],
    path_commands: Mapping[str, Callable[[], Sequence[str]]],
) -> tuple[PromptSession[str], str | None]:
    """The prompt session, and a warning when the history file is not usable."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event) -> None:  # type: ignore[no-untyped-def]
        event.current_buffer.insert_text("\n")

    history, warning = _history(history_path)
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=_completer(commands, path_commands),
        complete_while_typing=False,  # Tab asks; typing a request never pops a menu up
        key_bindings=bindings,
        multiline=False,
        prompt_continuation="... ",
    )
    return session, warning
