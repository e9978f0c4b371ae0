"""Context assembly: templates + instruction files + repo map + files + history -> messages.

The messages come in a fixed order so that a provider's prompt cache keeps
hitting as a conversation grows: the static parts first (system prompt with
the edit-format instructions, the project's instructions, the repo map,
read-only files, the files in the chat), then the history, and the request
last. The same inputs give the same bytes.

Budget: the model's context window minus the room reserved for the reply.
When the repo map budget is not given it scales with what is left (at most
an eighth of the window, between 1k and 8k tokens). When everything does not
fit, parts are dropped in this order: read-only files (the last ones first),
then the repo map is shrunk and finally left out, then the oldest history
messages (``needs_summary`` tells the loop to summarise the history). A file
that joined the chat only because the request names it is left out (with a
note in ``dropped``) when it alone would not fit. If the system prompt,
instructions, the files in the chat and the request alone do not fit,
:class:`~codeassist.errors.TaskFailed` says by how much.

Files: those given (editable chat files and read-only files), plus the files
the request names by path (see :func:`files_named_in`), which join the chat.
Other files are ranked for the request (its words, :mod:`codeassist.lexical`,
fused with the map's order) into ``candidates``; when no file was given or
named, the best ``map_files`` of them are shown read-only, and the next
``related_files`` are listed by path after the map (so are suggestions later
dropped to fit), for the model to ask for with ``NEED FILE: path``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.context_files import (
    FileText,
    read_file,
    render_file_blocks,
    repo_files,
    repo_relative,
    try_read_file,
)
from codeassist.errors import CodeassistError, TaskFailed, UsageError
from codeassist.instructions import find_instruction_files, render_instructions
from codeassist.lexical import fuse, rank_by_text
from codeassist.prompts import requested_files
from codeassist.tokens import estimate_tokens

__all__ = [
    "BuiltContext",
    "ContextPart",
    "ContextRequest",
    "build_context",
    "files_named_in",
    "repo_relative",
    "requested_files",
]

Mode = Literal["edit", "ask"]
MESSAGE_OVERHEAD = 4  # tokens a chat message costs beyond its text (role, separators)
MIN_MAP_TOKENS = 256  # a smaller map is not worth sending
LEXICAL_MAP_WEIGHTS = (1.0, 0.35)
MAX_CANDIDATES = 50
ACKS = {
    "instructions": "I will follow the project's instructions.",
    "map": "Ok, I have the repository map.",
    "read_only": "Ok, I will use these files for reference and not edit them.",
    "chat": "Ok, I will edit only these files and match their current content exactly.",
    "ask_files": "Ok, I have read these files.",
    "no_files": "Ok.",
}

# (root, chat_files=..., query=..., tokens=..., model=...) -> an object with
# .text, .tokens and .files (each with .path and .rank), or None for no map.
MapProvider = Callable[..., Any]


@dataclass(frozen=True)
class ContextRequest:
    """Everything :func:`build_context` needs; paths are relative to ``root``."""

    root: Path
    request: str
    mode: Mode = "edit"
    edit_format: str = "search-replace"
    model: str | None = None
    context_window: int = 32_768
    max_output_tokens: int = 4_096
    chat_files: tuple[str, ...] = ()  # editable, sent in full
    read_only_files: tuple[str, ...] = ()
    history: tuple[Message, ...] = ()
    map_tokens: int | None = None  # None: scale with what is left
    map_files: int = 5  # top ranked files offered read-only when no file is given or named
    related_files: int = 10  # further candidate files listed by path after the map
    instruction_files: tuple[str, ...] = ()  # extra files from config


@dataclass(frozen=True)
class ContextPart:
    name: str
    tokens: int
    detail: str = ""


@dataclass(frozen=True)
class BuiltContext:
    messages: tuple[Message, ...]
    parts: tuple[ContextPart, ...]
    files: tuple[str, ...]  # editable (chat) files, including those named in the request
    read_only: tuple[str, ...]
    total_tokens: int  # the sum of the parts' tokens
    budget: int  # context window minus the reply reserve
    history_tokens: int = 0  # tokens of the whole history given, before any was dropped
    needs_summary: bool = False  # history messages were dropped to fit
    map_text: str = ""
    map_files: tuple[str, ...] = ()  # files the repo map text shows
    related: tuple[str, ...] = ()  # files listed by path after the map as possibly relevant
    # Files not in the chat ranked for the request (its words fused with the map), best first;
    # what the loop may offer next. Read-only suggestions and related files come from here.
    candidates: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # what was left out or shrunk to fit, in order
    instructions_refused: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
            "parts": [{"name": p.name, "tokens": p.tokens, "detail": p.detail} for p in self.parts],
            "total_tokens": self.total_tokens,
            "budget": self.budget,
            "files": list(self.files),
            "read_only": list(self.read_only),
        }


def default_map_provider(root: Path, *, chat_files: Sequence[str], query: str, tokens: int, model: str | None) -> Any:
    """The repo map engine; None when it is not available in this installation."""
    try:
        from codeassist.repomap import build_repo_map
    except ImportError:
        return None
    return build_repo_map(root, chat_files=tuple(chat_files), query=query, tokens=tokens, model=model)


def files_named_in(text: str, known: Sequence[str]) -> list[str]:
    """Repository files that ``text`` names as whole tokens, in order of mention.

    A token names a file when it equals its path (``src/app.py``, also with a
    leading ``./`` or a ``:line`` suffix), or its file name (``app.py``) when
    no other file has that name and the name has an extension.
    """
    paths = set(known)
    by_name: dict[str, list[str]] = {}
    for p in known:
        by_name.setdefault(p.rsplit("/", 1)[-1], []).append(p)
    out: list[str] = []
    for raw in re.split(r"[\s,;()\[\]{}<>\"'`|=]+", text):
        tok = re.sub(r":\d+(:\d+)?$", "", raw).rstrip(".:!?")
        while tok.startswith("./"):
            tok = tok[2:]
        if not tok:
            continue
        hit = tok if tok in paths else None
        if hit is None and "/" not in tok and "." in tok.strip("."):
            same = by_name.get(tok, [])
            hit = same[0] if len(same) == 1 else None
        if hit is not None and hit not in out:
            out.append(hit)
    return out


@dataclass
class _Draft:
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
    related: list[str] = field(default_factory=list)  # more candidate files, listed by path only
    candidates: tuple[str, ...] = ()
    dropped: list[str] = field(default_factory=list)


def build_context(
    req: ContextRequest,
    *,
    map_provider: MapProvider | None = None,
    prompt_dirs: Sequence[Path] | None = None,
) -> BuiltContext:
    """The messages for ``req`` within its budget; see the module docstring for the rules."""
    if not req.request.strip():
        raise UsageError("the request is empty")
    budget = req.context_window - req.max_output_tokens
    if budget <= 0:
        raise TaskFailed(
            f"no room for a prompt: the context window ({req.context_window} tokens) is not larger "
            f"than the reply reserve ({req.max_output_tokens} tokens)"
        )
    root = req.root.resolve()
    dirs = tuple(prompt_dirs) if prompt_dirs is not None else prompts.prompt_dirs(root, None)
    provider = map_provider if map_provider is not None else default_map_provider

    all_files = repo_files(root)
    draft, named_texts, given_any = _start_draft(req, root, dirs, all_files)
    _check_fixed(draft, req, dirs, budget)
    # Files named in the request were not asked for explicitly: one that does not fit is left out.
    for named_text in named_texts:
        draft.chat.append(named_text)
        if _total(_fixed_only(draft), req, dirs) > budget:
            draft.chat.pop()
            draft.dropped.append(f"named file: {named_text.path} (too large)")
    in_play = [f.path for f in draft.chat + draft.read_only]
    map_budget = req.map_tokens if req.map_tokens is not None else _auto_map_tokens(draft, req, dirs, budget)
    _add_map_and_candidates(draft, req, provider, all_files, in_play, map_budget, suggest=not given_any)

    history_tokens = sum(_msg_tokens(m, req.model) for m in req.history)
    _fit(draft, req, dirs, budget, provider, in_play)
    messages, parts = _assemble(draft, req, dirs)
    total = sum(p.tokens for p in parts)
    if total > budget:  # only the fixed parts remain; _check_fixed makes this rare
        raise _too_long(total, budget, req)
    return BuiltContext(
        messages=tuple(messages),
        parts=tuple(parts),
        files=tuple(f.path for f in draft.chat),
        read_only=tuple(f.path for f in draft.read_only),
        total_tokens=total,
        budget=budget,
        history_tokens=history_tokens,
        needs_summary=len(draft.history) < len(req.history),
        map_text=draft.map_text,
        map_files=draft.map_shown if draft.map_text else (),
        related=tuple(draft.related),
        candidates=draft.candidates,
        dropped=tuple(draft.dropped),
        instructions_refused=draft.refused,
    )


def _start_draft(
    req: ContextRequest, root: Path, dirs: Sequence[Path], all_files: Sequence[str]
) -> tuple[_Draft, list[FileText], bool]:
    """The draft with the given files; the files the request names (not added yet); whether any file was given."""
    chat_paths = _unique(req.chat_files)
    ro_paths = [p for p in _unique(req.read_only_files) if p not in chat_paths]
    named = [p for p in files_named_in(req.request, all_files) if p not in chat_paths and p not in ro_paths]
    chat = [read_file(root, p, editable=True) for p in chat_paths]
    read_only = [read_file(root, p, editable=False) for p in ro_paths]
    named_texts = [t for t in (try_read_file(root, p, editable=True) for p in named) if t is not None]
    system, mode_text = prompts.system_prompt(req.mode, req.edit_format, dirs)
    draft = _Draft(system=system, mode_text=mode_text, read_only=read_only, chat=chat, history=list(req.history))
    _set_instructions(draft, root, [f.path for f in chat + named_texts + read_only], req)
    return draft, named_texts, bool(chat_paths or ro_paths or named)


def _set_instructions(draft: _Draft, root: Path, near: Sequence[str], req: ContextRequest) -> None:
    found = find_instruction_files(root, near=near, configured=req.instruction_files)
    draft.instructions = render_instructions(found.files)
    draft.instruction_names = tuple(f.path for f in found.files)
    draft.refused = found.refused


def _add_map_and_candidates(
    draft: _Draft,
    req: ContextRequest,
    provider: MapProvider,
    all_files: Sequence[str],
    in_play: list[str],
    map_budget: int,
    *,
    suggest: bool,
) -> None:
    """The repo map, the ranked candidates, read-only suggestions (when ``suggest``) and related files."""
    root = req.root.resolve()
    with_map = map_budget >= MIN_MAP_TOKENS
    map_ranked: list[str] = []
    if with_map:
        rmap = _call_map(provider, root, in_play, req, map_budget, draft.dropped)
        if rmap is not None:
            draft.map_text = rmap.text
            draft.map_tokens_asked = map_budget
            map_ranked = [f.path for f in sorted(rmap.files, key=lambda f: (-f.rank, f.path))]
            draft.map_shown = tuple(map_ranked)
    suggest = suggest and req.map_files > 0
    if not (suggest or with_map):
        return
    lexical = [p for p, _ in rank_by_text(root, all_files, req.request)]
    shown = set(in_play) | set(draft.instruction_names)
    # The words of a request find the files a change touches better than the symbol
    # graph does (BENCHMARKS.md, context recall); the map's order breaks near-ties.
    fused = [p for p in fuse([lexical, map_ranked], LEXICAL_MAP_WEIGHTS) if p not in shown]
    draft.candidates = tuple(fused[:MAX_CANDIDATES])
    if suggest:
        _add_suggestions(draft, root, fused, req)
    if with_map:
        offered = set(draft.map_shown) | {f.path for f in draft.read_only}
        draft.related = [p for p in fused if p not in offered][: req.related_files]


def _add_suggestions(draft: _Draft, root: Path, ranked: Sequence[str], req: ContextRequest) -> None:
    """Offer the best-ranked files read-only; they bring their directories' AGENTS.md along."""
    for path in ranked:
        if len(draft.read_only) >= req.map_files:
            break
        text = try_read_file(root, path, editable=False)
        if text is not None:
            draft.read_only.append(replace(text, auto=True))
    _set_instructions(draft, root, [f.path for f in draft.read_only], req)


def _call_map(
    provider: MapProvider, root: Path, in_play: list[str], req: ContextRequest, tokens: int, notes: list[str]
) -> Any:
    """The map, or None with a note when the engine cannot make one (the prompt is still useful)."""
    try:
        return provider(root, chat_files=in_play, query=req.request, tokens=tokens, model=req.model)
    except CodeassistError as exc:
        notes.append(f"repo map: unavailable ({exc.message})")
        return None


def _unique(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out


def _msg_tokens(m: Message, model: str | None) -> int:
    return estimate_tokens(m.content, model) + MESSAGE_OVERHEAD


def _total(draft: _Draft, req: ContextRequest, dirs: Sequence[Path]) -> int:
    return sum(p.tokens for p in _assemble(draft, req, dirs)[1])


def _fixed_only(draft: _Draft) -> _Draft:
    return replace(draft, map_text="", related=[], read_only=[], history=[], dropped=[])


def _check_fixed(draft: _Draft, req: ContextRequest, dirs: Sequence[Path], budget: int) -> None:
    total = _total(_fixed_only(draft), req, dirs)
    if total > budget:
        raise _too_long(total, budget, req)


def _too_long(total: int, budget: int, req: ContextRequest) -> TaskFailed:
    return TaskFailed(
        f"the files in the chat do not fit the model's context: the prompt needs about {total} tokens "
        f"without the repo map, read-only files and history, but only {budget} are available "
        f"(context window {req.context_window} minus {req.max_output_tokens} reserved for the reply)",
        hint="drop files from the chat, or use a model with a larger context window",
    )


def _auto_map_tokens(draft: _Draft, req: ContextRequest, dirs: Sequence[Path], budget: int) -> int:
    left = budget - _total(replace(draft, map_text="", related=[]), req, dirs)
    target = min(max(req.context_window // 8, 1024), 8192)
    return max(0, min(target, left))


def _fit(
    draft: _Draft, req: ContextRequest, dirs: Sequence[Path], budget: int, provider: MapProvider, in_play: list[str]
) -> None:
    """Drop or shrink parts, in the documented order, until the draft fits ``budget``."""
    over = _total(draft, req, dirs) - budget
    while over > 0 and draft.read_only:
        gone = draft.read_only.pop()
        draft.dropped.append(f"read-only: {gone.path}")
        if gone.auto:  # still worth naming: the model can ask for it
            draft.related.insert(0, gone.path)
        over = _total(draft, req, dirs) - budget
    for _ in range(3):  # the map engine's own estimate may differ a little from ours
        if over <= 0 or not draft.map_text:
            break
        smaller = draft.map_tokens_asked - over - 32
        rmap = None
        if smaller >= MIN_MAP_TOKENS:
            rmap = _call_map(provider, req.root.resolve(), in_play, req, smaller, draft.dropped)
        draft.dropped.append(f"repo map: {draft.map_tokens_asked} -> {smaller if rmap else 0} tokens")
        draft.map_text = rmap.text if rmap is not None else ""
        draft.map_tokens_asked = smaller if rmap is not None else 0
        draft.map_shown = tuple(f.path for f in rmap.files) if rmap is not None else ()
        over = _total(draft, req, dirs) - budget
    if over > 0 and (draft.map_text or draft.related):
        draft.dropped.append("repo map: left out")
        draft.map_text = ""
        draft.related = []
        over = _total(draft, req, dirs) - budget
    while over > 0 and draft.history:
        # Drop the oldest exchange (a user turn and the replies up to the next user turn).
        draft.history.pop(0)
        while draft.history and draft.history[0].role != "user":
            draft.history.pop(0)
        over = _total(draft, req, dirs) - budget
    if len(draft.history) < len(req.history):
        draft.dropped.append(f"history: {len(req.history) - len(draft.history)} oldest messages")


def _assemble(draft: _Draft, req: ContextRequest, dirs: Sequence[Path]) -> tuple[list[Message], list[ContextPart]]:
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
