"""The chat as a whole: ``/commit``, ``/reset``, ``/save``, ``/load``, ``/editor`` and ``/vim``.

Saving and loading go through :mod:`codeassist.chat_store`; committing
through the session (:meth:`~codeassist.session.Session.commit_pending`). A
broken or missing saved chat is a message; the chat goes on as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    path = repl.save_as(rest)
    repl.status(f"saved the chat as {rest} ({path.relative_to(repl.root).as_posix()})", style="green")
    return True


@command("/load", "NAME", "replace this chat by the one saved as NAME", complete="sessions")
def load(repl: Repl, rest: str) -> bool:
    if not rest:
        names = repl.store.ids()
        repl.problem("usage: /load NAME", hint=f"saved: {', '.join(names)}" if names else "no chat is saved yet")
        return True
    repl.resume(rest)
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
