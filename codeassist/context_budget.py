"""Fitting a context to its budget and rendering it as messages.

:func:`assemble` turns a :class:`Draft` into messages and per-part token
counts (which sum to the total); :func:`fit` drops or shrinks parts in the
order :mod:`codeassist.context` documents until the draft fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.context_files import FileText, render_file_blocks
from codeassist.errors import CodeassistError, ContextTooLongError
from codeassist.tokens import estimate_tokens

if TYPE_CHECKING:
    from codeassist.context import ContextRequest

MESSAGE_OVERHEAD = 4  # tokens a chat message costs beyond its text (role, separators)
MIN_MAP_TOKENS = 256  # a smaller map is not worth sending
ACKS = {
    "instructions": "I will follow the project's instructions.",
    "map": "Ok, I have the repository map.",
    "read_only": "Ok, I will use these files for reference and not edit them.",
    "chat": "Ok, I will edit only these files and match their current content exactly.",
    "ask_files": "Ok, I have read these files.",
    "no_files": "Ok.",
}

# (root, chat_files=..., query=..., seed_files=..., tokens=..., model=..., max_files=...) -> an object with
# .text, .tokens and .files (each with .path and .rank), or None for no map.
MapProvider = Callable[..., Any]


@dataclass(frozen=True)
class ContextPart:
    """One part of the prompt and what it costs: ``system``, ``format``, ``instructions``, ``repo map``,
    ``related files``, ``read-only: PATH``, ``file: PATH``, ``history``, ``request``, ``framing``."""

    name: str
    tokens: int
    detail: str = ""


@dataclass
class Draft:
    """The parts of a context while it is being fitted to the budget."""

    system: str
    mode_text: str
    read_only: list[FileText]
    chat: list[FileText]
    history: list[Message]
    instructions: str = ""
    instruction_names: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # instruction files refused (symlinks out of the repository)
    map_text: str = ""
    map_tokens_asked: int = 0
    map_shown: tuple[str, ...] = ()  # files the map text shows
    map_seeds: tuple[str, ...] = ()  # files found by the request's words, seeding the map's ranking
    map_max_files: int | None = None  # the most files the map may show
    related: list[str] = field(default_factory=list)  # more candidate files, listed by path only
    candidates: tuple[str, ...] = ()
    dropped: list[str] = field(default_factory=list)


def call_map(
    provider: MapProvider,
    root: Path,
    in_play: list[str],
    req: ContextRequest,
    tokens: int,
    notes: list[str],
    seeds: Sequence[str] = (),
    max_files: int | None = None,
) -> Any:
    """The map, or None with a note when the engine cannot make one (the prompt is still useful)."""
    try:
        return provider(
            root,
            chat_files=in_play,
            query=req.request,
            seed_files=seeds,
            tokens=tokens,
            model=req.model,
            max_files=max_files,
        )
    except CodeassistError as exc:
        notes.append(f"repo map: unavailable ({exc.message})")
        return None


def msg_tokens(m: Message, model: str | None) -> int:
    return estimate_tokens(m.content, model) + MESSAGE_OVERHEAD


def total_tokens(draft: Draft, req: ContextRequest, dirs: Sequence[Path]) -> int:
    return sum(p.tokens for p in assemble(draft, req, dirs)[1])


def fixed_only(draft: Draft) -> Draft:
    return replace(draft, map_text="", related=[], read_only=[], history=[], dropped=[])


def check_fixed(draft: Draft, req: ContextRequest, dirs: Sequence[Path], budget: int) -> None:
    total = total_tokens(fixed_only(draft), req, dirs)
    if total > budget:
        raise too_long(total, budget, req)


def too_long(total: int, budget: int, req: ContextRequest) -> ContextTooLongError:
    # The same error (and exit code) as a server refusing the prompt as too long.
    return ContextTooLongError(
        f"the files in the chat do not fit the model's context: the prompt needs about {total} tokens "
        f"without the repo map, read-only files and history, but only {budget} are available "
        f"(context window {req.context_window} minus {req.max_output_tokens} reserved for the reply)",
        hint="drop files from the chat; if the model's window is larger, set it with --context-window N, "
        "CODEASSIST_CONTEXT_WINDOW=N or `codeassist config set context_window N`",
    )


def auto_map_tokens(draft: Draft, req: ContextRequest, dirs: Sequence[Path], budget: int) -> int:
    left = budget - total_tokens(replace(draft, map_text="", related=[]), req, dirs)
    target = min(max(req.context_window // 8, 1024), 8192)
    return max(0, min(target, left))


def fit(
    draft: Draft, req: ContextRequest, dirs: Sequence[Path], budget: int, provider: MapProvider, in_play: list[str]
) -> None:
    """Drop or shrink parts, in the documented order, until the draft fits ``budget``."""
    over = total_tokens(draft, req, dirs) - budget
    while over > 0 and draft.read_only:
        gone = draft.read_only.pop()
        draft.dropped.append(f"read-only: {gone.path}")
        if gone.auto:  # still worth naming: the model can ask for it
            draft.related.insert(0, gone.path)
        over = total_tokens(draft, req, dirs) - budget
    for _ in range(3):  # the map engine's own estimate may differ a little from ours
        if over <= 0 or not draft.map_text:
            break
        smaller = draft.map_tokens_asked - over - 32
        rmap = None
        if smaller >= MIN_MAP_TOKENS:
            rmap = call_map(
                provider, req.root.resolve(), in_play, req, smaller, draft.dropped, draft.map_seeds, draft.map_max_files
            )
        draft.dropped.append(f"repo map: {draft.map_tokens_asked} -> {smaller if rmap else 0} tokens")
        draft.map_text = rmap.text if rmap is not None else ""
        draft.map_tokens_asked = smaller if rmap is not None else 0
        draft.map_shown = tuple(f.path for f in rmap.files) if rmap is not None else ()
        over = total_tokens(draft, req, dirs) - budget
    if over > 0 and (draft.map_text or draft.related):
        draft.dropped.append("repo map: left out")
        draft.map_text = ""
        draft.related = []
        over = total_tokens(draft, req, dirs) - budget
    while over > 0 and draft.history:
        # Drop the oldest exchange (a user turn and the replies up to the next user turn).
        draft.history.pop(0)
        while draft.history and draft.history[0].role != "user":
            draft.history.pop(0)
        over = total_tokens(draft, req, dirs) - budget
    if len(draft.history) < len(req.history):
        draft.dropped.append(f"history: {len(req.history) - len(draft.history)} oldest messages")


def assemble(draft: Draft, req: ContextRequest, dirs: Sequence[Path]) -> tuple[list[Message], list[ContextPart]]:
    """The messages of ``draft`` and the tokens of each part (which sum to the total)."""
    model = req.model
    tok: Callable[[str], int] = lambda s: estimate_tokens(s, model)  # noqa: E731
    messages = [Message("system", draft.system + "\n" + draft.mode_text)]
    parts = [
        ContextPart("system", tok(draft.system)),
        ContextPart("format", tok(draft.mode_text), "ask mode" if req.mode == "ask" else req.edit_format),
    ]
    framing = tok("\n")

    def block(template: str, var: str, body: str, ack: str) -> None:
        nonlocal framing
        messages.append(Message("user", prompts.render(template, dirs, **{var: body})))
        messages.append(Message("assistant", ack))
        framing += tok(prompts.render(template, dirs, **{var: ""})) + tok(ack)

    if draft.instructions:
        block("context_instructions.md", "instructions", draft.instructions, ACKS["instructions"])
        parts.append(ContextPart("instructions", tok(draft.instructions), ", ".join(draft.instruction_names)))
    if draft.map_text or draft.related:
        related = prompts.render("context_related_files.md", dirs, files="".join(f"- {p}\n" for p in draft.related))
        body = draft.map_text + ("\n" if draft.map_text and draft.related else "") + (related if draft.related else "")
        block("context_repo_map.md", "map", body, ACKS["map"])
        if draft.map_text:
            parts.append(ContextPart("repo map", tok(draft.map_text), f"budget {draft.map_tokens_asked}"))
        if draft.related:
            parts.append(ContextPart("related files", tok(related), f"{len(draft.related)} paths"))
    if draft.read_only:
        block("context_read_only.md", "files", render_file_blocks(draft.read_only), ACKS["read_only"])
        parts.extend(_file_parts(draft.read_only, "read-only", tok))
    if draft.chat:
        if req.mode == "ask":
            block("context_ask_files.md", "files", render_file_blocks(draft.chat), ACKS["ask_files"])
        else:
            block("context_chat_files.md", "files", render_file_blocks(draft.chat), ACKS["chat"])
        parts.extend(_file_parts(draft.chat, "file", tok))
    elif req.mode == "edit":
        messages.append(Message("user", prompts.render("context_no_files.md", dirs)))
        messages.append(Message("assistant", ACKS["no_files"]))
        framing += tok(messages[-2].content) + tok(ACKS["no_files"])
    if draft.history:
        messages.extend(draft.history)
        hist = sum(estimate_tokens(m.content, model) for m in draft.history)
        parts.append(ContextPart("history", hist, f"{len(draft.history)} messages"))
    messages.append(Message("user", req.request))
    parts.append(ContextPart("request", tok(req.request)))
    framing += MESSAGE_OVERHEAD * len(messages)
    parts.append(ContextPart("framing", framing, f"{len(messages)} messages: headers, acknowledgements, overhead"))
    return messages, parts


def _file_parts(files: Sequence[FileText], kind: str, tok: Callable[[str], int]) -> list[ContextPart]:
    return [ContextPart(f"{kind}: {f.path}", tok(f.block), f.detail) for f in files]
