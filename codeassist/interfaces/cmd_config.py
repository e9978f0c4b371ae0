"""Commands: ``config show | set | path``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

config_app = typer.Typer(help="Show and change settings.", no_args_is_help=True, add_completion=False)


@config_app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the effective settings and where each came from."""
    from codeassist.config import KEYS, mask_secret
    from codeassist.interfaces.render import console, print_json, safe_terminal_text
    from codeassist.redact import redact_text

    opts = ctx.obj
    # The window and reply reserve in force, with where they came from (server, catalogue, default, a setting).
    settings = opts.model_facts(opts.settings(), discover=False, strict=False).settings
    rows = []
    for key, spec in KEYS.items():
        value = getattr(settings, key)
        shown = mask_secret(value) if spec.secret else redact_text(value) if isinstance(value, str) else value
        rows.append((key, shown, settings.source(key)))
    if as_json:
        print_json(
            {
                "settings": {k: {"value": v, "source": s} for k, v, s in rows},
                "repo_trust": settings.repo_trust,
                "untrusted": list(settings.untrusted),
            }
        )
        return
    from rich.table import Table

    table = Table("setting", "value", "from", box=None, pad_edge=False)
    for key, value, source in rows:
        table.add_row(key, "" if value is None else safe_terminal_text(str(value)), source)
    console(opts).print(table)


@config_app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting name (see `config show`).")],
    value: Annotated[str, typer.Argument(help="New value.")],
    repo: Annotated[bool, typer.Option("--local", help="Write the repository's .codeassist.toml.")] = False,
    user: Annotated[bool, typer.Option("--user", help="Write the user config file (the default).")] = False,
    use_keyring: Annotated[
        bool, typer.Option("--keyring", help="Store api_key in the system keyring (needs the keyring package).")
    ] = False,
) -> None:
    """Write one setting to the user config file (or the repo's with --local)."""
    from codeassist.config import (
        KEYS,
        REPO_CONFIG_NAME,
        mask_secret,
        model_route,
        set_value,
        trust_reason,
        user_config_path,
    )
    from codeassist.errors import UsageError
    from codeassist.interfaces.render import console

    opts = ctx.obj
    if repo and user:
        raise UsageError("choose one of --local and --user")
    norm = key.replace("-", "_")
    if repo and norm in KEYS and KEYS[norm].secret:
        # A file in the work tree is one `git add -A` (or one reply's commit) from being published.
        raise UsageError(
            f"{norm} is never written to the repository's {REPO_CONFIG_NAME}",
            hint=f"store it in your user config (`codeassist config set {norm} ...` without --local, "
            "readable by you only), in the system keyring (add --keyring) or in an environment variable",
        )
    if use_keyring:
        _set_in_keyring(opts, norm, value)
        return
    if repo:
        root = opts.repo_root()
        if root is None:
            raise UsageError("--local needs a git repository; run it inside one or pass -C PATH")
        path = root / REPO_CONFIG_NAME
        stored, trusted = _set_repo_value(opts, path, key, value)
    else:
        path = opts.config or user_config_path(opts.environ)
        stored, trusted = set_value(path, key, value), True
    shown = mask_secret(stored) if KEYS[norm].secret else stored
    err = console(opts, stderr=True)
    err.print(f"{norm} = {shown!r} written to {path}", markup=False)
    if not trusted and (trust_reason(norm) is not None or (norm == "model" and model_route(str(stored)))):
        err.print(f"note: {path.name} is not trusted, so {norm} takes effect after `codeassist trust`", markup=False)


def _set_in_keyring(opts: Any, norm: str, value: str) -> None:
    """Store the key in the system keyring and tell the user config to read it from there."""
    from codeassist import keystore
    from codeassist.config import set_value, user_config_path
    from codeassist.errors import UsageError
    from codeassist.interfaces.render import console

    if norm != "api_key":
        raise UsageError("--keyring stores api_key only")
    backend = keystore.store(value)
    path = opts.config or user_config_path(opts.environ)
    set_value(path, "key_store", "keyring")
    console(opts, stderr=True).print(
        f"api_key stored in the system keyring ({backend}); key_store = 'keyring' written to {path}", markup=False
    )


def _set_repo_value(opts: Any, path: Path, key: str, value: str) -> tuple[Any, bool]:
    """Write the repository file; a file the user trusted (or a new one) stays trusted after their own change.

    Returns the value written and whether the file is trusted now.
    """
    from codeassist.config import read_bytes, set_value
    from codeassist.trust import TrustStore

    store = TrustStore.for_environ(opts.environ)
    before = read_bytes(path)
    keep = before is None or store.state(path, before) == "trusted"
    stored = set_value(path, key, value, mode=0o644)
    after = read_bytes(path)
    if keep and after is not None:
        store.trust(path, after)
    return stored, keep


@config_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the config file paths, lowest precedence first."""
    from codeassist.config import REPO_CONFIG_NAME, user_config_path

    opts = ctx.obj
    user = opts.config or user_config_path(opts.environ)
    typer.echo(f"user: {user}")
    root = opts.repo_root()
    typer.echo(f"repo: {root / REPO_CONFIG_NAME if root else '(not in a git repository)'}")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
