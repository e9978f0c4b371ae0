"""The window for the one retry after a server refused a prompt as too long.

The server knows its window better than any catalogue or estimate: when it
says how large it is, the retry fits the prompt under it; when it does not,
the retry asks for three quarters of the refused prompt. The context builder
then drops what it may (read-only files, the repo map, history) to fit.
"""

from __future__ import annotations

# The retry aims this far under the limit: our token estimates are estimates.
MARGIN = 0.9
SHRINK = 0.75


def smaller_window(limit: int | None, refused_tokens: int, reserve: int) -> int:
    """The (estimated-token) window for the retry of a prompt of ``refused_tokens`` tokens."""
    prompt = int(refused_tokens * SHRINK)
    if limit is not None:
        # The reply needs room under the same limit: at most a quarter of it when the reserve is larger.
        prompt = min(prompt, int((limit - min(reserve, limit // 4)) * MARGIN))
    return reserve + max(1, prompt)
