"""A commit message written by the model for a diff (the chat's ``/commit``; to share with ``codeassist commit``).

One function, :func:`write_commit_message`: the ``commit_message.md`` prompt,
one quiet model call, the reply cleaned by :func:`edit_loop.clean_message`.
A backend failure or an empty reply gives None; the caller picks its fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.edit_loop import clean_message
from codeassist.errors import BackendError
from codeassist.run import Reply

MAX_DIFF_CHARS = 20000  # as the edit loop sends: enough for a message, bounded for a huge change


def write_commit_message(
    model: Callable[..., Reply],
    diff: str,
    *,
    request: str = "",
    prompt_dirs: Sequence[Path] | None = None,
) -> str | None:
    """The model's message for ``diff`` (``model`` is the session's stream); None when it gave none."""
    prompt = prompts.commit_message_prompt(diff[:MAX_DIFF_CHARS], request=request, dirs=prompt_dirs)
    try:
        reply = model([Message("user", prompt)], quiet=True)
    except BackendError:
        return None
    return clean_message(reply.text) or None
