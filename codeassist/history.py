"""The repository's own history as a signal for which files a request touches.

Past commits whose messages read like the request point at the files they
changed: commit messages are written in the words requests use ("fix lock
file not updated"), which code rarely contains. This needs nothing but
``git log`` of the checked-out commit: nothing later than HEAD is ever read,
nothing is downloaded, and a directory outside git, a repository with no
commits or a shallow clone simply has less (or no) history. (Co-change with
the request's best lexical hits was measured too: it lowered top-5 recall on
four of six repositories; BENCHMARKS.md, context recall.)

:func:`read_history` runs one ``git log`` of at most ``max_commits``
non-merge commits and keeps it in the index cache's ``meta`` table keyed by
HEAD: when the cached log holds the whole history, a new HEAD descending
from the cached one only reads the new commits; any other HEAD (a rebase, an
older checkout, a history longer than the limit) reads the log again. A cache
that cannot be used costs a ``git log``, never an error. Scores are
deterministic (sorted iteration, ties break on the path).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.lexical import words

MAX_COMMITS = 5000
# Larger commits (formatting sweeps, renames, vendored updates) say little about any one file.
MAX_FILES_PER_COMMIT = 30
MATCHED_COMMITS = 40  # past commits whose messages best match the request that vote for files
CACHE_KEY = "history:v2"
K1 = 1.2
B = 0.75
_LOG_ARGS = ("log", "--no-merges", "--no-renames", "--name-only", "-z", "--format=%x01%H %ct%x02%B%x03")
_SHA = re.compile(r"[0-9a-f]{40}")
# Trailers name people and tools, not the code.
_TRAILER = re.compile(r"^[A-Za-z][A-Za-z-]*-by:|^(change-id|cc|bug|fixes|closes):", re.I)


@dataclass(frozen=True)
class PastCommit:
    sha: str
    message: str
    files: tuple[str, ...]  # paths the commit added, changed or deleted, sorted
    time: int = 0  # committer date, seconds since the epoch


@dataclass(frozen=True)
class History:
    """Non-merge commits reachable from ``head``, newest first (empty outside git)."""

    head: str
    commits: tuple[PastCommit, ...]


EMPTY = History("", ())


def read_history(root: Path, max_commits: int = MAX_COMMITS, *, use_cache: bool = True) -> History:
    """The history of HEAD in ``root`` (at most ``max_commits`` commits; 0 gives none)."""
    from codeassist.errors import GitError

    if max_commits <= 0:
        return EMPTY
    head = _head(root)
    if head is None:
        return EMPTY
    cached = _load_cached(root, max_commits) if use_cache else None
    if cached is not None and cached.head == head:
        return cached
    try:
        history = None
        # Only a whole history can be extended: then old and new commits are exactly the
        # commits of HEAD, the same set a fresh log gives (and scoring ignores their order).
        if cached is not None and cached.commits and len(cached.commits) < max_commits:
            if _is_ancestor(root, cached.head, head):
                new = _log(root, max_commits, f"{cached.head}..{head}")
                if len(new) + len(cached.commits) < max_commits:
                    history = History(head, new + cached.commits)
        if history is None:
            history = History(head, _log(root, max_commits, head))
    except GitError:
        return EMPTY
    if use_cache:
        _store_cached(root, history, max_commits)
    return history


def _head(root: Path) -> str | None:
    from codeassist.errors import GitError
    from codeassist.git import head_of

    try:
        out = head_of(root)
    except GitError:
        return None
    return out if out is not None and _SHA.fullmatch(out) else None


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    from codeassist.git import run_git

    return run_git(root, "merge-base", "--is-ancestor", old, new, check=False).returncode == 0


def _log(root: Path, max_commits: int, revs: str) -> tuple[PastCommit, ...]:
    """Commits of ``revs`` (newest first), parsed from one ``git log``; GitError when git fails."""
    from codeassist.git import run_git

    proc = run_git(root, *_LOG_ARGS, f"--max-count={max_commits}", revs, "--")
    return parse_log(proc.stdout.decode("utf-8", "replace"))


def parse_log(text: str) -> tuple[PastCommit, ...]:
    """Commits from ``git log -z --name-only`` output in this module's format; malformed records are skipped."""
    out: list[PastCommit] = []
    for record in text.split("\x01"):
        head, sep, rest = record.partition("\x02")
        sha, _, when = head.partition(" ")
        if not sep or not _SHA.fullmatch(sha) or not when.isdigit():
            continue
        message, sep, names = rest.partition("\x03")
        if not sep:
            continue
        files = sorted({n.strip("\n") for n in names.split("\0")} - {""})
        out.append(PastCommit(sha, _clean(message), tuple(files), int(when)))
    return tuple(out)


def _clean(message: str) -> str:
    return "\n".join(line for line in message.strip().splitlines() if not _TRAILER.match(line)).strip()


def _load_cached(root: Path, max_commits: int) -> History | None:
    """The cached history, if it was read with the limit ``max_commits`` (so it is what a fresh read gives)."""
    from codeassist.index.cache import IndexCache

    cache = IndexCache.open(root)
    try:
        raw = cache.get_meta(CACHE_KEY) if cache.path is not None else None
    except sqlite3.Error:
        raw = None  # the index reports its own cache's troubles; here it only costs a git log
    finally:
        cache.close()
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        commits = tuple(
            PastCommit(str(s), str(m), tuple(str(f) for f in fs), int(t)) for s, m, fs, t in data["commits"]
        )
        head, limit = str(data["head"]), int(data["limit"])
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable entry is replaced on the next store
    if not _SHA.fullmatch(head) or limit != max_commits:
        return None  # the head goes to git as a revision: only ever a full object name
    return History(head, commits)


def _store_cached(root: Path, history: History, limit: int) -> None:
    from codeassist.index.cache import IndexCache

    commits = [[c.sha, c.message, list(c.files), c.time] for c in history.commits]
    data = {"head": history.head, "limit": limit, "commits": commits}
    cache = IndexCache.open(root)
    try:
        if cache.path is not None:
            cache.store("", [], [], [], {CACHE_KEY: json.dumps(data, separators=(",", ":"))})
    except sqlite3.Error:
        pass  # not cached this time; the next request reads the log again
    finally:
        cache.close()


def rank_by_messages(history: History, query: str, known: Sequence[str]) -> list[tuple[str, float]]:
    """Files changed by the past commits whose messages best match ``query`` (BM25), best first.

    Each of the :data:`MATCHED_COMMITS` best commits gives its files its score
    divided by the square root of their number (a commit of one file says more
    about that file than a commit of twenty); commits of more than
    :data:`MAX_FILES_PER_COMMIT` files do not vote, and only files in
    ``known`` (the current tree) count.
    """
    q = sorted(set(words(query)))
    index = _message_index(history)
    if not q or not index.docs:
        return []
    n = len(index.docs)
    scored: list[tuple[float, int, str, int]] = []
    for i, doc in enumerate(index.docs):
        s = 0.0
        for w in q:
            tf = doc.get(w, 0)
            if tf:
                df = index.df[w]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                s += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * index.lengths[i] / index.avg))
        if s > 0:
            # Ties go to the newer commit, then the sha: not to the log's order, which an extended cache changes.
            c = index.commits[i]
            scored.append((-s, -c.time, c.sha, i))
    scored.sort()
    known_set = set(known)
    files: dict[str, float] = {}
    for neg, _, _, i in scored[:MATCHED_COMMITS]:
        changed = [f for f in index.commits[i].files if f in known_set]
        for f in changed:
            files[f] = files.get(f, 0.0) - neg / math.sqrt(len(index.commits[i].files))
    return sorted(files.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class _Index:
    commits: tuple[PastCommit, ...]  # those small enough to count
    docs: tuple[Counter[str], ...]
    lengths: tuple[int, ...]
    avg: float
    df: Counter[str]


_indexes: dict[tuple[str, int], _Index] = {}  # (head, commits): the chat asks many requests of one history


def _message_index(history: History) -> _Index:
    key = (history.head, len(history.commits))
    found = _indexes.get(key)
    if found is not None:
        return found
    commits = tuple(c for c in history.commits if 0 < len(c.files) <= MAX_FILES_PER_COMMIT)
    docs = tuple(Counter(words(c.message)) for c in commits)
    lengths = tuple(sum(d.values()) for d in docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    avg = (sum(lengths) / len(lengths)) if lengths else 1.0
    index = _Index(commits, docs, lengths, avg or 1.0, df)
    _indexes.clear()  # one history at a time is enough, and keeps memory bounded
    _indexes[key] = index
    return index
