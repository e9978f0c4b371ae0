"""No traceback escapes: every bad input is a message with its exit code, and one JSON object under --json.

Hypothesis drives the reply parser and applier (the engine ``codeassist apply`` runs), the path
resolver and the config loader with hostile text; each may only answer with its result or one of
codeassist's own errors. The command line cases run the real CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeassist.config import load_settings
from codeassist.edits.paths import PathRefused, PathResolver
from codeassist.errors import CodeassistError, ConfigError
from codeassist.transaction import apply_reply
from codeassist.workspace import Workspace
from tests.conftest import git

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

MARKUP = [
    "<<<<<<< SEARCH\n", "=======\n", ">>>>>>> REPLACE\n", "```\n", "```python\n", "*** Begin Patch\n",
    "*** End Patch\n", "*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ", "@@\n",
    "--- a/", "+++ b/", "@@ -1,2 +1,2 @@\n", "-", "+", " ", "\n", "app.py", "../", "/etc/passwd", ".git/",
    ".codeassist.toml", ":(exclude)", "\x00", "\x1b[31m", "\udcff", "d/" * 40, "n" * 300, "\r\n", "NEED FILE: ",
]  # fmt: skip
PATH_PARTS = ["a", "..", ".", "", "/", ".git", ".codeassist", "~", ":(top)", "\x00", "\udcff", "x" * 300, "\\", " "]


def _repo() -> Path:
    root = Path(tempfile.mkdtemp(prefix="fuzz-")) / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("def main():\n    return 1\n")
    (root / ".env").write_text("TOKEN=x\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


@pytest.fixture(scope="module")
def fuzz_repo() -> Path:
    return _repo()


reply_texts = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=20)), max_size=30).map("".join)


@FUZZ
@given(text=reply_texts, dry_run=st.booleans())
def test_reply_text_gives_a_result_or_our_error(fuzz_repo: Path, text: str, dry_run: bool) -> None:
    base = git(fuzz_repo, "rev-parse", "HEAD").strip()
    outside = sorted(p.name for p in fuzz_repo.parent.iterdir())
    try:
        result = apply_reply(fuzz_repo, text, dry_run=dry_run)
        if dry_run or not result.ok:
            assert git(fuzz_repo, "status", "--porcelain") == "" and not result.written
    except CodeassistError:
        pass
    finally:
        git(fuzz_repo, "reset", "-q", "--hard", base)
        git(fuzz_repo, "clean", "-qfdx")
    assert sorted(p.name for p in fuzz_repo.parent.iterdir()) == outside  # nothing lands beside the repository


@FUZZ
@given(
    raw=st.one_of(st.lists(st.sampled_from(PATH_PARTS), max_size=8).map("/".join), st.text(max_size=40)),
    action=st.sampled_from(["create", "write", "append", "replace", "delete", "rename"]),
)
def test_path_resolver_refuses_or_resolves(fuzz_repo: Path, raw: str, action: str) -> None:
    try:
        resolved = PathResolver(Workspace.open(fuzz_repo)).resolve(raw, action)
    except PathRefused as exc:
        assert exc.reason
        return
    assert not resolved.rel.startswith(("/", "../")) and ".git" not in resolved.rel.split("/")


config_bytes = st.one_of(
    st.binary(max_size=80),
    st.lists(
        st.sampled_from(
            [b"model = ", b'"x"', b"map_tokens = ", b"1", b"[models.x]\n", b"test_cmd = ", b"\n", b"\xff", b"[",
             b"= ", b"true", b"[[a]]", b"{a=1}", b"instruction_files = ", b'["a"]', b"base_url = "]
        ),
        max_size=12,
    ).map(b"".join),
)  # fmt: skip


@FUZZ
@given(data=config_bytes, where=st.sampled_from(["user", "repo"]))
def test_config_bytes_load_or_give_a_config_error(tmp_path: Path, data: bytes, where: str) -> None:
    repo = tmp_path / "r"
    repo.mkdir(exist_ok=True)
    user = tmp_path / "user.toml"
    (user if where == "user" else repo / ".codeassist.toml").write_bytes(data)
    (repo / ".codeassist.toml" if where == "user" else user).write_bytes(b"")
    try:
        load_settings(repo_root=repo, environ={"CODEASSIST_CONFIG": str(user)}, data_dir=tmp_path / "d")
    except ConfigError as exc:
        assert exc.exit_code == 3 and exc.message


# ----- the command line ------------------------------------------------------------------------


def cli(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(repo), "--model", "gpt-4o-mini", *args]
    return subprocess.run(argv, capture_output=True, env=env, timeout=120)


def one_json(proc: subprocess.CompletedProcess[bytes]) -> dict[str, object]:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1, proc.stdout
    out = json.loads(lines[0])
    assert isinstance(out, dict) and out["version"] == 1
    return out


@pytest.mark.parametrize(
    "args", [["config", "show", "--json"], ["map", "--json"], ["context", "x", "--json"], ["ask", "hi", "--json"],
             ["apply", "-", "--json"]]
)  # fmt: skip
def test_non_utf8_user_config_is_a_config_error(
    git_repo: Path, tmp_path: Path, isolated_env: dict[str, str], args: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'model = "caf\xe9"\n')
    proc = cli(git_repo, *args, env={**isolated_env, "CODEASSIST_CONFIG": str(config)})
    assert proc.returncode == 3
    out = one_json(proc)
    assert "not UTF-8" in str(out["errors"])
    assert b"not UTF-8" in proc.stderr


def test_invalid_utf8_in_context_arguments(git_repo: Path, isolated_env: dict[str, str]) -> None:
    request = "caf\udcff".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
    proc = cli(git_repo, "context", request, "--json", env=isolated_env)
    assert proc.returncode == 0
    out = one_json(proc)
    assert "caf\ufffd" in json.dumps(out, ensure_ascii=False)
    proc = cli(git_repo, "context", "x", "-f", "a\udcff.py", "--json", env=isolated_env)
    assert proc.returncode == 2 and "not valid UTF-8" in str(one_json(proc)["errors"])
    proc = cli(git_repo, "context", "x", "--read-only", "a\udcff.py", env=isolated_env)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr


def test_parser_errors_under_json_are_one_object(git_repo: Path, isolated_env: dict[str, str]) -> None:
    proc = cli(git_repo, "map", "--json", "--tokens", "many", env=isolated_env)
    assert proc.returncode == 2 and one_json(proc)["errors"]
