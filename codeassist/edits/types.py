"""Values shared by the edit parsers, the matcher and the applier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codeassist.edits.formats import EditFormat

__all__ = ["Action", "Edit", "EditFormat", "ParseIssue"]
Action = Literal["replace", "create", "write", "delete", "rename", "append"]


@dataclass(frozen=True)
class Edit:
    """One intended change to one file, as a parser read it from a reply.

    - ``replace``: find ``old`` in the file and put ``new`` in its place
      (SEARCH/REPLACE blocks, diff hunks, patch hunks, tool calls).
    - ``create``: a new file with content ``new`` (must not exist yet, or be empty).
      ``old``, when a diff creating the file also shows its current lines
      (``-`` lines under ``--- /dev/null``), is what those lines say the
      file holds: an existing file with exactly that text is rewritten.
      From a SEARCH/REPLACE block with an empty SEARCH (``format ==
      "search-replace"``), the parser cannot know whether the file exists:
      the applier appends ``new`` to an existing non-empty file in that case
      only; a ``create`` from any other format on an existing non-empty file
      is an error.
    - ``append``: add ``new`` at the end of the file (empty SEARCH on an existing file).
      No parser emits it: the applier turns a search-replace ``create`` into it.
    - ``write``: the whole new content ``new`` (whole-file replies).
    - ``delete``: remove the file.
    - ``rename``: move ``path`` to ``new_path``. Content edits of a renamed
      file come as separate edits *before* the rename and name the old path.

    ``path`` is as the model wrote it; the applier resolves it (``./p``,
    ``a/p``, a unique basename) and refuses unsafe paths. ``line_hint`` is a
    1-based line the edit claimed (a diff hunk's start, maybe stale): it
    only picks, among several equally good places, the one starting exactly
    there. ``raw_patch`` carries the
    original unified diff for ``git apply`` (every edit read from a diff
    carries its whole file section). ``anchor`` is an apply_patch ``@@ line``
    context: pass it to ``match.locate(..., anchor=)``; it only narrows an
    ambiguous match to the first place after the one line containing it.
    """

    path: str
    action: Action
    old: str = ""
    new: str = ""
    new_path: str | None = None
    format: EditFormat = "search-replace"
    line_hint: int | None = None
    raw_patch: str | None = None
    index: int = 0  # position of the edit in the reply, for messages
    anchor: str | None = None


@dataclass(frozen=True)
class ParseIssue:
    """Something in the reply that looked like an edit but could not be read."""

    message: str
    line: int | None = None
    path: str | None = None
