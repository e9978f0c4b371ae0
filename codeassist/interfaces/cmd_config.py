"""Commands: ``config show | set | path``."""

from __future__ import annotations

from typing import Annotated

import typer

config_app = typer.Typer(help="Show and change settings.", no_args_is_help=True, add_completion=False)


@config_app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the effective settings and where each came from."""
    from codeassist.config import KEYS, mask_secret
    from codeassist.interfaces.render import console, print_json

    opts = ctx.obj
    # The window and reply reserve in force, with where they came from (server, catalogue, default, a setting).
    settings = opts.model_facts(opts.settings(), discover=False, strict=False).settings
    rows = []
    for key, spec in KEYS.items():
        value = getattr(settings, key)
        shown = mask_secret(value) if spec.secret else value
        rows.append((key, shown, settings.source(key)))
    if as_json:
        print_json({"settings": {k: {"value": v, "source": s} for k, v, s in rows}})
        return
    from rich.table import Table

    table = Table("setting", "value", "from", box=None, pad_edge=False)
    for key, value, source in rows:
        table.add_row(key, "" if value is None else str(value), source)
    console(opts).print(table)


@config_app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting name (see `config show`).")],
    value: Annotated[str, typer.Argument(help="New value.")],
    repo: Annotated[bool, typer.Option("--local", help="Write the repository's .codeassist.toml.")] = False,
    user: Annotated[bool, typer.Option("--user", help="Write the user config file (the default).")] = False,
) -> None:
    """Write one setting to the user config file (or the repo's with --local)."""
    from codeassist.config import KEYS, REPO_CONFIG_NAME, mask_secret, set_value, user_config_path
    from codeassist.errors import UsageError
    from codeassist.interfaces.render import console

    opts = ctx.obj
    if repo and user:
        raise UsageError("choose one of --local and --user")
    if repo:
        root = opts.repo_root()
        if root is None:
            raise UsageError("--local needs a git repository; run it inside one or pass -C PATH")
        path = root / REPO_CONFIG_NAME
    else:
        path = opts.config or user_config_path(opts.environ)
    stored = set_value(path, key, value, private=not repo)
    norm = key.replace("-", "_")
    shown = mask_secret(stored) if KEYS[norm].secret else stored
    console(opts, stderr=True).print(f"{norm} = {shown!r} written to {path}", markup=False)


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
