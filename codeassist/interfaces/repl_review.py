"""Review before it lands: each proposed change shown file by file, hunk by hunk, kept or dropped like ``git add -p``.

``/review on`` (or ``review_mode = true``) sets :class:`HunkReview` as the
session's review hook (see :func:`codeassist.transaction.keep_reviewed`): it
runs after the model's edits are planned and before anything is written, so
a dropped hunk never touches the disk, and what is kept lands and is
committed through the same transaction. The hunks dropped are kept in
:attr:`HunkReview.dropped` for the chat to tell the model next turn.

Answers: y keep this hunk, n drop it, a keep it and the rest of this file,
d drop it and the rest of this file, q drop it and everything left, ? help.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from codeassist.interfaces.repl_table import command

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.edits.hunks import Proposed
    from codeassist.interfaces.repl import Repl

ANSWERS = "y,n,a,d,q,?"
HELP = (
    "y - keep this hunk\nn - drop this hunk\na - keep this hunk and the rest of this file\n"
    "d - drop this hunk and the rest of this file\nq - drop this hunk and everything left"
)


class HunkReview:
    """The review hook: asks about each hunk on the terminal; remembers what was dropped."""

    def __init__(self, out: Console, ask: Callable[[str], str]) -> None:
        """``ask(question)`` reads one answer (raises EOFError at the end of input: everything left is dropped)."""
        self.out = out
        self.ask = ask
        self.dropped: list[str] = []  # diff text of each dropped hunk, with its file's name

    def __call__(self, proposed: Sequence[Proposed]) -> Mapping[str, str | None]:
        from codeassist.edits.hunks import combine, split_hunks

        kept: dict[str, str | None] = {}
        quit_all = False
        for n, change in enumerate(proposed, 1):
            if change.before is None or change.after is None:
                what = "new file" if change.before is None else "delete the file"
                keep = not quit_all and self._whole(change, what, n, len(proposed))
                kept[change.path] = change.after if keep else change.before
                if not keep:
                    self.dropped.append(f"{change.path}: {what}")
                quit_all = quit_all or keep is None
                continue
            hunks = split_hunks(change.before, change.after)
            chosen: set[int] = set()
            rest: bool | None = None  # a or d: the rest of this file
            for hunk in hunks:
                keep = False if quit_all else rest
                if keep is None:
                    where = f"hunk {hunk.index + 1}/{len(hunks)}, file {n}/{len(proposed)}"
                    self._show(change.path, hunk.text(), where)
                    answer = self._answer()
                    keep = answer in ("y", "a")
                    if answer in ("a", "d"):
                        rest = answer == "a"
                    if answer == "q":
                        quit_all = True
                if keep:
                    chosen.add(hunk.index)
                else:
                    self.dropped.append(f"{change.path}\n{hunk.text()}")
            kept[change.path] = combine(change.before, change.after, chosen)
        return kept

    def _whole(self, change: Proposed, what: str, n: int, total: int) -> bool | None:
        """Keep a new or deleted file? None for q (drop everything left)."""
        body = change.after if change.after is not None else change.before or ""
        sign = "+" if change.before is None else "-"
        self._show(change.path, "".join(f"{sign}{line}\n" for line in body.splitlines()), f"{what}, file {n}/{total}")
        answer = self._answer()
        return None if answer == "q" else answer in ("y", "a")

    def _show(self, path: str, diff: str, where: str) -> None:
        from rich.syntax import Syntax
        from rich.text import Text

        self.out.print(Text(f"{path} ({where})", style="bold"))
        self.out.print(Syntax(diff.rstrip("\n"), "diff", theme="ansi_dark", background_color="default"))

    def _answer(self) -> str:
        while True:
            try:
                answer = self.ask(f"Keep this hunk [{ANSWERS}]? ").strip().lower()[:1]
            except EOFError:
                return "q"
            if answer in ("y", "n", "a", "d", "q"):
                return answer
            self.out.print(HELP, markup=False, highlight=False)

    def take_dropped(self) -> str | None:
        """What was dropped since the last call, as a note for the model (None when nothing was)."""
        if not self.dropped:
            return None
        parts, self.dropped = self.dropped, []
        body = "\n\n".join(parts)
        return (
            "I reviewed your change and did not keep these parts of it; they are not in the files:\n\n"
            f"```diff\n{body}\n```"
        )


def set_review(repl: Repl, on: bool) -> None:
    """Turn review mode on or off for the chat's session."""
    from rich.prompt import Prompt

    if not on:
        repl.session.review = None
        return

    def ask(question: str) -> str:
        return Prompt.ask(question, console=repl.err, show_default=False, default="")

    repl.session.review = HunkReview(repl.out, ask)


@command("/review", "[on|off]", "review each change hunk by hunk before it lands (y/n/a/d/q, as git add -p)")
def review(repl: Repl, rest: str) -> bool:
    arg = rest.lower()
    if arg not in ("", "on", "off"):
        repl.problem("usage: /review [on|off]")
        return True
    on = repl.session.review is None if not arg else arg == "on"
    set_review(repl, on)
    repl.status(f"review {'on: each change is shown hunk by hunk before it lands' if on else 'off'}")
    return True
