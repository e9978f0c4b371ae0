from __future__ import annotations

from pathlib import Path

from codeassist.checks import check_syntax_of, run_checks, run_command_check, trim_output


def test_syntax_reports_only_what_the_edit_broke(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f(:\n    pass\n\nx = 1\n")
    before = {"a.py": b"def f(:\n    pass\n"}  # already broken before the edit
    assert check_syntax_of(tmp_path, ["a.py"], before).ok
    assert not check_syntax_of(tmp_path, ["a.py"]).ok
    result = check_syntax_of(tmp_path, ["a.py"], {"a.py": b"def f():\n    pass\n"})
    assert not result.ok and result.output.startswith("a.py:1:")


def test_deleted_and_unknown_files_pass(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("{{{ not code")
    assert check_syntax_of(tmp_path, ["gone.py", "notes.txt"]).ok


def test_commands_run_in_the_repository_and_report_output(tmp_path: Path) -> None:
    (tmp_path / "marker").write_text("here")
    ok = run_command_check("lint", "cat marker", tmp_path)
    assert ok.ok and ok.output == "here"
    bad = run_command_check("test", "echo failing >&2; exit 3", tmp_path)
    assert not bad.ok and "exit code 3" in bad.output and "failing" in bad.output
    slow = run_command_check("test", "sleep 5", tmp_path, timeout_s=0.2)
    assert not slow.ok and "timed out" in slow.output


def test_lint_and_test_run_only_after_clean_syntax(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = (\n")
    results = run_checks(tmp_path, ["a.py"], lint_cmd="true", test_cmd="true")
    assert [r.name for r in results] == ["syntax"]
    (tmp_path / "a.py").write_text("x = 1\n")
    results = run_checks(tmp_path, ["a.py"], lint_cmd="exit 1", test_cmd="true")
    assert [(r.name, r.ok) for r in results] == [("syntax", True), ("lint", False)]


def test_long_output_keeps_head_and_tail() -> None:
    text = "HEAD" + "x" * 20_000 + "TAIL"
    out = trim_output(text, 600)
    assert out.startswith("HEAD") and out.endswith("TAIL") and "omitted" in out and len(out) < 700
