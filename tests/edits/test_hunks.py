"""Hunks of a proposed change: split as diff -u shows them, and rebuilt from any subset kept."""

from __future__ import annotations

import itertools

from codeassist.edits.hunks import combine, split_hunks

BEFORE = "".join(f"line {i}\n" for i in range(30))
AFTER = BEFORE.replace("line 2\n", "line two\n").replace("line 20\n", "line twenty\nextra\n").replace("line 29\n", "")


def test_split_like_diff_u() -> None:
    hunks = split_hunks(BEFORE, AFTER)
    assert [h.header for h in hunks] == ["@@ -1,6 +1,6 @@", "@@ -18,7 +18,8 @@", "@@ -27,4 +28,3 @@"]
    assert hunks[0].lines[2:4] == ("-line 2\n", "+line two\n")
    assert hunks[2].lines[-1] == "-line 29\n"
    assert split_hunks(BEFORE, BEFORE) == []


def test_every_subset_of_hunks_rebuilds_exactly() -> None:
    for size in range(4):
        for keep in itertools.combinations(range(3), size):
            text = combine(BEFORE, AFTER, set(keep))
            assert ("line two\n" in text) == (0 in keep)
            assert ("extra\n" in text) == (1 in keep)
            assert ("line 29\n" in text) == (2 not in keep)
    assert combine(BEFORE, AFTER, {0, 1, 2}) == AFTER and combine(BEFORE, AFTER, set()) == BEFORE


def test_a_missing_final_newline_is_shown_and_kept() -> None:
    hunks = split_hunks("a\nb", "a\nc")
    assert hunks[0].lines[-1] == "+c\n\\ No newline at end of file\n"
    assert combine("a\nb", "a\nc", {0}) == "a\nc" and combine("a\nb", "a\nc", set()) == "a\nb"
