"""The chat as a whole: ``/commit``, ``/reset``, ``/save``, ``/load``, ``/editor`` and ``/vim``.

Saving (as the chat goes, and ``/save``), loading and ``chat --resume`` go
through :mod:`codeassist.chat_store`; committing
through the session (:meth:`~codeassist.session.Session.commit_pending`). A
broken or missing saved chat is a message; the chat goes on as it was.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from codeassist.errors import CodeassistError
from codeassist.interfaces.repl_table import command

if TYPE_CHECKING:
    from codeassist.interfaces.repl import Repl


@command("/commit", "[MESSAGE]", "commit your own pending changes (the model writes the message if none is given)")
def commit(repl: Repl, rest: str) -> bool:
    if not rest:
        repl.status("writing a commit message...")
    done = repl.session.commit_pending(rest or None)
    subject = done.message.splitlines()[0]
    repl.status(f"committed {done.sha[:10]} {subject} ({', '.join(done.paths)})", style="green")
    if done.untracked:
        repl.status(f"not committed (untracked): {', '.join(done.untracked)}", style="yellow")
    return True


@command("/reset", "", "drop every file and forget the conversation")
def reset(repl: Repl, rest: str) -> bool:
    state = repl.state
    files, messages = len(state.files) + len(state.read_only), len(state.history)
    state.files, state.read_only, state.history = [], [], []
    repl.status(f"dropped {files} file(s) and forgot the conversation ({messages} messages)")
    return True


@command("/save", "NAME", "save the chat as NAME (resume it with /load NAME or codeassist chat --resume NAME)")
def save(repl: Repl, rest: str) -> bool:
    if not rest:
        repl.problem("usage: /save NAME")
        return True
    path = save_as(repl, rest)
    repl.status(f"saved the chat as {rest} ({path.relative_to(repl.root).as_posix()})", style="green")
    return True


@command("/load", "NAME", "replace this chat by the one saved as NAME", complete="sessions")
def load(repl: Repl, rest: str) -> bool:
    if not rest:
        names = repl.store.ids()
        repl.problem("usage: /load NAME", hint=f"saved: {', '.join(names)}" if names else "no chat is saved yet")
        return True
    resume(repl, rest)
    return True


@command("/editor", "", "write the request in $EDITOR (also Ctrl-X Ctrl-E), then send it")
def editor(repl: Repl, rest: str) -> bool:
    from codeassist.interfaces.repl_input import edit_in_editor

    environ = repl.session.environ or {}
    text = edit_in_editor(rest, environ)
    if text is None:
        repl.problem("the editor failed; nothing was sent", hint="set $EDITOR to your editor's command")
        return True
    if not text.strip():
        repl.status("empty request; nothing was sent")
        return True
    return repl.request(repl.state.mode, text.strip())


@command("/vim", "", 'switch vi editing keys on or off (config: editing_mode = "vi")')
def vim(repl: Repl, rest: str) -> bool:
    vi = repl.toggle_vi()
    repl.status(f"{'vi' if vi else 'emacs'} editing keys")
    return True


# -- saving as the chat goes, and resuming -----------------------------------------------------
def save_as(repl: Repl, name: str) -> Path:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(repl.clock()))
    return repl.store.save(repl.state, chat_id=name, saved_at=stamp, model=repl.session.model_name)


def autosave(repl: Repl) -> None:
    """Save the chat under its id once it holds something; a failure is a warning, shown once."""
    if not repl.state.has_content():
        return
    try:
        save_as(repl, repl.chat_id)
    except CodeassistError as exc:
        if not repl.save_warned:
            repl.save_warned = True
            repl.status(f"warning: {exc.message}", style="yellow")


def resume(repl: Repl, name: str) -> None:
    """Replace the chat by the one saved as ``name`` (files no longer in the repository are left out)."""
    saved = repl.store.load(name)
    chat = saved.chat
    session = repl.session
    if saved.model and saved.model != session.model_name:
        try:
            session.switch_model(saved.model)
        except CodeassistError as exc:
            repl.problem(f"staying on {session.model_name}: {exc.message}", exc.hint)
    # Each file was vetted when it was added; only whether it still exists is in question (no listing
    # of the whole repository, which costs a large one a git process and a walk).
    gone = [p for p in chat.files + chat.read_only if not (repl.root / p).is_file()]
    chat.files = [p for p in chat.files if p not in gone]
    chat.read_only = [p for p in chat.read_only if p not in gone]
    session.chat = chat
    repl.chat_id = saved.id
    if gone:
        repl.status(f"no longer in the repository, left out: {', '.join(gone)}", style="yellow")
    repl.status(
        f"resumed {saved.id} (saved {saved.saved_at}): {len(chat.history)} messages; "
        f"files: {', '.join(chat.files + chat.read_only) or '(none)'}; mode {chat.mode}",
        style="green",
    )


def resume_at_start(repl: Repl, name: str) -> None:
    """``chat --resume [ID]``: the saved chat ``name`` ("" for the latest); a problem is reported, a new chat starts."""
    chosen = name or repl.store.latest()
    if chosen is None:
        repl.status("no saved chat in this repository; starting a new one", style="yellow")
        return
    try:
        resume(repl, chosen)
    except CodeassistError as exc:
        repl.problem(exc.message, exc.hint)
        repl.status("starting a new chat", style="yellow")
