"""A third-party codeassist backend that answers with the last user message.

It depends only on codeassist's public Protocol values, as a real plugin would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from codeassist.backends.base import Message, RequestOptions, StreamEvent, Usage

# Listed by `codeassist models`.
models = ["echo-1", "echo-large"]


class EchoBackend:
    name = "echo"

    def __init__(self, model: str) -> None:
        self.model = model

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        last = next((m.content for m in reversed(messages) if m.role == "user"), "")
        reply = f"echo ({self.model}): {last}"
        for i in range(0, len(reply), 8):
            yield StreamEvent("delta", text=reply[i : i + 8])
        yield StreamEvent("usage", usage=Usage(len(last) // 4, 0, len(reply) // 4, 0.0))
        yield StreamEvent("done", finish_reason="stop")

    def list_models(self) -> list[str]:
        return list(models)


def factory(settings: Any, model: str) -> EchoBackend:
    return EchoBackend(model)
