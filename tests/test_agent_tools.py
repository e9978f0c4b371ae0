"""The agent's tools on real repositories: the file rule, search (ripgrep and Python alike), the index."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import git

from codeassist.agent import reading, search, symbols
from codeassist.workspace import Workspace

RG = shutil.which("rg")


@pytest.fixture
def ws(git_repo: Path) -> Workspace:
    (git_repo / "src").mkdir()
    (git_repo / "src" / "shapes.py").write_text(
        "class Shape:\n    def area(self):\n        return 0\n\n\n"
        "def total_area(shapes: list[Shape],\n               scale: float = 1.0) -> float:\n"
        "    return sum(s.area() for s in shapes) * scale\n"
    )
    (git_repo / "src" / "report.py").write_text(
        "from shapes import total_area\n\n\ndef report(items):\n    return f'total: {total_area(items)}'\n"
    )
    (git_repo / "docs.md").write_text("total_area adds the areas\n")
    (git_repo / ".env").write_text("TOKEN=total_area-secret\n")
    (git_repo / "private").mkdir()
    (git_repo / "private" / "plan.txt").write_text("total_area plan\n")
    (git_repo / ".codeassistignore").write_text("private/\n")
    (git_repo / "keys.cfg").write_text("DB_PASSWORD=hunter2-total_area\n")
    git(git_repo, "add", "-f", ".")
    git(git_repo, "commit", "-q", "-m", "shapes")
    with Workspace.open(git_repo) as workspace:
        yield workspace


def test_read_file_numbers_lines_and_pages(ws: Workspace) -> None:
    result = reading.read_file(ws, "src/shapes.py", 2, 3)
    assert result.text == (
        "src/shapes.py (lines 2-3 of 8)\n2 |     def area(self):\n3 |         return 0\n"
        "[5 more line(s): read_file with start_line=4]"
    )
    long = "\n".join(f"line {i}" for i in range(1, 1001)) + "\n"
    (ws.root / "long.txt").write_text(long)
    ws.forget_listing()
    first = reading.read_file(ws, "long.txt")
    assert first.text.startswith("long.txt (lines 1-400 of 1000)")
    assert first.text.endswith("[600 more line(s): read_file with start_line=401]")


def test_read_file_refuses_hidden_files_with_the_reason(ws: Workspace) -> None:
    for path in (".env", "private/plan.txt", "keys.cfg", ".codeassist.toml", "../etc/passwd", "/etc/passwd"):
        result = reading.read_file(ws, path)
        assert not result.ok and result.text.startswith("error: "), path
        assert "total_area" not in result.text
    assert "hidden from the model" in reading.read_file(ws, "private/plan.txt").text


def test_read_file_suggests_the_file_meant(ws: Workspace) -> None:
    assert "did you mean: src/shapes.py" in reading.read_file(ws, "shapes.py").text
    assert "is a directory" in reading.read_file(ws, "src").text


def test_list_files_globs(ws: Workspace) -> None:
    assert reading.visible_files(ws, "*.py") == ["src/report.py", "src/shapes.py"]
    assert reading.visible_files(ws, "src/**/*.py") == ["src/report.py", "src/shapes.py"]
    assert reading.visible_files(ws, "src/**") == ["src/report.py", "src/shapes.py"]
    listed = reading.list_files(ws).text
    assert ".env" not in listed and "private/plan.txt" not in listed and "docs.md" in listed


@pytest.mark.parametrize("rg", [None, pytest.param(RG, marks=pytest.mark.skipif(RG is None, reason="no ripgrep"))])
def test_search_finds_lines_in_visible_files_only(ws: Workspace, rg: str | None) -> None:
    result = search.search(ws, r"total_area\(", rg=rg)
    assert result.text == (
        "src/report.py:5: return f'total: {total_area(items)}'\nsrc/shapes.py:6: def total_area(shapes: list[Shape],"
    )
    everything = search.search(ws, "total_area", rg=rg).text
    assert "secret" not in everything and "plan" not in everything and "hunter2" not in everything
    assert search.search(ws, "total_area", glob="*.md", rg=rg).text == "docs.md:1: total_area adds the areas"
    capped = search.search(ws, "total_area", max_results=2, rg=rg)
    assert capped.text.count("\n") == 2 and "stopped at 2" in capped.text


def test_ripgrep_and_python_agree(ws: Workspace) -> None:
    if RG is None:
        pytest.skip("ripgrep is not installed")
    for pattern in (r"\bdef \w+", "area", r"s\.area\(\)", "nothing-matches-this"):
        regex = re.compile(pattern)
        assert search.find(ws, regex, None, 50, rg=RG) == search.find(ws, regex, None, 50, rg=None), pattern


def test_search_reports_a_bad_pattern(ws: Workspace) -> None:
    result = search.search(ws, "total_area(")
    assert not result.ok and result.text.startswith("error: the pattern is not a valid regular expression")


def test_find_symbol_gives_signatures(ws: Workspace) -> None:
    result = symbols.find_symbol(ws.root, "total_area")
    assert result.text == (
        "src/shapes.py:6: def total_area(shapes: list[Shape],     scale: float = 1.0) -> float:  (function, lines 6-8)"
    )
    assert "not defined in the repository" in symbols.find_symbol(ws.root, "print").summary
    assert not symbols.find_symbol(ws.root, "not an identifier").ok


def test_find_references_lists_uses_not_definitions(ws: Workspace) -> None:
    result = symbols.find_references(ws.root, "total_area")
    assert "src/report.py:1: from shapes import total_area" in result.text
    assert "src/report.py:5:" in result.text
    assert "src/shapes.py:6" not in result.text


def test_repo_map_of_a_part(ws: Workspace) -> None:
    whole = symbols.repo_map(ws.root, "area")
    assert "src/shapes.py:" in whole.text
    part = symbols.repo_map(ws.root, "", "src/report.py")
    assert part.text.startswith("src/report.py:") and "shapes.py" not in part.text
    assert not symbols.repo_map(ws.root, "", "nowhere").ok


def test_find_symbol_ranks_the_file_the_code_uses_first(git_repo: Path) -> None:
    (git_repo / "a_unused.py").write_text("def load_settings(path):\n    return None\n")
    (git_repo / "core.py").write_text("def load_settings(path):\n    return {}\n\n\nclass SettingsStore:\n    pass\n")
    for i in range(4):
        use = "from core import SettingsStore, load_settings\n\nload_settings(SettingsStore())\n"
        (git_repo / f"user{i}.py").write_text(use)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "two definitions")
    lines = symbols.find_symbol(git_repo, "load_settings").text.splitlines()
    assert [line.split(":")[0] for line in lines] == ["core.py", "a_unused.py"]


def test_find_references_includes_uses_in_the_defining_file(git_repo: Path) -> None:
    (git_repo / "calc.py").write_text(
        "def add_numbers(a, b):\n    return a + b\n\n\ndef twice(x):\n    return add_numbers(x, x)\n"
    )
    (git_repo / "main.py").write_text("from calc import add_numbers\n\nprint(add_numbers(1, 2))\n")
    (git_repo / "other.py").write_text("import json\n\nprint(json.dumps({}))\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "calc")
    lines = symbols.find_references(git_repo, "add_numbers").text.splitlines()
    assert sorted(lines) == [
        "calc.py:6: return add_numbers(x, x)",
        "main.py:1: from calc import add_numbers",
        "main.py:3: print(add_numbers(1, 2))",
    ]
    dumps = symbols.find_references(git_repo, "dumps").text  # defined nowhere here: every file's references
    assert dumps == "other.py:3: print(json.dumps({}))"
