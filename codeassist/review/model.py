"""The model's review: the change rendered for a model, and findings read back from its reply.

The model gets each file's change with surrounding lines, every line
numbered as in the new version, through the ``review`` template. Its reply
is read defensively: a JSON object (or list) of findings anywhere in the
text, else ``path:line: severity: message`` lines. A finding that names a
file outside the change, a line the new file does not have, or lacks a
message is dropped and counted, never fatal.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeassist.review.changes import ChangedFile
from codeassist.review.findings import Finding, Severity

# One prompt in, the reply's text out; raises BackendError (or Interrupted) on failure.
Complete = Callable[[str], str]

_LINE_FORM = re.compile(
    r"^\s*[-*]?\s*`?(?P<path>[^\s:`]+)`?:(?P<line>\d+)(?:-(?P<end>\d+))?:"
    r"\s*(?P<sev>error|warning)\s*:\s*(?P<msg>.+)$",
    re.I,
)


# The reply's shape as a JSON schema, for endpoints that enforce one (OpenAI's structured outputs, strict mode).
_ITEM = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "line": {"type": "integer"},
        "end_line": {"type": "integer"},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "message": {"type": "string"},
    },
    "required": ["path", "line", "end_line", "severity", "message"],
    "additionalProperties": False,
}
FINDINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"findings": {"type": "array", "items": _ITEM}},
    "required": ["findings"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ModelFindings:
    findings: tuple[Finding, ...]
    dropped: int  # findings the reply held that could not be used


def render_change(files: Sequence[ChangedFile], *, context: int, max_chars: int) -> str:
    """The change as numbered hunks per file, at most ``max_chars`` (later files are cut, and say so)."""
    parts: list[str] = []
    used = 0
    for f in files:
        old = (f.old or b"").decode("utf-8", "replace").splitlines()
        new = (f.new or b"").decode("utf-8", "replace").splitlines()
        old_name = (f.old_path or f.path) if f.old is not None else "/dev/null"
        header = f"--- {old_name}\n+++ {f.path}\n"
        body = _numbered_hunks(old, new, context)
        text = header + (body or "(no line changes)\n")
        if used + len(text) > max_chars:
            parts.append(f"+++ {f.path}\n(left out: the change is too large to show in full)\n")
            continue
        parts.append(text)
        used += len(text)
    return "\n".join(parts)


def _numbered_hunks(old: list[str], new: list[str], context: int) -> str:
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        out.append("@@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(f"{j + 1:>5}   {new[j]}\n" for j in range(j1, j2))
                continue
            if tag in ("replace", "delete"):
                out.extend(f"{'':>5} - {old[i]}\n" for i in range(i1, i2))
            if tag in ("replace", "insert"):
                out.extend(f"{j + 1:>5} + {new[j]}\n" for j in range(j1, j2))
    return "".join(out)


def review_prompt(change: str, dirs: Sequence[Path] | None) -> str:
    from codeassist import prompts

    return prompts.review_prompt(change, dirs)


def _json_candidates(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    found = []
    for m in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, m.start())
        except ValueError:
            continue
        found.append(value)
        if isinstance(value, dict) and "findings" in value:
            return [value]
    return found


def _items(text: str) -> tuple[list[Any] | None, bool]:
    """The raw finding items of a reply, and whether the reply said anything readable at all."""
    for value in _json_candidates(text):
        if isinstance(value, dict) and isinstance(value.get("findings"), list):
            return value["findings"], True
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value, True
    items: list[Any] = []
    for line in text.splitlines():
        m = _LINE_FORM.match(line)
        if m:
            items.append(
                {
                    "path": m["path"],
                    "line": int(m["line"]),
                    "end_line": int(m["end"] or m["line"]),
                    "severity": m["sev"].lower(),
                    "message": m["msg"].strip(),
                }
            )
    if items:
        return items, True
    plain = text.strip().strip("`").strip().lower().rstrip(".")
    return None, plain in ("no findings", "none", "")


def parse_findings(text: str, line_counts: dict[str, int]) -> ModelFindings:
    """Findings of a reply about files with ``line_counts`` (path -> lines in the new version)."""
    items, readable = _items(text)
    if items is None:
        return ModelFindings((), 0 if readable else 1)
    kept: list[Finding] = []
    dropped = 0
    for item in items:
        finding = _finding(item, line_counts)
        if finding is None:
            dropped += 1
        else:
            kept.append(finding)
    return ModelFindings(tuple(kept), dropped)


def _finding(item: Any, line_counts: dict[str, int]) -> Finding | None:
    if not isinstance(item, dict):
        return None
    path = item.get("path")
    if isinstance(path, str):
        path = path.strip().removeprefix("b/").removeprefix("./")
    if not isinstance(path, str) or path not in line_counts:
        return None
    try:
        line = int(item["line"])
        end = int(item.get("end_line") or line)
    except (KeyError, TypeError, ValueError):
        return None
    if not 1 <= line <= line_counts[path]:
        return None
    end = min(max(end, line), line_counts[path])
    message = item.get("message")
    if not isinstance(message, str) or not message.strip():
        return None
    severity: Severity = "error" if str(item.get("severity", "")).lower() == "error" else "warning"
    return Finding(path, line, end, severity, "model", " ".join(message.split())[:500], "model")


def model_review(
    files: Sequence[ChangedFile], complete: Complete, *, context: int, max_chars: int, dirs: Sequence[Path] | None
) -> ModelFindings:
    """Ask the model about ``files`` (already filtered to what it may read); empty when there is nothing."""
    shown = [f for f in files if f.new is not None and not f.is_binary]
    if not shown:
        return ModelFindings((), 0)
    prompt = review_prompt(render_change(shown, context=context, max_chars=max_chars), dirs)
    reply = complete(prompt)
    counts = {f.path: len(f.text().splitlines()) for f in shown}
    return parse_findings(reply, counts)
