"""Property tests: random files and edits, clean and perturbed replies, and hostile input."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from codeassist.edits.match import Match, MatchFailure, apply_match, locate
from codeassist.edits.parse import parse_reply

WORDS = ["x = 1", "return x", "pass", "if y:", "foo(bar)", "items.append(item)", "try:", "else:", "}", "value += 2"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def source_files(draw: st.DrawFn) -> list[str]:
    n = draw(st.integers(min_value=3, max_value=40))
    lines = []
    for i in range(n):
        if draw(st.integers(0, 6)) == 0:
            lines.append("")
            continue
        depth = draw(st.integers(0, 3))
        word = draw(st.sampled_from(WORDS))
        suffix = draw(st.sampled_from(["", f"  # note {i}", f"  # n{draw(st.integers(0, 3))}"]))
        lines.append("    " * depth + word + suffix)
    return lines


@st.composite
def file_and_edit(draw: st.DrawFn) -> tuple[list[str], int, int, list[str]]:
    """A file, a window [i, j) with a non-blank line, and the window with one line changed and lines added."""
    lines = draw(source_files())
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(i + 1, min(len(lines), i + 6)))
    window = lines[i:j]
    nonblank = [k for k, line in enumerate(window) if line.strip()]
    if not nonblank:
        lines[i] = "anchor_line()"
        window = lines[i:j]
        nonblank = [0]
    k = draw(st.sampled_from(nonblank))
    indent = window[k][: len(window[k]) - len(window[k].lstrip())]
    added = draw(st.integers(0, 2))
    new = window[:k] + [f"{indent}changed_{n}()" for n in range(1 + added)] + window[k + 1 :]
    return lines, i, j, new


def text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def loose_occurrences(lines: list[str], window: list[str]) -> int:
    keys = [line.strip() for line in lines if line.strip()]
    pattern = [line.strip() for line in window if line.strip()]
    m = len(pattern)
    return sum(1 for s in range(len(keys) - m + 1) if keys[s : s + m] == pattern)


def occurs(lines: list[str], window: list[str]) -> int:
    """Contiguous occurrences of ``window`` in ``lines``, ignoring trailing whitespace."""
    keys = [line.rstrip() for line in lines]
    pattern = [line.rstrip() for line in window]
    m = len(pattern)
    return sum(1 for s in range(len(keys) - m + 1) if keys[s : s + m] == pattern)


def check(
    lines: list[str], i: int, j: int, new: list[str], reply: str, fmt: str = "auto", refusable: bool = False
) -> None:
    content = text(lines)
    expected = text(lines[:i] + new + lines[j:])
    result = parse_reply(reply, fmt)
    assert result.issues == (), result.issues
    (edit,) = result.edits
    m = locate(content, edit.old, edit.new, anchor=edit.anchor)
    if isinstance(m, MatchFailure):
        if refusable and m.reason == "not-found":
            return
        assert m.reason == "ambiguous", m
        assert loose_occurrences(lines, lines[i:j]) >= 2
        return
    assert apply_match(content, m) == expected, (m, reply)


def sr_reply(old: list[str], new: list[str]) -> str:
    return f"src/mod.py\n```python\n<<<<<<< SEARCH\n{text(old)}=======\n{text(new)}>>>>>>> REPLACE\n```\n"


@SETTINGS
@given(file_and_edit())
def test_clean_search_replace(case: tuple[list[str], int, int, list[str]]) -> None:
    lines, i, j, new = case
    check(lines, i, j, new, sr_reply(lines[i:j], new))


@SETTINGS
@given(file_and_edit(), st.sampled_from([" ", "  ", "\t", " \t"]))
def test_trailing_whitespace_perturbation(case: tuple[list[str], int, int, list[str]], pad: str) -> None:
    lines, i, j, new = case
    check(lines, i, j, new, sr_reply([s + pad for s in lines[i:j]], [s + pad for s in new]))


@SETTINGS
@given(file_and_edit(), st.sampled_from(["  ", "    ", "\t"]))
def test_indentation_perturbation(case: tuple[list[str], int, int, list[str]], prefix: str) -> None:
    lines, i, j, new = case
    shift = [prefix + s if s.strip() else s for s in lines[i:j]]
    # If the shifted text is itself in the file, the reply means that place.
    assume(occurs(lines, shift) == 0)
    check(lines, i, j, new, sr_reply(shift, [prefix + s if s.strip() else s for s in new]))


@SETTINGS
@given(file_and_edit())
def test_blank_line_perturbation(case: tuple[list[str], int, int, list[str]]) -> None:
    lines, i, j, new = case
    old = lines[i:j]
    dropped = [s for s in old if s.strip()]
    assume(dropped == old or occurs(lines, dropped) == 0)
    # The model drops the blank lines it copies, in both halves alike.
    # With a repeated line, which copy the new text keeps decides where blank lines go: a refusal is right.
    repeated = len(set(dropped)) < len(dropped)
    check(lines, i, j, new, sr_reply(dropped, [s for s in new if s.strip()]), refusable=repeated)


@SETTINGS
@given(file_and_edit(), st.integers(-50, 500))
def test_udiff_with_wrong_line_numbers(case: tuple[list[str], int, int, list[str]], shift: int) -> None:
    lines, i, j, new = case
    old = lines[i:j]
    body = "".join(f"-{s}\n" for s in old) + "".join(f"+{s}\n" for s in new)
    start = max(1, i + 1 + shift)
    reply = f"```diff\n--- a/src/mod.py\n+++ b/src/mod.py\n@@ -{start},{len(old)} +{start},{len(new)} @@\n{body}```\n"
    check(lines, i, j, new, reply)


@SETTINGS
@given(file_and_edit())
def test_crlf_file(case: tuple[list[str], int, int, list[str]]) -> None:
    lines, i, j, new = case
    content = text(lines).replace("\n", "\r\n")
    m = locate(content, text(lines[i:j]), text(new))
    if isinstance(m, Match):
        assert apply_match(content, m) == text(lines[:i] + new + lines[j:]).replace("\n", "\r\n")
    else:
        assert m.reason == "ambiguous"


MARKERS = [
    "<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE", "```", "````python", "--- a/x", "+++ b/x", "@@ -1,3 +1,4 @@",
    "@@ ... @@", "*** Begin Patch", "*** Update File: x", "*** Add File: y", "*** Move to: z", "*** End Patch",
    "diff --git a/x b/x", "rename from x", "\\ No newline at end of file", "x.py", "-", "+", " ", "", "...",
    "# ... existing code ...", "\x00", "\r",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(MARKERS), st.text(max_size=20)), max_size=40), st.sampled_from(
    ["auto", "search-replace", "udiff", "whole", "patch"]))  # fmt: skip
def test_marker_soup_never_raises(parts: list[str], fmt: str) -> None:
    result = parse_reply("\n".join(parts), fmt)
    for edit in result.edits:
        assert isinstance(edit.old, str) and isinstance(edit.new, str)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text())
def test_locate_never_raises_on_arbitrary_text(content: str, old: str, new: str) -> None:
    m = locate(content, old, new)
    if isinstance(m, Match):
        assert 0 <= m.start <= m.end <= len(content)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "", " a", "\ta", "...", "a\r", "# ... x ..."]), max_size=30),
       st.lists(st.sampled_from(["a", "b", "", " a", "...", "  b"]), max_size=6),
       st.lists(st.sampled_from(["a", "c", "", "..."]), max_size=6))  # fmt: skip
def test_locate_never_raises_on_line_soup(content: list[str], old: list[str], new: list[str]) -> None:
    body = "\n".join(content)
    m = locate(body, "\n".join(old), "\n".join(new))
    if isinstance(m, Match):
        apply_match(body, m)


def test_nul_bytes_and_binary_like_text() -> None:
    blob = "".join(chr(c) for c in range(0, 0x2FF)) * 50
    assert parse_reply(blob).edits == ()
    assert isinstance(locate(blob, "\x00\x01", "x"), Match | MatchFailure)
