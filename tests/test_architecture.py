"""The package's shape, read from its source: imports flow one way.

Every import a module makes at run time counts, at the top or inside a
function (imports under ``if TYPE_CHECKING:`` are for the type checker only).
"""

from __future__ import annotations

import ast
from pathlib import Path

import codeassist

PACKAGE = Path(codeassist.__file__).parent


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(path: Path) -> set[str]:
    """The codeassist modules ``path`` imports when it runs."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("codeassist"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("codeassist"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in MODULES}


GRAPH = {name: runtime_imports(path) - {name} for name, path in MODULES.items()}


def test_no_two_modules_import_each_other() -> None:
    pairs = sorted({tuple(sorted((a, b))) for a, deps in GRAPH.items() for b in deps if a in GRAPH.get(b, set())})
    assert pairs == []


def test_no_import_cycles() -> None:
    """A cycle of any length is a knot in the layering (a package ``__init__`` re-exporting is not counted)."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH[node]):
            if node.startswith(dep + "."):  # a module importing its own package's __init__
                continue
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                walk(dep, [*stack, dep])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_lower_layers_never_import_the_interfaces_or_rich() -> None:
    offenders = []
    for name, path in MODULES.items():
        if name.startswith("codeassist.interfaces") or name == "codeassist.__main__":
            continue
        if any(dep.startswith("codeassist.interfaces") for dep in GRAPH[name]):
            offenders.append(name)
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "rich" or n.startswith("rich.") for n in names):
                offenders.append(f"{name} (rich)")
    assert offenders == []


def test_edits_are_pure() -> None:
    """edits/ reads replies and plans edits: no git, no settings, no commits, no Workspace."""
    forbidden = {"codeassist.git", "codeassist.commits", "codeassist.config", "codeassist.workspace"}
    for name in (n for n in GRAPH if n.startswith("codeassist.edits")):
        assert not (GRAPH[name] & forbidden), name
        text = MODULES[name].read_text("utf-8")
        assert "run_git(" not in text and '"git", "-C"' not in text, name
