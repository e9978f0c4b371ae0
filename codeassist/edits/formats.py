"""The one list of edit formats: what a model may be asked to write, and what ``apply`` reads.

Every place that names formats (settings, the catalogue, prompts, flags, the
parser) reads them from here, so a new format is added once.
"""

from __future__ import annotations

from typing import Literal, get_args

from codeassist.errors import ConfigError, UsageError

EditFormat = Literal["search-replace", "udiff", "whole", "patch", "tool"]
# The formats a model may be asked to write (``tool``: function calls).
EDIT_FORMATS: tuple[str, ...] = get_args(EditFormat)
# The formats ``apply --format`` reads from text (tool calls are not text); ``auto`` reads any mix.
APPLY_FORMATS: tuple[str, ...] = ("auto", *(f for f in EDIT_FORMATS if f != "tool"))
EDIT_FORMATS_TEXT = ", ".join(EDIT_FORMATS[:-1]) + " or " + EDIT_FORMATS[-1]


def check_edit_format(name: str, *, source: str = "flag") -> str:
    """``name`` if it is an edit format; UsageError (a flag) or ConfigError (a setting) otherwise."""
    if name in EDIT_FORMATS:
        return name
    error = UsageError if source == "flag" else ConfigError
    raise error(f"unknown edit format {name!r}", hint=f"use {EDIT_FORMATS_TEXT}")
