"""Command: ``trust [--show | --revoke]``: trust this repository's ``.codeassist.toml``."""

from __future__ import annotations

from typing import Annotated, Any

import typer


def _needs_trust(data: dict[str, Any]) -> dict[str, Any]:
    """The settings of a parsed repository file that take effect only once trusted, values masked."""
    from codeassist.config import KEYS, MODEL_TABLE_TRUST_KEYS, mask_secret, model_route, trust_reason

    out: dict[str, Any] = {}
    for key, value in data.items():
        norm = key.replace("-", "_")
        if key == "models" and isinstance(value, dict):
            for name, table in value.items():
                for k, v in (table.items() if isinstance(table, dict) else ()):
                    if k.replace("-", "_") in MODEL_TABLE_TRUST_KEYS:
                        out[f"models.{name}.{k}"] = v
        elif (norm == "model" and model_route(str(value)) is not None) or trust_reason(norm) is not None:
            out[norm] = mask_secret(str(value)) if norm in KEYS and KEYS[norm].secret else value
    return out


def trust(
    ctx: typer.Context,
    show: Annotated[bool, typer.Option("--show", help="Say whether the file is trusted; change nothing.")] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop trusting the file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Trust this repository's .codeassist.toml: its commands (test_cmd, lint_cmd) and endpoints take effect.

    The file's exact content is trusted: any change to it asks again.
    """
    from codeassist.config import REPO_CONFIG_NAME, parse_layer, parse_toml, read_bytes
    from codeassist.errors import UsageError
    from codeassist.interfaces.render import print_json, safe_terminal_text
    from codeassist.trust import TrustStore, content_hash

    opts = ctx.obj
    if show and revoke:
        raise UsageError("choose one of --show and --revoke")
    root = opts.repo_root()
    if root is None:
        raise UsageError("not in a git repository: a repository's .codeassist.toml is what `trust` trusts")
    path = root / REPO_CONFIG_NAME
    store = TrustStore.for_environ(opts.environ)
    content = read_bytes(path)
    digest = content_hash(content) if content is not None else None
    needs: dict[str, Any] = {}
    if content is not None and not revoke:  # an invalid file can still be revoked
        data = parse_toml(content, path)
        parse_layer(data, str(path))  # an invalid file is a configuration error, never trusted
        needs = _needs_trust(data)
    if revoke:
        done = store.revoke(path)
        message = f"no longer trusting {path}" if done else f"{path} was not trusted"
    elif show or content is None:
        message = _describe(store.state(path, content), path)
    else:
        store.trust(path, content)
        message = f"trusted {path} (sha256 {digest}); any change to it asks again"
    state = store.state(path, content)
    if as_json:
        print_json({"path": str(path), "state": state, "sha256": digest, "needs_trust": needs, "message": message})
        return
    err = typer.echo
    err(safe_terminal_text(message), err=True)
    for key, value in needs.items():
        err(safe_terminal_text(f"  {key} = {value!r}"), err=True)


def _describe(state: str, path: object) -> str:
    return {
        "none": f"nothing to trust: {path} does not exist",
        "trusted": f"{path} is trusted",
        "changed": f"{path} changed since you trusted it: its commands and endpoints are ignored"
        " until you trust it again",
        "untrusted": f"{path} is not trusted: its commands and endpoints are ignored until you run `codeassist trust`",
    }[state]


def register(app: typer.Typer) -> None:
    app.command("trust")(trust)
