"""Whole-file replies: a path line, then a fenced block holding the file's complete new content.

A fence opened with an info string inside the block (```` ```python ````)
nests, so a Markdown file that contains code blocks survives; a longer outer
fence (```` ```` ````) works too. Fenced blocks with no path before them are
ordinary code in the prose and are skipped. One right under a bare
extensionless name (``run``) is the file of that name when the repository
has exactly one and the block keeps most of its lines (a rewrite, not a
snippet); otherwise, unless the name is a capitalised caption, it is
reported as an issue, so the rest of the reply is not applied without it.
SEARCH/REPLACE markers or diff lines inside the block are content: this
parser never looks at them; but a ```` ```diff ```` block is never taken as
the content of a file other than a ``.diff`` or ``.patch``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from codeassist.edits.markup import Fence, FileLookup, Parsed, fence, join_lines, path_before, path_from_fence
from codeassist.edits.types import Edit, ParseIssue


def _closing(lines: list[str], opening: Fence, i: int) -> int | None:
    """Index of the line closing the fence opened at ``i``, or None."""
    depth = 1
    for j in range(i + 1, len(lines)):
        f = fence(lines[j])
        if f is None or f.marks[0] != opening.marks[0]:
            continue
        if f.info and len(f.marks) <= len(opening.marks):
            depth += 1
        elif f.closes(opening) or (not f.info and depth > 1):
            depth -= 1
            if depth == 0:
                return j
    return None


# A capitalised word alone above a block reads as a caption ("Example", "Output"), not a file name.
_CAPTION = re.compile(r"^[A-Z][a-z]+$")
# A block under a bare name that names an existing file is that file only if it keeps at least
# this share of the file's distinct lines: a rewrite of the file, not a snippet that would wipe it.
_KEEP_SHARE = 0.5


def _bare_name(lines: list[str], i: int, stop: int) -> str | None:
    """A lone extensionless name right above the block at ``i`` (``run``, ``configure``), or None."""
    return path_before(lines, i, stop=stop, bare=True, sentence=False)


def _unclear_name(name: str, i: int, existing: str | None) -> ParseIssue | None:
    """An issue for a block right under a bare name that may be a file (``run``, ``configure``).

    Skipping the block would apply the rest of the reply without it, and
    taking the name as a path would write a file at the top of the
    repository that the model may have meant elsewhere, so neither is safe.
    """
    if existing is not None:
        return ParseIssue(
            f"a code block follows {name!r}, but it lacks most of the lines of {existing}, so it was not read as"
            f" that whole file; send the complete file under its full path ({existing})",
            i + 1,
            name,
        )
    if _CAPTION.match(name):
        return None
    return ParseIssue(
        f"a code block follows {name!r}, which is not clearly a file path, so the block was not read as a"
        f" whole file; name the file with its directory (e.g. ./{name} or dir/{name})",
        i + 1,
        name,
    )


class _Repo:
    """The parser's view of the repository, asked at most once per name and per file."""

    def __init__(self, files: FileLookup | None) -> None:
        self._files = files
        self._rel: dict[str, str | None] = {}
        self._lines: dict[str, frozenset[str] | None] = {}

    def unique_file(self, name: str) -> str | None:
        if self._files is None:
            return None
        if name not in self._rel:
            self._rel[name] = self._files.unique_file(name)
        return self._rel[name]

    def keeps_most(self, rel: str, body: list[str]) -> bool | None:
        """Whether ``body`` keeps most of the distinct lines of ``rel``; None when it has none or is unreadable."""
        if rel not in self._lines:
            old = self._files.read_text(rel) if self._files is not None else None
            self._lines[rel] = None if old is None else frozenset(t for t in map(str.strip, old.split("\n")) if t)
        old_lines = self._lines[rel]
        if not old_lines:
            return None
        kept = old_lines.intersection(line.strip() for line in body)
        return len(kept) >= _KEEP_SHARE * len(old_lines)


def _marked_as_diff(opening: Fence, path: str) -> bool:
    """A ```` ```diff ```` block is a diff (one the diff parser could not read), not a file's content.

    Writing it as the file would replace the file with its own diff; a
    ``.diff`` or ``.patch`` file is the exception.
    """
    lang = opening.info.split(":", 1)[0].split()[0].lower() if opening.info else ""
    return lang in ("diff", "patch") and not path.lower().endswith((".diff", ".patch"))


class _Taken:
    """Which lines other parsers consumed.

    A block touching any of them is not a whole file, and a path line is not
    looked for above them (it named the edit they held).
    """

    def __init__(self, n: int, spans: Sequence[tuple[int, int]]) -> None:
        self._before = [0] * (n + 1)  # taken lines before index k
        self._after_last = [0] * (n + 1)  # the line after the last taken line before index k
        if not spans:
            return
        marks = [0] * (n + 1)
        for start, end in spans:
            marks[max(0, start)] += 1
            marks[min(n, end)] -= 1
        depth = 0
        for k in range(n):
            depth += marks[k]
            self._before[k + 1] = self._before[k] + (depth > 0)
            self._after_last[k + 1] = k + 1 if depth > 0 else self._after_last[k]

    def any(self, start: int, end: int) -> bool:
        return self._before[end] > self._before[start]

    def stop(self, index: int) -> int:
        """How far back from ``index`` a label may be looked for."""
        return self._after_last[index]


def parse(
    lines: list[str],
    files: FileLookup | None = None,
    *,
    strict: bool = False,
    taken: Sequence[tuple[int, int]] = (),
) -> Parsed:
    """Read every path-labelled fenced block in ``lines`` as a whole-file ``write``.

    ``files`` lets a bare name (``run``) above a block name an existing file.
    ``strict`` (a reply that also holds other edits, where fenced snippets in
    the prose are common) takes only a path line or a fence info path as a
    label, not a sentence that mentions a file, and with ``files`` refuses a
    block that lacks most of the lines of the existing file it names. Blocks
    overlapping the ``taken`` line spans (read by another parser) are passed over.
    """
    out = Parsed.empty()
    consumed = _Taken(len(lines), taken)
    repo = _Repo(files)
    prev_end = 0
    i = 0
    n = len(lines)
    while i < n:
        opening = fence(lines[i])
        if opening is None:
            i += 1
            continue
        stop = max(prev_end, consumed.stop(i))
        path = path_from_fence(opening) or path_before(lines, i, stop=stop, sentence=not strict)
        close = _closing(lines, opening, i)
        if close is None:
            if path is not None and not consumed.any(i, n):
                out.issues.append(ParseIssue(f"code block for {path} is not closed (truncated reply?)", i + 1, path))
                out.spans.append((i, n))
            break
        if not consumed.any(i, close + 1):
            _block(lines, i, close, opening, path, stop, repo, strict, out)
        i = prev_end = close + 1
    return out


def _block(
    lines: list[str],
    i: int,
    close: int,
    opening: Fence,
    path: str | None,
    stop: int,
    repo: _Repo,
    strict: bool,
    out: Parsed,
) -> None:
    """Read the closed block ``lines[i..close]`` labelled ``path`` (None: no clear label) into ``out``.

    ``strict`` (other edits in the reply): a block for an existing file must
    keep most of its lines, or it is an excerpt shown in the prose.
    """
    body = lines[i + 1 : close]
    if path is None:
        name = _bare_name(lines, i, stop)
        if name is None:
            return  # ordinary code in the prose
        existing = repo.unique_file(name)
        # An empty or unreadable file gives no evidence that the block is that file.
        if existing is None or not repo.keeps_most(existing, body):
            issue = _unclear_name(name, i, existing)
            if issue is not None:
                out.issues.append(issue)
            return
        path = existing
    elif strict and (partial := repo.unique_file(path)) is not None and repo.keeps_most(partial, body) is False:
        message = (
            f"the block under {path} lacks most of the lines of {partial}, so next to the other edits it reads as"
            " an excerpt, not the whole file, and was not applied; send its complete content, or change it with"
            " edits like the others in this reply"
        )
        out.issues.append(ParseIssue(message, i + 1, path))
        out.spans.append((i, close + 1))
        return
    if _marked_as_diff(opening, path):
        message = (
            f"the diff block for {path} is not a unified diff codeassist can read (it needs --- / +++ headers"
            " and @@ hunks), and it is not the file's content; send a complete diff or the whole file"
        )
        out.issues.append(ParseIssue(message, i + 1, path))
    else:
        out.edits.append((i, Edit(path, "write", new=join_lines(body), format="whole")))
    out.spans.append((i, close + 1))
