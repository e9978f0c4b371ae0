"""What a tool gives back: the text the model reads, a one-line summary for people, and whether it worked."""

from __future__ import annotations

from dataclasses import dataclass

# A tool result the model reads is at most this long: a larger one is cut with a note saying how to get
# the rest, so one call can never flood the window.
MAX_RESULT_CHARS = 16_000


@dataclass(frozen=True)
class ToolResult:
    text: str
    summary: str
    ok: bool = True

    @classmethod
    def error(cls, message: str, summary: str | None = None) -> ToolResult:
        """A failure the model can act on: the text says what was wrong and what to do instead."""
        return cls("error: " + message, summary or message.splitlines()[0][:120], ok=False)


def bounded(text: str, limit: int = MAX_RESULT_CHARS, *, hint: str = "") -> str:
    """``text`` cut at a line boundary to at most ``limit`` characters, with a note when it was cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    cut = cut if cut > limit // 2 else limit
    rest = text[cut:].count("\n")
    note = f"\n[... {rest} more line(s) left out to keep this result short{'; ' + hint if hint else ''}]"
    return text[:cut] + note
