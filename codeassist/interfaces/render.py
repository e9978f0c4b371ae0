"""Terminal output: rich consoles, JSON on stdout, errors on stderr.

When a command prints JSON on stdout, human text goes to stderr.
"""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.interfaces.options import GlobalOptions

JSON_SCHEMA_VERSION = 1
# Whether this process printed its JSON object: the entry point adds one for an error only if not.
json_printed = False

# C0 controls but tab and newline, DEL, the C1 controls (U+0080-U+009F: CSI is U+009B), and lone
# surrogates (undecodable bytes or a JSON "\ud800" escape), which no terminal or UTF-8 stream takes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control picture: ESC shows as ␛
    return "\u2421" if code == 0x7F else f"<U+{code:04X}>"


def safe_terminal_text(text: str) -> str:
    """``text`` with every terminal control character made visible instead of obeyed.

    Model replies, file contents, paths and errors are shown, never executed:
    an escape sequence in them must not retitle the window, move the cursor,
    rewrite what is on screen or talk to the terminal. ``\r`` goes too (it
    would let a line overwrite itself); tab and newline stay.
    """
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n"))


def shown(value: object) -> str:
    """A value from a reply, a file or a path, for a line with rich markup: no markup, no control characters."""
    from rich.markup import escape

    return escape(safe_terminal_text(str(value)))


def diff_view(diff: str) -> Any:
    """A coloured diff whose text (file contents, a model's lines) cannot drive the terminal."""
    from rich.syntax import Syntax

    return Syntax(safe_terminal_text(diff), "diff", theme="ansi_dark", background_color="default", word_wrap=False)


def console(opts: GlobalOptions, *, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color=not opts.color(),
        highlight=False,
        soft_wrap=True,
    )


def print_json(obj: dict[str, Any]) -> None:
    """One JSON object on stdout, with the schema version first."""
    global json_printed
    json_printed = True
    out = {"version": JSON_SCHEMA_VERSION, **obj}
    if isinstance(out.get("errors"), list):
        from codeassist.redact import redact_text

        out["errors"] = [redact_text(e) if isinstance(e, str) else e for e in out["errors"]]
    sys.stdout.write(_SURROGATE.sub("\ufffd", json.dumps(out, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def print_event(obj: dict[str, Any]) -> None:
    """One JSON event per line (for --stream-json)."""
    sys.stdout.write(_SURROGATE.sub("\ufffd", json.dumps(obj, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def print_error(message: str, hint: str | None = None, *, color: bool = True) -> None:
    from rich.console import Console
    from rich.markup import escape

    from codeassist.redact import redact_text

    err = Console(stderr=True, no_color=not color, highlight=False, soft_wrap=True)
    err.print(f"[bold red]error:[/] {escape(safe_terminal_text(redact_text(message)))}")
    if hint:
        err.print(f"[dim]hint:[/] {escape(safe_terminal_text(redact_text(hint)))}")
