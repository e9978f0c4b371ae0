"""Command: ``models``: the catalogue, installed backends, and what the endpoint serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from codeassist.backends.catalogue import ModelInfo
    from codeassist.backends.discovery import Found
    from codeassist.config import Settings
    from codeassist.interfaces.options import GlobalOptions

# /models is a small request; a server that needs longer is as good as unreachable here.
REMOTE_CONNECT_TIMEOUT = 2.0
REMOTE_READ_TIMEOUT = 5.0


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _thousands(tokens: int) -> str:
    return f"{tokens // 1000:,}k" if tokens >= 1000 else str(tokens)


def _catalogue_rows(settings: Settings) -> list[ModelInfo]:
    """Every shipped model, then models only the config describes; config overrides applied."""
    from codeassist.backends.catalogue import catalogue, lookup_model

    rows = [lookup_model(info.name, settings.models) for info in catalogue().values()]
    known = {r.name.lower() for r in rows}
    for name in sorted(settings.models):
        if name.lower() not in known:
            rows.append(lookup_model(name, settings.models))
    return rows


def _remote(opts: GlobalOptions, settings: Settings) -> dict[str, Any] | None:
    """What the configured endpoint's /models returns; errors become a note, never a failure."""
    from codeassist.backends.openai_compat import OpenAICompatBackend, RetryPolicy
    from codeassist.backends.presets import Endpoint, resolve_endpoint
    from codeassist.backends.registry import create_backend
    from codeassist.errors import CodeassistError
    from codeassist.redact import redact_text

    quick = settings.with_overrides(
        timeout_connect=REMOTE_CONNECT_TIMEOUT, timeout_read=REMOTE_READ_TIMEOUT, max_retries=0
    )
    try:
        if settings.model:
            backend = create_backend(quick, opts.environ)
        elif settings.base_url or settings.api_key:
            ep = resolve_endpoint(quick, opts.environ)
            ep = Endpoint("", ep.base_url, ep.api_key, ep.key_env)
            backend = OpenAICompatBackend(
                ep, retry=RetryPolicy(0), timeout_connect=REMOTE_CONNECT_TIMEOUT, timeout_read=REMOTE_READ_TIMEOUT
            )
        else:
            return None
    except CodeassistError as exc:
        return {"backend": None, "url": None, "models": None, "error": redact_text(exc.message)}
    if backend.name == "openai" and not isinstance(backend, OpenAICompatBackend):
        from codeassist.backends.openai_compat import from_settings

        backend = from_settings(quick, opts.environ)  # Ollama's native backend: list through /v1/models too
    url = backend.endpoint.display_url if isinstance(backend, OpenAICompatBackend) else None
    try:
        models = sorted(backend.list_models())
    except CodeassistError as exc:
        return {"backend": backend.name, "url": url, "models": None, "error": redact_text(exc.message)}
    except Exception as exc:  # a plugin's list_models is foreign code; this listing is best effort
        error = redact_text(f"{type(exc).__name__}: {exc}")
        return {"backend": backend.name, "url": url, "models": None, "error": error}
    return {"backend": backend.name, "url": url, "models": models, "error": None}


def _info_json(info: ModelInfo) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(info)


def models(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    remote: Annotated[
        bool, typer.Option("--remote/--no-remote", help="Also ask the configured endpoint what it serves.")
    ] = True,
    probe: Annotated[
        bool, typer.Option("--probe", help="Also look for provider keys and local servers (Ollama, vLLM...).")
    ] = False,
) -> None:
    """List the model catalogue, installed backends, and the endpoint's models."""
    from codeassist.backends.catalogue import prices_as_of
    from codeassist.backends.registry import available_backends
    from codeassist.interfaces.cmd_eval import last_eval_models, print_last_eval

    opts: GlobalOptions = ctx.obj
    settings = opts.settings()
    rows = _catalogue_rows(settings)
    backends = available_backends()
    facts = opts.model_facts(settings, discover=False, strict=False) if settings.model and remote else None
    if settings.model and facts is None:
        from codeassist.backends.facts_cache import cache_dir
        from codeassist.backends.model_facts import resolve

        facts = resolve(settings, opts.environ, cache_dir(opts.environ), fetch=False, discover=False, check=False)
    current = facts.info if facts is not None else None
    endpoint = _remote(opts, settings) if remote else None
    served = _served(opts, settings, endpoint)
    found = _probe(opts) if probe else None
    from codeassist.interfaces.render import console

    if as_json:
        from dataclasses import asdict

        from codeassist.interfaces.render import print_json

        print_json(
            {
                "prices_as_of": prices_as_of(),
                "current": {"model": settings.model, **_info_json(current)} if current else None,
                "catalogue": [_info_json(r) for r in rows],
                "backends": [
                    {
                        "name": b.name,
                        "target": b.target,
                        "distribution": b.distribution,
                        "builtin": b.builtin,
                        "models": list(b.models),
                        "error": b.error,
                    }
                    for b in backends
                ],
                "endpoint": endpoint,
                "eval": last_eval_models(opts),
                "current_served": served,
                "window_source": facts.window_source if facts is not None else None,
                **({"probe": [asdict(f) for f in found]} if found is not None else {}),
            }
        )
    else:
        _print_human(opts, rows, backends, current, settings.model, endpoint, prices_as_of())
        if current is not None and facts is not None:
            console(opts).print(f"window in force: {facts.describe_window()}", markup=False)
        if served is False and endpoint is not None:
            console(opts, stderr=True).print(
                f"note: {settings.model} is not among the models {endpoint['url'] or 'the endpoint'} serves",
                markup=False,
            )
        if found is not None:
            _print_found(opts, found)
        print_last_eval(opts)
    if found == []:
        from codeassist.backends.discovery import nothing_found

        raise nothing_found()


def _served(opts: GlobalOptions, settings: Settings, endpoint: dict[str, Any] | None) -> bool | None:
    """Whether the endpoint lists the current model (None: no model, or no list)."""
    if not settings.model or endpoint is None or not endpoint.get("models"):
        return None
    from codeassist.backends.presets import resolve_endpoint

    return resolve_endpoint(settings, opts.environ).model in endpoint["models"]


def _probe(opts: GlobalOptions) -> list[Found]:
    from codeassist.backends.discovery import discover

    return discover(opts.environ, everything=True)


def _print_found(opts: GlobalOptions, found: list[Found]) -> None:
    from codeassist.interfaces.render import console

    out = console(opts)
    out.print("\nfound:" if found else "\nfound: nothing", markup=False)
    for f in found:
        out.print(f"  {f.describe()}", markup=False)
        if f.base_url and len(f.models) > 1:
            others = [m for m in f.models if not f.model.endswith("/" + m)]
            out.print("    also serves: " + ", ".join(others), markup=False)


def _print_human(
    opts: GlobalOptions,
    rows: list[ModelInfo],
    backends: list[Any],
    current: ModelInfo | None,
    model: str | None,
    endpoint: dict[str, Any] | None,
    as_of: str,
) -> None:
    from rich.table import Table

    from codeassist.interfaces.render import console

    out = console(opts)
    err = console(opts, stderr=True)
    if not out.is_terminal:
        out.width = max(out.width, 120)  # piped output keeps whole rows
    title = f"Model catalogue: tokens in thousands, $ = USD per million tokens (prices as of {as_of})"
    table = Table(title=title, box=None, pad_edge=False, collapse_padding=True)
    table.add_column("model", no_wrap=True)
    for header in ("window", "output", "$ in", "$ out"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("edit format", no_wrap=True)
    table.add_column("api", no_wrap=True)
    table.add_column("tools", no_wrap=True)
    for r in rows:
        table.add_row(
            r.name,
            _thousands(r.context_window),
            _thousands(r.max_output_tokens),
            _price(r.input_price),
            _price(r.output_price),
            r.edit_format,
            r.api,
            "?" if r.tools is None else ("yes" if r.tools else "no"),
        )
    out.print(table)
    out.print()
    from codeassist.backends.presets import PRESETS

    plugins = Table("backend", "package", "models", title="Backends", box=None, pad_edge=False)
    for b in backends:
        presets = "any OpenAI-compatible endpoint; presets: " + ", ".join(p + "/" for p in PRESETS)
        listed = ", ".join(b.models) if b.models else (presets if b.builtin else "-")
        plugins.add_row(b.name, b.distribution or "-", f"error: {b.error}" if b.error else listed)
    out.print(plugins)
    if current is not None:
        from codeassist.backends.catalogue import describe_tools

        known = "" if current.known else " (not in the catalogue: conservative defaults)"
        out.print(
            f"\ncurrent model: {model} -> {current.name}{known}, context {current.context_window:,}, "
            f"edit format {current.edit_format}, api {current.api}, {describe_tools(current)}",
            markup=False,
        )
    if endpoint is None:
        return
    where = endpoint.get("url") or endpoint.get("backend") or "the endpoint"
    if endpoint["error"]:
        err.print(f"note: could not list the models of {where}: {endpoint['error']}", markup=False)
    else:
        out.print(f"\n{where} serves {len(endpoint['models'])} models:", markup=False)
        for m in endpoint["models"]:
            out.print(f"  {m}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("models")(models)
