"""Property: a reply either lands completely (as a simple model of the edits predicts) or changes nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeassist.edits.apply import apply_edits
from codeassist.edits.types import Edit
from codeassist.workspace import Workspace
from tests.conftest import git

NAMES = ("a.txt", "b.txt", "sub/c.txt")
WORDS = st.text(alphabet="abcxyz ", min_size=1, max_size=6).map(lambda s: s.strip() or "w")


def make_repo(contents: dict[str, list[str]]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="prop-")) / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for name, lines in contents.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("".join(f"{i}:{w}\n" for i, w in enumerate(lines)))
    return root


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, list[str]], list[tuple[str, str, int, str]]]:
    contents = {n: draw(st.lists(WORDS, min_size=1, max_size=6)) for n in NAMES}
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["replace", "replace", "write", "delete", "missing"]),
                st.sampled_from(NAMES),
                st.integers(0, 7),
                WORDS,
            ),
            min_size=1,
            max_size=5,
        )
    )
    return contents, ops


def model(files: dict[str, str | None], op: tuple[str, str, int, str], index: int) -> Edit | None:
    """The edit for ``op`` and its effect on ``files``; None when the edit must fail."""
    kind, name, line, word = op
    text = files.get(name)
    if kind == "missing":
        files["__fail__"] = ""
        return Edit(name, "replace", old="no such line\n", new="x\n", index=index)
    if kind == "write":
        files[name] = f"whole {word}\n"
        return Edit(name, "write", new=f"whole {word}\n", index=index)
    if kind == "delete":
        if text is None:
            return Edit(name, "delete", index=index)
        files[name] = None
        return Edit(name, "delete", index=index)
    lines = (text or "").splitlines(keepends=True)
    if text is None or not lines:
        files["__fail__"] = ""
        return Edit(name, "replace", old="0:gone\n", new="y\n", index=index)
    target = lines[line % len(lines)]
    new = f"{target.rstrip()} {word}!\n"
    if text.count(target) != 1:
        files["__fail__"] = ""  # ambiguous: refused
    files[name] = text.replace(target, new, 1)
    return Edit(name, "replace", old=target, new=new, index=index)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_reply_lands_completely_or_not_at_all(data: tuple[dict[str, list[str]], list]) -> None:
    contents, ops = data
    root = make_repo(contents)
    try:
        check(root, ops)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def check(root: Path, ops: list[tuple[str, str, int, str]]) -> None:
    before = {n: (root / n).read_text() for n in NAMES}
    files: dict[str, str | None] = dict(before)
    edits = [e for i, op in enumerate(ops) if (e := model(files, op, i)) is not None]
    result = apply_edits(Workspace.open(root), edits)
    after = {n: (root / n).read_text() if (root / n).exists() else None for n in NAMES}
    if "__fail__" in files:
        assert not result.ok and after == before
    elif result.ok:
        assert after == {n: files[n] for n in NAMES}
    else:
        # The matcher may refuse what the model allowed (e.g. a repeated line); then nothing changed.
        assert after == before
