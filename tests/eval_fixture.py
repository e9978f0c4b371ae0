"""A small real repository with a history fit for eval, and scripted models that answer its tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import git
from openai_server import Reply, Text

CALC = "def add(a, b):\n    return a + b\n\n\ndef multiply(a, b):\n    return a * b\n"
NAMES = 'def greet(first, last):\n    return "Hello " + first\n'

# (subject, {path: new content}); the task-worthy ones are marked True.
HISTORY: list[tuple[str, dict[str, str], bool]] = [
    (
        "Make add take a third, optional number",
        {"calc.py": CALC.replace("def add(a, b):\n    return a + b", "def add(a, b, c=0):\n    return a + b + c")},
        True,
    ),  # fmt: skip
    ("Greet people by their full name", {"names.py": NAMES.replace("first\n", 'first + " " + last\n')}, True),
    ("Bump version to 1.2.0", {"VERSION": "1.2.0\n"}, False),
    ("wip", {"names.py": NAMES.replace("first\n", 'first + " " + last + "!"\n')}, False),
    ("Rename the multiply helper to product in calc", {}, True),  # filled in from the file's current text
    ("Add a long table of constants to calc", {}, False),  # too many lines
]


def build_history(root: Path) -> list[str]:
    """Commit HISTORY on top of an initial commit; returns the shas of the task-worthy commits, newest first."""
    (root / "calc.py").write_text(CALC)
    (root / "names.py").write_text(NAMES)
    (root / "VERSION").write_text("1.1.0\n")
    (root / "NOTES.txt").write_text("".join(f"note {i}\n" for i in range(80)))  # too big to be a task itself
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Add the calculator and the greeter")
    good = []
    for subject, files, worthy in HISTORY:
        if subject.startswith("Rename"):
            files = {"calc.py": (root / "calc.py").read_text().replace("def multiply(", "def product(")}
        elif subject.startswith("Add a long"):
            files = {"calc.py": (root / "calc.py").read_text() + "".join(f"C{i} = {i}\n" for i in range(80))}
        for path, text in files.items():
            (root / path).write_text(text)
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", subject + "\n\nCo-authored-by: Someone <someone@example.com>")
        if worthy:
            good.append(git(root, "rev-parse", "HEAD").strip())
    return good[::-1]


def search_replace_for(root: Path, sha: str) -> str:
    """The real commit's change as SEARCH/REPLACE blocks (the whole old file replaced by the whole new one)."""
    parent = sha + "^"
    out = []
    for path in git(root, "diff", "--name-only", parent, sha).split():
        old = git(root, "show", f"{parent}:{path}")
        new = git(root, "show", f"{sha}:{path}")
        out.append(f"{path}\n```\n<<<<<<< SEARCH\n{old}=======\n{new}>>>>>>> REPLACE\n```\n")
    return "Here is the change.\n\n" + "\n".join(out)


def scripted_models(root: Path) -> Any:
    """A responder for the loopback server: ``replayer`` replays each task's real commit, ``failer`` never edits."""
    shas = git(root, "rev-list", "HEAD").split()
    subjects = {git(root, "log", "-1", "--format=%s", sha).strip(): sha for sha in shas}

    def respond(body: dict[str, Any]) -> Reply | None:
        if body.get("model") == "failer":
            return Text("I am not sure which file to change.")
        sent = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        for subject, sha in subjects.items():
            if subject in sent:
                return Text(search_replace_for(root, sha), chunk_size=64)
        return None

    return respond
