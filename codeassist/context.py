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
:class:`~codeassist.errors.ContextTooLongError` (exit 4, as when the server refuses) says by how much.

Files: those given (editable chat files and read-only files), plus the files
the request names by path (see :func:`files_named_in`), which join the chat.
Other files are ranked for the request (its words, :mod:`codeassist.lexical`,
and the files changed by past commits whose messages read like it,
:mod:`codeassist.history`, fused with the map's order) into ``candidates``;
the first of these also seed the map and lead it, in their order; the map
shows at most one file per 200 tokens of its budget, at least ten (what is
left buys more of those files' code). When no file was given or named, the
best ``map_files`` candidates are shown read-only (bounded in size, see
:func:`_add_suggestions`; documentation, changelogs and lock files come with
code, not instead of it; a larger code file is only listed, and keeps its
place rather than making room for a weaker one), and the next ``related_files`` (by default one per 128 tokens of
map budget, at least thirty, paid from that budget) are listed by path after
the map (so are suggestions later dropped to fit), for the model to ask for
with ``NEED FILE: path``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeassist import prompts
from codeassist.backends.base import Message
from codeassist.context_budget import (
    MIN_MAP_TOKENS,
    ContextPart,
    Draft,
    MapProvider,
    assemble,
    auto_map_tokens,
    call_map,
    check_fixed,
    fit,
    fixed_only,
    msg_tokens,
    too_long,
    total_tokens,
)
from codeassist.context_files import (
    FileText,
    read_file,
    try_read_file,
)
from codeassist.errors import TaskFailed, UsageError
from codeassist.file_kinds import asks_about_tests, is_prose, is_test, prose_asked
from codeassist.history import MAX_COMMITS, rank_by_messages, read_history
from codeassist.instructions import find_instruction_files, render_instructions
from codeassist.lexical import fuse, rank_by_text
from codeassist.prompts import requested_files
from codeassist.tokens import estimate_tokens

if TYPE_CHECKING:
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.config import Settings

__all__ = [
    "BuiltContext",
    "ContextPart",
    "ContextRequest",
    "MapProvider",
    "build_context",
    "default_map_provider",
    "files_named_in",
    "is_prose",
    "request_from_settings",
    "requested_files",
]

Mode = Literal["edit", "ask"]
# The request's words, past commits whose messages match it, the map's order (BENCHMARKS.md).
RANKING_WEIGHTS = (1.0, 0.5, 0.35)
MAX_CANDIDATES = 50
MAP_SEEDS = 20  # best files by the request's words and history that seed the map's ranking
# The map shows at most one file per this many tokens of its budget: past that, the symbol
# graph's picks hold fewer of the files a change needs than the candidates listed by path
# after the map do, at as many files (BENCHMARKS.md, context recall).
MAP_TOKENS_PER_FILE = 200
MIN_MAP_FILES = 10  # ... but at least this many (a small map outlines them instead)
MAP_TOKENS_PER_RELATED = 128  # map budget per file listed by path after the map ...
MIN_RELATED = 30  # ... and at least this many (a path costs about ten tokens)
# Files offered read-only unasked: at most this many tokens each and in all, so that a large
# window does not send a changelog or a huge module with every request.
SUGGESTED_FILE_TOKENS = 8_000
# A source file may take more, as may what the request asks about: it is what a change edits.
# A large window pays for a large module: a quarter of the budget for one, a third for all.
SUGGESTED_CODE_TOKENS = 12_000
SUGGESTED_TOKENS = 24_000


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
    # Further candidate files listed by path after the map; None: MIN_RELATED, more for a large map.
    related_files: int | None = None
    instruction_files: tuple[str, ...] = ()  # extra files from config
    history_commits: int = MAX_COMMITS  # past commits searched for messages like the request; 0: none
    # The files that exist for codeassist (the Workspace's file rule); None: git's listing as is.
    repo_files: tuple[str, ...] | None = None
    # Why the file rule hides a path (a secret by its content, say), or None; only files the
    # user names (``chat_files``, ``read_only_files``) are sent whatever it says.
    hidden: Callable[[str], str | None] | None = None


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


def request_from_settings(
    settings: Settings,
    info: ModelInfo,
    root: Path,
    request: str,
    *,
    mode: Mode,
    edit_format: str,
    chat_files: Sequence[str] = (),
    read_only_files: Sequence[str] = (),
    history: Sequence[Message] = (),
    map_tokens: int | None = None,
    context_window: int | None = None,
) -> ContextRequest:
    """The request the settings describe: one rule for ``edit``, ``ask``, ``context`` and ``/context``.

    ``map_tokens`` (a flag) wins; otherwise a map budget configured explicitly
    applies, and the setting's default leaves the map to scale with the
    window. ``context_window`` defaults to the model's.
    """
    if map_tokens is None and settings.source("map_tokens") != "default":
        map_tokens = settings.map_tokens
    return ContextRequest(
        root=root,
        request=request,
        mode=mode,
        edit_format=edit_format,
        model=settings.model,
        context_window=info.context_window if context_window is None else context_window,
        max_output_tokens=info.max_output_tokens,
        chat_files=tuple(chat_files),
        read_only_files=tuple(read_only_files),
        history=tuple(history),
        map_tokens=map_tokens,
        map_files=settings.map_files,
        instruction_files=tuple(settings.instruction_files or ()),
        history_commits=settings.history_commits,
    )


def default_map_provider(
    root: Path,
    *,
    chat_files: Sequence[str],
    query: str,
    tokens: int,
    model: str | None,
    seed_files: Sequence[str] = (),
    max_files: int | None = None,
) -> Any:
    """The repo map engine; None when it is not available in this installation."""
    try:
        from codeassist.repomap import build_repo_map
    except ImportError:
        return None
    return build_repo_map(
        root,
        chat_files=tuple(chat_files),
        query=query,
        seed_files=tuple(seed_files),
        tokens=tokens,
        model=model,
        max_files=max_files,
    )


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

    req = _with_file_rule(req, root)
    all_files = list(req.repo_files or ())
    draft, named_texts, given_any = _start_draft(req, root, dirs, all_files)
    check_fixed(draft, req, dirs, budget)
    # Files named in the request were not asked for explicitly: one that does not fit is left out.
    for named_text in named_texts:
        draft.chat.append(named_text)
        if total_tokens(fixed_only(draft), req, dirs) > budget:
            draft.chat.pop()
            draft.dropped.append(f"named file: {named_text.path} (too large)")
    in_play = [f.path for f in draft.chat + draft.read_only]
    map_budget = req.map_tokens if req.map_tokens is not None else auto_map_tokens(draft, req, dirs, budget)
    _add_map_and_candidates(draft, req, provider, all_files, in_play, map_budget, suggest=not given_any)

    history_tokens = sum(msg_tokens(m, req.model) for m in req.history)
    fit(draft, req, dirs, budget, provider, in_play)
    messages, parts = assemble(draft, req, dirs)
    total = sum(p.tokens for p in parts)
    if total > budget:  # only the fixed parts remain; check_fixed makes this rare
        raise too_long(total, budget, req)
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
) -> tuple[Draft, list[FileText], bool]:
    """The draft with the given files; the files the request names (not added yet); whether any file was given."""
    chat_paths = _unique(req.chat_files)
    ro_paths = [p for p in _unique(req.read_only_files) if p not in chat_paths]
    named = [p for p in files_named_in(req.request, all_files) if p not in chat_paths and p not in ro_paths]
    chat = [read_file(root, p, editable=True) for p in chat_paths]
    read_only = [read_file(root, p, editable=False) for p in ro_paths]
    named = [p for p in named if not _hidden(req, p)]
    named_texts = [t for t in (try_read_file(root, p, editable=True) for p in named) if t is not None]
    system, mode_text = prompts.system_prompt(req.mode, req.edit_format, dirs)
    draft = Draft(system=system, mode_text=mode_text, read_only=read_only, chat=chat, history=list(req.history))
    _set_instructions(draft, root, [f.path for f in chat + named_texts + read_only], req)
    return draft, named_texts, bool(chat_paths or ro_paths or named)


def _set_instructions(draft: Draft, root: Path, near: Sequence[str], req: ContextRequest) -> None:
    found = find_instruction_files(root, near=near, configured=req.instruction_files)
    draft.instructions = render_instructions(found.files)
    draft.instruction_names = tuple(f.path for f in found.files)
    draft.refused = found.refused


def _add_map_and_candidates(
    draft: Draft,
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
    suggest = suggest and req.map_files > 0
    if not (suggest or with_map):
        return
    lexical = [p for p, _ in rank_by_text(root, all_files, req.request)]
    history = read_history(root, req.history_commits)
    past = [p for p, _ in rank_by_messages(history, req.request, all_files)]
    by_text = fuse([lexical, past], RANKING_WEIGHTS[:2])
    map_ranked: list[str] = []
    n_related = req.related_files if req.related_files is not None else MIN_RELATED
    if with_map:
        # The map shows the code around the files the request's words find (BENCHMARKS.md,
        # context recall), and a larger map lists more of them by path, paid from its own budget.
        draft.map_seeds = tuple(p for p in by_text if p not in in_play)[:MAP_SEEDS]
        draft.map_max_files = max(MIN_MAP_FILES, map_budget // MAP_TOKENS_PER_FILE)
        if req.related_files is None:
            n_related = max(MIN_RELATED, map_budget // MAP_TOKENS_PER_RELATED)
            cost = sum(estimate_tokens(f"- {p}\n", req.model) for p in by_text[:n_related])
            map_budget = max(MIN_MAP_TOKENS, map_budget - cost)
        rmap = call_map(provider, root, in_play, req, map_budget, draft.dropped, draft.map_seeds, draft.map_max_files)
        if rmap is not None:
            draft.map_text = rmap.text
            draft.map_tokens_asked = map_budget
            map_ranked = [f.path for f in sorted(rmap.files, key=lambda f: (-f.rank, f.path))]
            draft.map_shown = tuple(f.path for f in rmap.files)  # as the text shows them
    shown = set(in_play) | set(draft.instruction_names)
    # The words of a request and the files of past commits described like it find the files
    # a change touches better than the symbol graph does (BENCHMARKS.md, context recall);
    # the map's order breaks near-ties.
    fused = [p for p in fuse([lexical, past, map_ranked], RANKING_WEIGHTS) if p not in shown]
    draft.candidates = tuple(fused[:MAX_CANDIDATES])
    if suggest:
        _add_suggestions(draft, root, fused, req)
    if with_map:
        offered = set(draft.map_shown) | {f.path for f in draft.read_only}
        draft.related = [p for p in fused if p not in offered][:n_related]


def _add_suggestions(draft: Draft, root: Path, ranked: Sequence[str], req: ContextRequest) -> None:
    """Offer the best-ranked files read-only; they bring their directories' AGENTS.md along.

    Nobody asked for these, so their cost is bounded: a file larger than
    :data:`SUGGESTED_FILE_TOKENS` (a changelog, a lock file; for source code and
    what the request is about :data:`SUGGESTED_CODE_TOKENS` or a quarter of a
    large budget) is skipped and stays listed by path, and all of them take at
    most :data:`SUGGESTED_TOKENS` or a third of the budget. When the request
    is about tests, one test file may take up to half the budget instead: it
    is then what the change edits. A code file skipped for its size still
    counts among the ``map_files`` (it leads the map, which shows its
    outline): a weaker candidate shown whole in its place held the changed
    files less often than the map's first file did (BENCHMARKS.md, issue 15).
    Documentation, changelogs and lock files (:func:`is_prose`) come with
    code, not instead of it: unless the request is about them, at most one is
    offered, after the code, and none when no source file is; what the request
    is about is offered even past a skipped code file, as the map cannot show it.
    """
    from codeassist.index.languages import language_for_path

    about = prose_asked(req.request)
    large_test = asks_about_tests(req.request)  # one test file may be large: the change edits it
    code: list[FileText] = []
    prose: list[FileText] = []
    used = 0
    slots = 0  # the best candidates considered, whether shown or too large
    budget = req.context_window - req.max_output_tokens
    code_cap = max(SUGGESTED_CODE_TOKENS, budget // 4)
    total_cap = max(SUGGESTED_TOKENS, budget // 3)
    for path in ranked[:MAX_CANDIDATES]:
        if len(code) + len(prose) >= req.map_files:
            break
        is_code = language_for_path(path) is not None
        is_doc = is_prose(path) and not about(path)
        asked = is_prose(path) and not is_doc
        # A code file too large to show keeps its place from the files after it: it leads the
        # map and is listed by path, rather than making room for a weaker candidate shown whole;
        # documentation the request is about still comes, as the map cannot show it.
        if (slots >= req.map_files and not asked) or (is_doc and prose) or _hidden(req, path):
            continue
        text = try_read_file(root, path, editable=False)
        if text is None:
            continue
        cost = estimate_tokens(text.block, req.model)
        if large_test and cost > code_cap and is_test(path):
            if cost > budget // 2:
                slots += 1
                continue
            large_test = False  # outside the caps below, and only one
        elif cost > (code_cap if is_code or asked else SUGGESTED_FILE_TOKENS) or used + cost > total_cap:
            slots += is_code
            continue
        else:
            used += cost
        slots += 1
        (prose if is_doc else code).append(replace(text, auto=True))
    if any(language_for_path(t.path) is not None for t in code):
        code.extend(prose)
    draft.read_only.extend(code)
    _set_instructions(draft, root, [f.path for f in draft.read_only], req)


def _with_file_rule(req: ContextRequest, root: Path) -> ContextRequest:
    """``req`` with the repository's file rule filled in (nothing exists outside a git work tree)."""
    if req.repo_files is not None:
        return req
    from codeassist.workspace import Workspace

    ws = Workspace.find(root)
    if ws is None:
        return replace(req, repo_files=())
    try:
        files = tuple(ws.files())
    finally:
        ws.forget_listing()
    return replace(req, repo_files=files, hidden=req.hidden or ws.hidden_reason)


def _hidden(req: ContextRequest, path: str) -> bool:
    return req.hidden is not None and req.hidden(path) is not None


def _unique(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out
