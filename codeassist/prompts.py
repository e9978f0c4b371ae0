"""Prompt templates: finding them, overriding them, rendering them.

Templates are plain text files in the top-level ``prompts/`` directory
(shipped in the wheel as ``codeassist/templates/``). They use named
placeholders in :class:`string.Template` form, ``$name`` or ``${name}``, and
``$$`` for a literal dollar sign. Rendering with a placeholder left without a
value raises :class:`~codeassist.errors.ConfigError` naming the template and
the variable; values that the template does not use are ignored.

A user overrides any template by putting a file of the same name in
``<repo>/.codeassist/prompts/`` (first choice) or ``<user config
dir>/prompts/`` (second choice, with the config dir from
``platformdirs.user_config_dir("codeassist")``), before the built-in ones.
The caller passes those directories in: see :func:`prompt_dirs`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path

from codeassist.edits.formats import EDIT_FORMATS
from codeassist.errors import ConfigError, UsageError

# The form in which a model asks for a file it has not seen: one line per
# file, e.g. ``NEED FILE: src/app.py``. system.md documents it for the model.
NEED_FILE_MARKER = "NEED FILE:"


_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def builtin_dir() -> Path:
    """The directory of the templates shipped with codeassist."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"  # the wheel (and the source tree, through a symlink)
    if installed.is_dir():
        return installed
    return here.parent / "prompts"  # a source checkout where the symlink did not survive


def prompt_dirs(repo_root: Path | None, user_config_dir: Path | None) -> tuple[Path, ...]:
    """Where templates are looked up, first match wins: repo, user, built-in."""
    dirs: list[Path] = []
    if repo_root is not None:
        dirs.append(repo_root / ".codeassist" / "prompts")
    if user_config_dir is not None:
        dirs.append(user_config_dir / "prompts")
    dirs.append(builtin_dir())
    return tuple(dirs)


def _file_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise ConfigError(f"invalid template name {name!r}")
    return name if name.endswith((".md", ".txt")) else name + ".md"


def template_path(name: str, dirs: Sequence[Path] | None = None) -> Path:
    """The file that provides template ``name`` (``system`` or ``system.md``)."""
    fname = _file_name(name)
    for d in dirs if dirs is not None else (builtin_dir(),):
        candidate = d / fname
        if candidate.is_file():
            return candidate
    raise ConfigError(f"prompt template not found: {fname}", hint="reinstall codeassist or remove the override")


def load_template(name: str, dirs: Sequence[Path] | None = None) -> str:
    path = template_path(name, dirs)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read prompt template {path}: {exc.strerror}") from exc


def render_text(text: str, values: Mapping[str, object], *, template_name: str = "<template>") -> str:
    """Fill the placeholders of ``text``; a missing value is a ConfigError."""
    try:
        return string.Template(text).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        var = exc.args[0]
        raise ConfigError(
            f"prompt template {template_name} uses ${var} but no value was given for it",
            hint="fix or remove the override in .codeassist/prompts/",
        ) from None
    except ValueError as exc:
        # string.Template reports a stray "$" as "Invalid placeholder in string: line L, col C".
        raise ConfigError(
            f"prompt template {template_name}: {exc}", hint='write a literal dollar sign as "$$"'
        ) from None


def render(name: str, dirs: Sequence[Path] | None = None, /, **values: object) -> str:
    """Render template ``name`` with ``values``; trailing newlines are normalised to one."""
    fname = _file_name(name)
    text = render_text(load_template(fname, dirs), values, template_name=fname)
    return text.rstrip("\n") + "\n"


def format_template_name(edit_format: str) -> str:
    if edit_format not in EDIT_FORMATS:
        raise UsageError(
            f"unknown edit format {edit_format!r}", hint="choose one of: " + ", ".join(EDIT_FORMATS)
        )
    return "format_" + edit_format.replace("-", "_") + ".md"


def system_prompt(mode: str, edit_format: str, dirs: Sequence[Path] | None = None) -> tuple[str, str]:
    """The two parts of the system message: the role and rules, then the mode's instructions."""
    base = render("system.md", dirs)
    mode_part = render("ask.md", dirs) if mode == "ask" else render(format_template_name(edit_format), dirs)
    return base, mode_part


def reflect_apply(error: str, dirs: Sequence[Path] | None = None) -> str:
    """The user message sent after an apply failed; ``error`` is the engine's message."""
    return render("reflect_apply.md", dirs, error=error.strip())


def remind_edit(dirs: Sequence[Path] | None = None) -> str:
    """The one short reminder sent in ``edit`` when a reply answered in prose instead of editing."""
    return render("remind_edit.md", dirs)


def reflect_check(check: str, output: str, dirs: Sequence[Path] | None = None) -> str:
    """The user message sent after a check (``syntax``, ``lint``, ``test``) failed."""
    return render("reflect_check.md", dirs, check=check, output=output.rstrip())


def commit_message_prompt(
    diff: str, *, request: str = "", recent: Sequence[str] = (), dirs: Sequence[Path] | None = None
) -> str:
    """The prompt that asks for a commit message for ``diff``; ``recent`` are the repository's latest subjects."""
    style = "\n".join(s.strip() for s in recent if s.strip()) or "(none)"
    return render("commit_message.md", dirs, diff=diff.rstrip(), request=request.strip() or "(none)", recent=style)


def review_prompt(diff: str, dirs: Sequence[Path] | None = None) -> str:
    return render("review.md", dirs, diff=diff.rstrip())


def summarize_history_prompt(history: str, dirs: Sequence[Path] | None = None) -> str:
    return render("summarize_history.md", dirs, history=history.rstrip())


def requested_files(reply: str) -> list[str]:
    """Paths the model asked for with ``NEED FILE: path`` lines, in order, without repeats.

    A request is a line of its own (leading spaces, list bullets, quotes and
    backticks around it are tolerated); lines inside fenced code blocks are
    ignored so a file that merely contains the marker is not mistaken for a
    request. Paths come back as the model wrote them, minus a leading ``./``;
    the caller checks that each one is a file of the repository.
    """
    out: list[str] = []
    fence: str | None = None
    for line in reply.splitlines():
        stripped = line.strip()
        m = re.match(r"^(`{3,}|~{3,})", stripped)
        if m:
            if fence is None:
                fence = m.group(1)
            elif stripped.startswith(fence) and not stripped[len(fence) :].strip():
                fence = None
            continue
        if fence is not None:
            continue
        body = stripped.lstrip("-*> ").strip("`*_ ")
        if not body.upper().startswith(NEED_FILE_MARKER):
            continue
        path = body[len(NEED_FILE_MARKER) :].strip().strip("`'\"*_ ").rstrip(".,;:")
        while path.startswith("./"):
            path = path[2:]
        if path and path not in out:
            out.append(path)
    return out
