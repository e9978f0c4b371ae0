"""The chat's slash commands. Each takes the REPL and the text after its name; False ends the chat.

A command reports problems (unknown command, a path outside the
repository, nothing to undo) as a message and the chat goes on; no
command lets an error escape to the user as a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codeassist.errors import CodeassistError
from codeassist.interfaces.repl_table import COMMANDS, command

__all__ = ["COMMANDS", "quoted_args", "resolve_paths"]

if TYPE_CHECKING:
    from codeassist.interfaces.repl import Repl

GLOB_CHARS = frozenset("*?[")


def quoted_args(text: str) -> list[str]:
    """Arguments of a slash command, honouring quotes (paths with spaces); plain split on a quoting error."""
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def fits(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "(none)"


# -- files ---------------------------------------------------------------------------
def resolve_paths(repl: Repl, args: list[str], *, must_exist: bool = True) -> list[str]:
    """Repository-relative files named by ``args`` (files, directories, globs); problems are reported."""
    import fnmatch

    from codeassist.context_files import read_file

    known = repl.repo_files()  # directories and globs bring only what the file rule shows
    out: list[str] = []
    for arg in args:
        if GLOB_CHARS & set(arg):
            base = repl.workspace.typed(".") if repl.base != repl.root.resolve() else ""
            pattern = f"{base}/{arg}" if base else arg
            found = [p for p in known if fnmatch.fnmatchcase(p, pattern)]
            if not found:
                repl.problem(f"no file in the repository matches {arg}")
            out += [p for p in found if p not in out]
            continue
        try:
            rel = repl.workspace.typed(arg)
        except CodeassistError as exc:
            repl.problem(exc.message, exc.hint)
            continue
        full = repl.root / rel
        if full.is_dir():
            inside = [p for p in known if p.startswith(rel + "/")]
            if not inside:
                repl.problem(f"no files under {arg} (empty, or all ignored by git)")
            out += [p for p in inside if p not in out]
            continue
        if ".git" in rel.split("/"):
            repl.problem(f"{arg} is inside .git; codeassist does not edit git's own files")
            continue
        if must_exist and not full.is_file():
            repl.problem(f"no such file: {arg}", hint="create it first, or ask for it in a request")
            continue
        try:
            read_file(repl.root, rel, editable=True)  # binary, too large, unreadable: say so now
        except CodeassistError as exc:
            repl.problem(exc.message, exc.hint)
            continue
        hidden = repl.workspace.hidden_reason(rel)
        if hidden is not None:  # named by the user: sent, but never offered or edited by the model
            repl.status(f"{rel}: {hidden}; it is in the chat because you named it", style="yellow")
        if rel not in out:
            out.append(rel)
    return out


def add_mentioned(repl: Repl, text: str) -> None:
    """``@path`` anywhere in a request puts that file in the chat (as ``/add`` would)."""
    import re

    words = [m.group(1).rstrip(".,;:!?)") for m in re.finditer(r"(?:^|\s)@(\S+)", text)]
    known = set(repl.typed_files())
    state = repl.state
    for rel in resolve_paths(repl, [w for w in words if w in known]):
        if rel not in state.files:
            state.files.append(rel)
            state.read_only = [p for p in state.read_only if p != rel]
            repl.status(f"added {rel}", style="green")


@command("/add", "PATH...", "put files in the chat (editable); directories and globs work", complete="files")
def add(repl: Repl, rest: str) -> bool:
    return _put_in_chat(repl, rest, read_only=False)


@command("/read-only", "PATH...", "put files in the chat for reference only", complete="files")
def read_only(repl: Repl, rest: str) -> bool:
    return _put_in_chat(repl, rest, read_only=True)


def _put_in_chat(repl: Repl, rest: str, *, read_only: bool) -> bool:
    """Add files to the editable or the read-only list, taking them out of the other one."""
    name = "/read-only" if read_only else "/add"
    args = quoted_args(rest)
    if not args:
        repl.problem(f"usage: {name} PATH...")
        return True
    state = repl.state
    for rel in resolve_paths(repl, args):
        target, other = (state.read_only, state.files) if read_only else (state.files, state.read_only)
        if rel in target:
            repl.status(f"{rel} is already {'read-only ' if read_only else ''}in the chat")
            continue
        if rel in other:
            other.remove(rel)
        target.append(rel)
        repl.status(f"added {rel}{' (read-only)' if read_only else ''}", style="green")
    return True


@command("/drop", "[PATH...]", "take files out of the chat (all of them without PATH)", complete="chat")
def drop(repl: Repl, rest: str) -> bool:
    import fnmatch

    state = repl.state
    args = quoted_args(rest)
    if not args:
        state.files, state.read_only = [], []
        repl.status("dropped every file from the chat")
        return True
    for arg in args:
        names = {_normal(arg)}
        try:  # also as typed from the directory the chat started in
            names.add(repl.workspace.typed(_normal(arg) or "."))
        except CodeassistError:
            pass
        gone = [p for p in repl.chat_paths() if any(p == n or fnmatch.fnmatchcase(p, n) for n in names)]
        if not gone:
            repl.problem(f"{arg} is not in the chat", hint="/files lists what is")
        for rel in gone:
            state.files = [p for p in state.files if p != rel]
            state.read_only = [p for p in state.read_only if p != rel]
            repl.status(f"dropped {rel}")
    return True


def _normal(arg: str) -> str:
    while arg.startswith("./"):
        arg = arg[2:]
    return arg.rstrip("/")


@command("/files", "", "list the files in the chat")
def files(repl: Repl, rest: str) -> bool:
    repl.out.print(f"editable: {fits(repl.state.files)}", markup=False, highlight=False)
    repl.out.print(f"read-only: {fits(repl.state.read_only)}", markup=False, highlight=False)
    return True


# -- modes ---------------------------------------------------------------------------
@command("/ask", "[QUESTION]", "switch to ask mode (answers, no edits); with a QUESTION, ask once")
def ask(repl: Repl, rest: str) -> bool:
    if rest:
        return repl.request("ask", rest)
    repl.state.mode = "ask"
    repl.status("ask mode: plain lines are questions; /edit goes back")
    return True


@command("/edit", "[REQUEST]", "switch to edit mode (the default); with a REQUEST, edit once")
def edit(repl: Repl, rest: str) -> bool:
    if rest:
        return repl.request("edit", rest)
    repl.state.mode = "edit"
    repl.status("edit mode: plain lines are change requests")
    return True


# -- git ------------------------------------------------------------------------------
@command("/undo", "", "revert codeassist's last commit (only codeassist's own commits)")
def undo(repl: Repl, rest: str) -> bool:
    from codeassist.backends.base import Message

    done = repl.session.undo()
    repl.forget_files()
    state = repl.state
    if state.last_commit in done.reverted:
        state.last_commit, state.last_changed = None, ()
    repl.status(f"undid {done.reverted[0][:10]} {done.subject}; restored {', '.join(done.paths)}", style="green")
    # Tell the model next time: otherwise it believes its change is still there.
    note = f"I undid your last change ({done.subject}); the files are back as they were before it."
    state.history += [Message("user", note), Message("assistant", "Ok.")]
    return True


@command("/diff", "", "show the last change codeassist made in this chat")
def diff(repl: Repl, rest: str) -> bool:
    from codeassist.git import run_git

    state = repl.state
    if state.last_commit is not None:
        proc = run_git(repl.root, "show", "--format=", "--patch", "--no-color", state.last_commit, check=False)
    elif state.last_changed:  # applied without a commit (auto_commit = false)
        changed = state.last_changed
        proc = run_git(repl.root, "diff", "--no-color", "HEAD", "--", *changed, check=False, literal_paths=True)
    else:
        repl.status("no change in this chat yet (an undone change no longer counts)")
        return True
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or not text.strip():
        repl.status("the last change is no longer in the repository")
        return True
    from codeassist.interfaces.render import diff_view

    repl.out.print(diff_view(text))
    return True


# -- model and context ---------------------------------------------------------------
@command("/model", "[NAME]", "show the model, or switch to NAME (or preset/NAME) for the rest of the chat")
def model(repl: Repl, rest: str) -> bool:
    if rest:
        # A name no backend accepts raises before anything changes: the chat stays on its model.
        repl.session.switch_model(rest)
    info = repl.session.info
    from codeassist.backends.catalogue import describe_tools

    known = "" if info.known else "; not in the catalogue, using conservative defaults"
    repl.status(
        f"model: {repl.session.model_name} (context window {info.context_window:,} tokens, "
        f"edit format {repl.edit_format()}, {describe_tools(info)}{known})",
        style="green" if rest else "dim",
    )
    return True


@command("/map", "[QUERY]", "print the repo map for the files in the chat (and QUERY)")
def repo_map(repl: Repl, rest: str) -> bool:
    from codeassist.interfaces.render import safe_terminal_text
    from codeassist.repomap import build_repo_map

    settings = repl.session.settings
    result = build_repo_map(
        repl.root, chat_files=repl.chat_paths(), query=rest, tokens=settings.map_tokens, model=settings.model
    )
    for warning in result.warnings:
        repl.status(f"warning: {warning}", style="yellow")
    text = safe_terminal_text(result.text.rstrip("\n")) or "(the map is empty)"
    repl.out.print(text, markup=False, highlight=False)
    repl.status(f"repo map: {result.tokens:,} tokens, {len(result.files)} files")
    return True


@command("/context", "[REQUEST]", "token counts of each part the next request would send")
def context(repl: Repl, rest: str) -> bool:
    from rich.table import Table

    state = repl.state
    repl.forget_files()
    built = repl.session.context(
        rest or "(your next request)",
        mode=state.mode,
        files=state.files,
        read_only=state.read_only,
        history=state.history,
    )
    table = Table(box=None, pad_edge=False)
    table.add_column("part")
    table.add_column("tokens", justify="right")
    table.add_column("detail")
    for part in built.parts:
        table.add_row(part.name, f"{part.tokens:,}", part.detail)
    table.add_row("total", f"{built.total_tokens:,}", f"of {built.budget:,} available")
    repl.out.print(table)
    for note in built.dropped:
        repl.status(f"left out to fit: {note}")
    return True


@command("/tokens", "", "tokens used and cost so far in this chat")
def tokens(repl: Repl, rest: str) -> bool:
    repl.out.print(repl.usage_line(), markup=False, highlight=False)
    return True


@command("/settings", "", "the chat's effective settings and where each came from (secrets masked)")
def settings(repl: Repl, rest: str) -> bool:
    from rich.table import Table
    from rich.text import Text

    from codeassist.config import KEYS, mask_secret

    current = repl.session.settings  # after /model, the chat's model
    table = Table("setting", "value", "from", box=None, pad_edge=False)
    for key, spec in KEYS.items():
        value = getattr(current, key)
        shown = mask_secret(value) if spec.secret else value
        table.add_row(key, Text("" if shown is None else str(shown)), current.source(key))
    repl.out.print(table)
    return True


@command("/clear", "", "forget the conversation (the files stay in the chat)")
def clear(repl: Repl, rest: str) -> bool:
    count = len(repl.state.history)
    repl.state.history = []
    repl.status(f"forgot the conversation ({count} messages); the files stay in the chat")
    return True


# -- the chat itself -----------------------------------------------------------------
KEYS_HELP = (
    "Enter sends. Esc then Enter (Alt+Enter) starts a new line in the same message; a pasted block stays one "
    "message. Ctrl-X Ctrl-E opens $EDITOR. Tab completes commands, paths and @path (or @Name) anywhere. "
    "!COMMAND runs a shell command. Ctrl-C clears the line or stops a running request "
    "(files are put back as they were). Ctrl-D or /exit leaves; /load or chat --resume comes back."
)


@command("/help", "", "this list")
def help_(repl: Repl, rest: str) -> bool:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("command", no_wrap=True)
    table.add_column("does")
    for name in sorted(COMMANDS):
        row = COMMANDS[name]
        table.add_row(Text(f"{name} {row.args}".rstrip()), Text(row.help))  # text, not markup: [on|off]
    repl.out.print(f"A plain line is a request in the current mode ({repl.state.mode}).", markup=False)
    repl.out.print(table)
    repl.out.print(KEYS_HELP, markup=False, highlight=False)
    return True


@command("/exit", "", "leave the chat (also Ctrl-D)")
def exit_(repl: Repl, rest: str) -> bool:
    return False
