"""The matcher: every strategy, its failure messages, and what it preserves."""

from __future__ import annotations

from codeassist.edits.match import Match, MatchFailure, apply_match, locate

SRC = "def f():\n    x = 1\n    return x\n\n\ndef g():\n    return 2\n"


def applied(content: str, old: str, new: str, strategy: str) -> str:
    m = locate(content, old, new)
    assert isinstance(m, Match), m
    assert m.strategy == strategy
    return apply_match(content, m)


def failed(content: str, old: str, new: str, reason: str) -> MatchFailure:
    m = locate(content, old, new)
    assert isinstance(m, MatchFailure), m
    assert m.reason == reason
    return m


def test_exact() -> None:
    out = applied(SRC, "    x = 1\n", "    x = 2\n", "exact")
    assert out == SRC.replace("x = 1", "x = 2")


def test_exact_substring_within_a_line() -> None:
    assert applied(SRC, "return 2", "return 3", "exact") == SRC.replace("return 2", "return 3")


def test_exact_adds_missing_final_newline_to_new() -> None:
    assert applied(SRC, "    x = 1\n", "    x = 2", "exact") == SRC.replace("x = 1", "x = 2")


def test_multiline_exact_must_be_line_aligned() -> None:
    content = "class A:\n    def f(self):\n        return 1\n"
    # Matching inside the deeper-indented line would leave stray indentation.
    out = applied(content, "    return 1\n", "    return 2\n", "indentation")
    assert out == "class A:\n    def f(self):\n        return 2\n"


def test_trailing_whitespace() -> None:
    out = applied(SRC, "    x = 1   \n    return x\t\n", "    x = 2   \n    return x\t\n", "trailing-whitespace")
    assert out == SRC.replace("x = 1", "x = 2")


def test_trailing_whitespace_in_file_is_kept() -> None:
    content = "a = 1  \nb = 2\n"
    assert applied(content, "a = 1\nb = 2\n", "a = 1\nb = 3\n", "trailing-whitespace") == "a = 1  \nb = 3\n"


def test_indentation_shift_reindents_replacement() -> None:
    old = "x = 1\nreturn x\n"
    new = "x = 1\nif x:\n    x += 1\nreturn x\n"
    out = applied(SRC, old, new, "indentation")
    assert out == SRC.replace("    x = 1\n", "    x = 1\n    if x:\n        x += 1\n")


def test_indentation_tabs_in_file_spaces_in_reply() -> None:
    content = "def f():\n\tif a:\n\t\treturn 1\n"
    out = applied(content, "    if a:\n        return 1\n", "    if a:\n        return 2\n    pass\n", "indentation")
    assert out == "def f():\n\tif a:\n\t\treturn 2\n\tpass\n"


def test_blank_lines_ignored_and_file_blank_lines_kept() -> None:
    old = "    return x\ndef g():\n"
    new = "    return x + 1\ndef g():\n"
    out = applied(SRC, old, new, "blank-lines")
    assert out == SRC.replace("return x\n", "return x + 1\n")


def test_blank_lines_extra_in_reply() -> None:
    content = "a\nb\nc\n"
    assert applied(content, "a\n\nb\n", "a\n\nB\n", "blank-lines") == "a\nB\nc\n"


def test_elision_keeps_elided_code() -> None:
    content = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a\n"
    old = "def f():\n    # ... existing code ...\n    return a\n"
    new = "def f():\n    # ... existing code ...\n    return a + b + c\n"
    out = applied(content, old, new, "elision")
    assert out == content.replace("return a\n", "return a + b + c\n")


def test_elision_with_plain_dots_and_two_edits() -> None:
    content = "start\nkeep1\nmiddle\nkeep2\nend\n"
    out = applied(content, "start\n...\nmiddle\n...\nend\n", "START\n...\nmiddle\n...\nEND\n", "elision")
    assert out == "START\nkeep1\nmiddle\nkeep2\nEND\n"


def test_placeholder_only_in_new_is_refused() -> None:
    m = failed(SRC, "    x = 1\n", "    # ... existing code ...\n    y = 2\n", "not-found")
    assert "placeholder" in m.message


def test_elision_count_mismatch_is_not_found() -> None:
    failed(SRC, "def f():\n...\n    return x\n", "def f():\n    return 0\n", "not-found")


def test_fuzzy_typo_in_old() -> None:
    content = (
        "import os\n\n\ndef load(path):\n    with open(path) as handle:\n        data = handle.read()\n"
        "    return parse_config(data, strict=True)\n\n\ndef save(path, data):\n    os.replace(path, path + '.bak')\n"
    )
    old = "    with open(path) as handle:\n        data = handel.read()\n    return parse_config(data, strict=True)\n"
    new = "    with open(path) as handle:\n        data = handle.read()\n    return parse_config(data, strict=False)\n"
    out = applied(content, old, new, "fuzzy")
    assert out == content.replace("strict=True", "strict=False")


def test_fuzzy_among_repetitive_neighbours_takes_the_window_a_typo_away() -> None:
    # Every window looks alike, but only one is a typo away from the old text; its neighbours are many
    # times as far, so the place is not in doubt.
    content = "".join(f"line_{i} = compute_value({i}, factor={i * 3})\n" for i in range(40))
    old = "line_10 = compute_value(10, factor=30)\nline_11 = compute_valeu(11, factor=33)\n"
    out = applied(content, old, "x\n", "fuzzy")
    exact = "line_10 = compute_value(10, factor=30)\nline_11 = compute_value(11, factor=33)\n"
    assert out == content.replace(exact, "x\n")


def test_fuzzy_refuses_near_copies_the_old_text_sits_between() -> None:
    # Two copies of a block differ in one line; the old text's version of that line is as far from both.
    block = 'if f == nil {{\n    panic(fmt.Sprintf("no flag %q", v))\n}}\nerr := set(v, {})\n'
    content = block.format("requiredTogether") + "\n" + block.format("requiredOneOfThem") + "\n"
    failed(content, block.format("requiredXXXXXXXXX"), "x\n", "not-found")


def test_fuzzy_refuses_without_margin() -> None:
    content = "alpha = call(1)\nbeta = call(2)\n\nalpha = call(1)\nbeta = call(3)\n"
    failed(content, "alpha = call(1)\nbeta = call(4)\n", "x\n", "not-found")


def test_not_found_shows_closest_lines() -> None:
    m = failed(SRC, "def g():\n    return 200000\n", "x\n", "not-found")
    assert "closest" in m.message
    assert "    6 | def g():" in m.closest and "    7 |     return 2" in m.closest


def test_not_found_in_empty_file() -> None:
    assert failed("", "a\n", "b\n", "not-found").closest == "(the file is empty)"


def test_empty_old_is_refused() -> None:
    assert "empty" in failed(SRC, "  \n", "x\n", "not-found").message


def test_ambiguous_lists_locations() -> None:
    content = "x = 1\ny\nx = 1\ny\n"
    m = failed(content, "x = 1\n", "x = 2\n", "ambiguous")
    assert m.locations == (1, 3)
    assert "2 places" in m.message and "lines 1, 3" in m.message


def test_ambiguous_at_tolerant_strategy_is_not_guessed() -> None:
    content = "if a:\n    go()\nif b:\n    go()\n"
    m = failed(content, "go()\n", "stop()\n", "ambiguous")
    assert m.locations == (2, 4)


def test_anchor_breaks_ties() -> None:
    content = "def a():\n    go()\ndef b():\n    go()\n"
    m = locate(content, "    go()\n", "    stop()\n", anchor="def b():")
    assert isinstance(m, Match)
    assert apply_match(content, m) == "def a():\n    go()\ndef b():\n    stop()\n"


def test_already_applied() -> None:
    after = SRC.replace("x = 1", "x = 2")
    m = failed(after, "    x = 1\n", "    x = 2\n", "already-applied")
    assert m.locations == (2,) and "already" in m.message


def test_insertion_already_applied_is_not_duplicated() -> None:
    old, new = "    x = 1\n", "    x = 1\n    y = 2\n"
    once = applied(SRC, old, new, "exact")
    failed(once, old, new, "already-applied")


def test_crlf_file_gets_crlf_replacement() -> None:
    content = SRC.replace("\n", "\r\n")
    out = applied(content, "    x = 1\n    return x\n", "    x = 2\n    y = 3\n    return x\n", "exact")
    assert out == SRC.replace("    x = 1\n", "    x = 2\n    y = 3\n").replace("\n", "\r\n")


def test_crlf_file_tolerant_strategy_offsets() -> None:
    content = SRC.replace("\n", "\r\n")
    out = applied(content, "x = 1\nreturn x\n", "x = 9\nreturn x\n", "indentation")
    assert out == SRC.replace("x = 1", "x = 9").replace("\n", "\r\n")


def test_no_final_newline_preserved() -> None:
    content = "a\nb"
    assert applied(content, "a\nb\n", "a\nc\n", "trailing-whitespace") == "a\nc"
    assert applied(content, "b", "c", "exact") == "a\nc"


def test_tabs_preserved_in_unchanged_lines() -> None:
    content = "func f() {\n\tx := 1\n\treturn x\n}\n"
    out = applied(content, "    x := 1\n    return x\n", "    x := 2\n    return x\n", "indentation")
    assert out == "func f() {\n\tx := 2\n\treturn x\n}\n"


def test_large_file_is_fast_enough_to_finish() -> None:
    content = "".join(f"value_{i} = {i}\n" for i in range(200_000))
    m = locate(content, "value_150000 = 150000\nvalue_150001 = 150001\n", "changed\n")
    assert isinstance(m, Match) and m.strategy == "exact"
    m = locate(content, "value_150000 = 150000  \n  value_150001 = 150002\n", "changed\n")
    assert isinstance(m, MatchFailure) or m.strategy == "fuzzy"


def test_trailing_suffix_removed_exactly_keeping_markdown_breaks() -> None:
    content = "* one  \n* two  \n\nend\n"
    old = "* one    \n* two    \n"
    new = "* one    \n* one and a half    \n* two    \n"
    out = applied(content, old, new, "trailing-whitespace")
    assert out == "* one  \n* one and a half  \n* two  \n\nend\n"


def test_textual_indent_shift_keeps_tabs_the_edit_introduces() -> None:
    content = "code:\n  a = 1\n  b = 2\n"
    old = "      a = 1\n      b = 2\n"
    new = "      a = 1\n    \tb = 3\n"
    out = applied(content, old, new, "indentation")
    assert out == "code:\n  a = 1\n\tb = 3\n"


def test_outdented_new_line_past_the_block_is_refused() -> None:
    content = "class A:\n    def f(self):\n        return 1\n"
    # The model's block is 4 columns shallower than the file; its new top-level line has no known place.
    m = failed(content, "    return 1\n", "    return 2\nprint('top')\n", "not-found")
    assert m.closest


def test_fuzzy_refuses_uneven_indentation() -> None:
    content = (
        "def load(path):\n    with open(path) as handle:\n        data = handle.read()\n"
        "    return parse_config(data, strict=True)\n"
    )
    old = "  with open(path) as handle:\n        data = handel.read()\n  return parse_config(data, strict=True)\n"
    failed(content, old, "x\n", "not-found")


def test_blank_lines_dropped_in_both_halves_keep_the_files() -> None:
    content = "import os\n\nimport sys\n\n\ndef main():\n    pass\n"
    old = "import os\nimport sys\ndef main():\n"
    new = "import os\nimport sys as system\ndef main():\n"
    out = applied(content, old, new, "blank-lines")
    assert out == "import os\n\nimport sys as system\n\n\ndef main():\n    pass\n"


def test_insertion_next_to_blank_lines_the_old_text_lacks_is_refused() -> None:
    # "import re" goes before or after the file's blank line: the reply does not say, so no guess.
    content = "import os\n\nimport sys\n\n\ndef main():\n    pass\n"
    m = failed(
        content, "import os\nimport sys\ndef main():\n", "import os\nimport re\nimport sys\ndef main():\n", "not-found"
    )
    assert "where the new text's blank lines belong is unclear" in m.message and "blank lines included" in m.message


def test_insertion_on_one_side_of_the_old_texts_blank_run_takes_the_files_run_along() -> None:
    # The old text shows one of the file's two blank lines; the insertion goes after that run, so after both.
    content = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    old = "    return 1\n\ndef b():\n"
    out = applied(content, old, "    return 1\n\nX = 1\ndef b():\n", "blank-lines")
    assert out == "def a():\n    return 1\n\n\nX = 1\ndef b():\n    return 2\n"
    out = applied(content, old, "    return 1\nX = 1\n\ndef b():\n", "blank-lines")
    assert out == "def a():\n    return 1\nX = 1\n\n\ndef b():\n    return 2\n"
    # Blank lines on both sides of the insertion: either could be the file's run.
    failed(content, old, "    return 1\n\nX = 1\n\ndef b():\n", "not-found")


def test_blank_lines_between_removed_lines_are_refused() -> None:
    # Two lines become one where the file has a blank line between them: does it stay, and on which side?
    content = "a = 1\nb = 2\n\nc = 3\nd = 4\n"
    failed(content, "a = 1\nb = 2\nc = 3\nd = 4\n", "a = 1\nbc = 5\nd = 4\n", "not-found")


def test_blank_lines_the_old_text_ends_with_are_removed_when_the_new_text_drops_them() -> None:
    content = "# a\nx: 1\n\n# b\ny: 2\n\n"
    out = applied(content, "# a\nx: 1\n# b\ny: 2\n\n", "# a\nx: 3\n# b\ny: 4\n", "blank-lines")
    assert out == "# a\nx: 3\n\n# b\ny: 4\n"
    content = "\n\nx: 1\n\ny: 2\n"
    out = applied(content, "\nx: 1\ny: 2\n", "x: 3\ny: 2\n", "blank-lines")
    assert out == "\nx: 3\n\ny: 2\n"


def test_blank_lines_refused_when_placement_is_a_guess() -> None:
    content = "a = 1\n\nb = 2\n"
    # The new text adds a blank line where the file already has one the old text lacks: added, or the file's?
    m = failed(content, "a = 1\nb = 2\n", "a = 1\n\nb = 3\n", "not-found")
    assert "blank lines" in m.message and "line 1" in m.message


def test_inserted_definition_keeps_the_files_double_blank_run_on_the_side_the_old_text_shows() -> None:
    # One of the file's two blank lines is dropped from both halves; the new text repeats the old run (one
    # line) before the insertion and writes its own two after it, so the file's run is the one before.
    content = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    old = "    return 1\n\ndef b():\n"
    new = "    return 1\n\ndef c():\n    return 3\n\n\ndef b():\n"
    out = applied(content, old, new, "blank-lines")
    assert out == "def a():\n    return 1\n\n\ndef c():\n    return 3\n\n\ndef b():\n    return 2\n"


def test_insertion_after_a_repeated_closing_line_keeps_the_files_blank_line_before_the_next_block() -> None:
    # Which "}" the new text keeps is unclear, but both readings put the file's blank line before "// B".
    content = "a() {\n}\n\n// B\nb()\n"
    out = applied(content, "}\n// B\n", "}\n\nc() {\n}\n// B\n", "blank-lines")
    assert out == "a() {\n}\n\nc() {\n}\n\n// B\nb()\n"


def test_a_changed_gap_where_the_file_has_unseen_blank_lines_is_refused_without_evidence() -> None:
    # Line for line, the new text widens a gap where the file has a blank line the old text lacks: the
    # model may count it already or not.
    content = "x = 1\n\ny = 2\nz = 3\n"
    failed(content, "x = 1\ny = 2\nz = 3\n", "x = 1\n\ny = 20\nz = 3\n", "not-found")


def test_a_repeated_line_changed_line_for_line_keeps_the_files_blank_line_between() -> None:
    # Found by test_blank_line_perturbation: blank lines dropped from both halves, the first of two equal
    # lines changed. difflib pairs the kept "x = 1" with the first copy (an insertion before it, the second
    # removed) and left the file's blank line after the region; read line for line it stays between.
    lines = [""] * 15 + ["x = 1", "", "x = 1"]
    content = "\n".join(lines) + "\n"
    out = applied(content, "x = 1\nx = 1\n", "changed_0()\nx = 1\n", "blank-lines")
    assert out == "\n" * 15 + "changed_0()\n\nx = 1\n"


def test_blank_lines_beside_a_line_removed_at_the_regions_edge_are_refused() -> None:
    # The last line goes where the file has a blank line before it: removed with it, or left trailing?
    content = "a = 1\n\nb = 2\n"
    failed(content, "a = 1\nb = 2\n", "a = 1\n", "not-found")


def test_elision_anchored_by_its_one_unique_piece_takes_the_nearest_copy_of_the_others() -> None:
    # "```" opens several blocks; the changed line is unique, so the fence meant is the nearest above it.
    content = "```\none\n```\n\n```\ntwo\nthree\nfour\n```\n"
    out = applied(content, "```\n...\nfour\n", "```\n...\nFOUR\n", "elision")
    assert out == content.replace("four", "FOUR")


def test_elision_stands_for_at_least_one_line() -> None:
    # The ")" right after "b" is not the one meant: a "..." between them left lines out.
    content = "import (\n    a\n    b\n)\n\nconst (\n    x = 1\n)\n\nfunc f() {}\n"
    out = applied(content, "    b\n...\n)\n", "    b\n...\n)\n\nvar y = 2\n", "elision")
    assert out == content.replace("\nfunc f", "\nvar y = 2\n\nfunc f")


def test_new_lines_beside_an_elision_with_no_old_line_to_place_them_are_refused() -> None:
    # The old text's first piece is a blank line: the header goes somewhere above "end", but where?
    content = "\nstart\nmiddle\nend\n"
    m = failed(content, "\n...\nend\n", "HEADER\n\n...\nend\n", "not-found")
    assert "does not match" in m.message


def test_elision_with_no_unique_piece_is_ambiguous() -> None:
    content = "x = 1\ny = 2\nz = 3\nx = 1\ny = 2\nz = 3\n"
    m = failed(content, "x = 1\n...\nz = 3\n", "x = 10\n...\nz = 3\n", "ambiguous")
    assert m.locations == (1, 4)


def test_a_new_function_ending_like_the_one_above_goes_after_it_with_the_files_blank_lines() -> None:
    # The inserted test ends with the same line as the test above it; read as written (after that line),
    # the file's two blank lines, of which the reply shows one, stay on both sides.
    content = "def test_a():\n    assert ok\n\n\ndef test_c():\n    pass\n"
    old = "    assert ok\n\ndef test_c():\n"
    new = "    assert ok\n\ndef test_b():\n    assert ok\n\n\ndef test_c():\n"
    out = applied(content, old, new, "blank-lines")
    assert out == "def test_a():\n    assert ok\n\n\ndef test_b():\n    assert ok\n\n\ndef test_c():\n    pass\n"


REPEATED = "def a():\n    x = 1\n    y = 2\n    return x\n\n\ndef b():\n    x = 1\n    y = 2\n    return x\n"
SECOND = REPEATED.index("def b")


def test_a_diff_hunks_start_line_picks_among_identical_places_only_when_one_starts_exactly_there() -> None:
    m = locate(REPEATED, "    x = 1\n    y = 2\n", "    x = 3\n    y = 2\n", line_hint=8)
    assert isinstance(m, Match) and apply_match(REPEATED, m).index("x = 3") > SECOND
    stale = locate(REPEATED, "    x = 1\n    y = 2\n", "    x = 3\n    y = 2\n", line_hint=9)
    assert isinstance(stale, MatchFailure) and stale.reason == "ambiguous"


def test_line_hint_places_an_elided_or_misremembered_copy_of_a_repeated_block() -> None:
    elided = locate(REPEATED, "    x = 1\n...\n    return x\n", "    x = 3\n...\n    return x\n", line_hint=8)
    assert isinstance(elided, Match) and elided.strategy == "elision"
    assert apply_match(REPEATED, elided).index("x = 3") > SECOND
    typo = REPEATED.replace("y = 2", "value = compute(1)")
    old, new = "    x = 1\n    value = compute(1)\n    retrun x\n", "    x = 1\n    value = compute(2)\n    return x\n"
    m = locate(typo, old, new, line_hint=8)
    assert isinstance(m, Match) and m.strategy == "fuzzy"
    assert apply_match(typo, m).index("compute(2)") > SECOND
    assert isinstance(locate(typo, old, new), MatchFailure)


def test_spurious_leading_blank_line_and_indentation_apply_re_indented() -> None:
    # The model copied the method dedented and with a blank line the file does not have before it; the
    # replacement has no blank lines, so the result has none either, and takes the file's indentation.
    content = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 3\n"
    out = applied(content, "\ndef f(self):\n    return 1\n", "def f(self):\n    return 2\n", "blank-lines")
    assert out == content.replace("return 1", "return 2")


def test_spurious_blank_lines_at_both_ends_apply() -> None:
    content = "class A:\n    def f(self):\n        return 1\n    def g(self):\n        return 3\n"
    out = applied(content, "\n\ndef f(self):\n    return 1\n\n", "def f(self):\n    return 2\n", "blank-lines")
    assert out == content.replace("return 1", "return 2")


def test_spurious_leading_blank_line_with_the_files_indentation_applies() -> None:
    content = "x = 0\ny = 1\nz = 2\n"
    assert applied(content, "\ny = 1\n", "y = 5\n", "blank-lines") == "x = 0\ny = 5\nz = 2\n"
