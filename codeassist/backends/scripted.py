"""A scripted backend: a fake of our own Backend interface for tests and demos.

Each call to :meth:`ScriptedBackend.stream` takes the next scripted reply. A
reply is either text (streamed in small deltas) or a list of StreamEvents.
The messages each call received are kept in :attr:`calls`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from codeassist.backends.base import Message, RequestOptions, StreamEvent, Usage
from codeassist.errors import BackendError


class ScriptedBackend:
    name = "scripted"

    def __init__(self, replies: Sequence[str | list[StreamEvent]], *, models: Sequence[str] = ("scripted",)) -> None:
        self._replies = list(replies)
        self._models = list(models)
        self.calls: list[list[Message]] = []

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        self.calls.append(list(messages))
        if not self._replies:
            raise BackendError("scripted backend has no more replies")
        reply = self._replies.pop(0)
        if isinstance(reply, str):
            yield from _text_events(reply, messages)
        else:
            yield from reply

    def list_models(self) -> list[str]:
        return list(self._models)


def _text_events(text: str, messages: Sequence[Message]) -> Iterator[StreamEvent]:
    for i in range(0, len(text), 16):
        yield StreamEvent("delta", text=text[i : i + 16])
    prompt_chars = sum(len(m.content) for m in messages)
    yield StreamEvent("usage", usage=Usage(input_tokens=prompt_chars // 4, output_tokens=max(1, len(text) // 4)))
    yield StreamEvent("done", finish_reason="stop")
