"""The review, commit and hook commands' shared wiring: the model, prompt folders, the cache, findings on a terminal.

:func:`model_completion` is the one place these commands wire settings to a
backend. The model and its facts come from the same resolution as every
request's (:func:`codeassist.session.resolve_model`: provider prefixes,
discovery on a named server, the server's window, the early key and
server checks), so ``review`` and ``commit`` call the model ``edit`` would.
No typer here: the hook's fast path imports this module, and the session
module only when there is something to send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from codeassist.interfaces.options import GlobalOptions
    from codeassist.review.changes import ChangeSet
    from codeassist.review.findings import Finding


def model_completion(
    opts: GlobalOptions, settings: Any, *, json_schema: Mapping[str, Any] | None = None
) -> Callable[[str], str]:
    """One prompt in, the model's whole reply out: the backend and model the settings name.

    ``json_schema`` is sent as the reply's required shape where the endpoint
    supports it (see :func:`schema_extra`). Raises ConfigError when no model is
    configured, BackendError when the call fails.
    """
    from codeassist.backends.base import Message, RequestOptions
    from codeassist.backends.registry import create_backend
    from codeassist.session import resolve_model

    facts = resolve_model(settings, opts.environ)
    settings, info = facts.settings, facts.info
    backend = create_backend(settings, opts.environ)
    extra = schema_extra(opts, settings, info.api, json_schema) if json_schema is not None else {}
    options = RequestOptions(model=str(settings.model or info.name), temperature=settings.temperature, extra=extra)

    def complete(prompt: str) -> str:
        events = backend.stream([Message("user", prompt)], options)
        return "".join(e.text for e in events if e.kind == "delta")

    return complete


def schema_extra(opts: GlobalOptions, settings: Any, api: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields that make the reply follow ``schema``; empty where the endpoint may reject them.

    ``review_json_schema``: ``on``, ``off``, or ``auto``: on only for OpenAI's
    own endpoint, the one known to accept strict JSON schemas (other
    OpenAI-compatible servers differ, and the reply is parsed defensively anyway).
    """
    from codeassist.backends.presets import resolve_endpoint
    from codeassist.errors import ConfigError

    mode = str(settings.review_json_schema).lower()
    if mode not in ("on", "off", "auto"):
        raise ConfigError(f"review_json_schema must be on, off or auto, not {mode!r}")
    if mode == "off":
        return {}
    if mode == "auto":
        endpoint = resolve_endpoint(settings, opts.environ)
        if endpoint.preset is not None and endpoint.preset.name not in ("openai",):
            return {}
        if endpoint.base_url not in (None, "https://api.openai.com/v1"):
            return {}
    spec = {"name": "review_findings", "schema": dict(schema), "strict": True}
    if api == "responses":
        return {"text": {"format": {"type": "json_schema", **spec}}}
    return {"response_format": {"type": "json_schema", "json_schema": spec}}


def prompt_dirs_for(opts: GlobalOptions, root: Path) -> tuple[Path, ...]:
    from codeassist.config import user_config_path
    from codeassist.prompts import prompt_dirs

    return prompt_dirs(root, user_config_path(opts.environ).parent)


def cache_dir_for(root: Path) -> Path | None:
    from codeassist.errors import GitError
    from codeassist.git import git_path

    try:
        return git_path(root, "codeassist/review-cache")
    except GitError:
        return None


def print_findings(out: Console, findings: Sequence[Finding], changes: ChangeSet | None, *, context: int = 2) -> None:
    """Each finding as ``path:line: severity: message [rule]``, with the code around its line."""
    from rich.markup import escape

    from codeassist.secrets import find_secrets

    sources = {f.path: f.text().splitlines() for f in changes.files if f.new is not None} if changes else {}
    hidden: dict[str, set[int]] = {}
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        where = f"{f.path}:{f.line}" if f.line else f.path
        out.print(f"[bold]{escape(where)}[/]: [{colour}]{f.severity}[/]: {escape(f.message)} [dim]\\[{f.rule}][/]")
        lines = sources.get(f.path, [])
        if not f.line or not lines:
            continue
        if f.path not in hidden:  # never print a line that holds a likely secret, whatever the finding
            hidden[f.path] = {m.line for m in find_secrets("\n".join(lines))}
        first, last = max(1, f.line - context), min(len(lines), f.end_line + context)
        for n in range(first, last + 1):
            mark = ">" if f.line <= n <= f.end_line else " "
            text = "(line hidden: it holds a likely secret)" if n in hidden[f.path] else lines[n - 1]
            out.print(f"[dim]{mark}{n:>5} |[/] {escape(text)}", highlight=False)
