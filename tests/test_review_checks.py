"""The review's parts on their own: secret shapes, offline checks, markers, reading the model's reply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeassist.filerule import secret_store_reason
from codeassist.review.changes import ChangedFile
from codeassist.review.model import parse_findings
from codeassist.review.offline import check_file, path_matcher
from codeassist.review.rules import ReviewConfig, allowed_rules, apply_markers
from codeassist.secrets import find_secrets
from tests.conftest import git
from tests.hook_fixtures import OPENAI_KEY, codeassist, stage

KEYS = {
    "OpenAI API key": OPENAI_KEY,
    "Anthropic API key": "sk-ant-" + "api03-" + "x7Yk2" * 18,
    "Google API key": "AIza" + "Sy" + "B3kX9mQ2vL7pR4tW8nZ1cF6hJ0dG5sA2e",
    "GitHub token": "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "AWS access key id": "AKIA" + "Q3EXAMPLE7KEY2ZZ",
    "Slack token": "xoxb-" + "1234567890-abcdefghij",
    "Stripe key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
}


@pytest.mark.parametrize(("kind", "key"), sorted(KEYS.items()))
def test_provider_key_shapes_are_found_and_redacted(kind: str, key: str) -> None:
    found = find_secrets(f'x = 1\nconfig["k"] = "{key}"\n')
    assert [(m.line, m.kind) for m in found] == [(2, kind)]
    assert key not in found[0].redacted and found[0].redacted.startswith(key[:4])


@pytest.mark.parametrize(
    "line",
    [
        "task-manager sk-learn scikit-learn",
        'password = "changeme-please-1234"',
        "token = os.environ['GITHUB_TOKEN_VALUE']",
        'api_key = settings.get("api_key_from_config")',
        "secret_name = ${SECRET_FROM_ENVIRONMENT}",
        'sha = "3f786850e387550fdab836ed7e6dc881de23001b"',
        'description = "the password field is validated"',
    ],
)
def test_ordinary_lines_are_not_secrets(line: str) -> None:
    assert find_secrets(line) == []


def test_entropy_is_gated_by_a_secret_like_name() -> None:
    assert [m.kind for m in find_secrets("DB_PASSWORD=q8Zr3Lx9Vt2Mk7Pw1Nb5\n")] == [
        "high-entropy value for DB_PASSWORD"
    ]
    assert find_secrets("BUILD_ID=q8Zr3Lx9Vt2Mk7Pw1Nb5\n") == []


def changed(path: str, new: str, old: str | None = None, added: set[int] | None = None) -> ChangedFile:
    lines = set(range(1, new.count("\n") + 2)) if added is None else added
    return ChangedFile(path, "M" if old else "A", None, old.encode() if old else None, new.encode(), frozenset(lines))


def test_a_lone_separator_is_a_heading_not_a_conflict() -> None:
    assert check_file(changed("README.md", "Title\n=======\n"), ReviewConfig(), path_matcher(())) == []
    found = check_file(changed("a.txt", "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n"), ReviewConfig(), path_matcher(()))
    assert [f.line for f in found] == [1, 3, 5]


def test_only_added_lines_are_judged() -> None:
    f = changed("a.py", "breakpoint()\nx = 1\n", old="breakpoint()\n", added={2})
    assert check_file(f, ReviewConfig(), path_matcher(())) == []


def test_console_log_counts_only_in_configured_paths() -> None:
    src = "function f() {\n  console.log('x');\n  debugger;\n}\n"
    plain = check_file(changed("src/a.js", src), ReviewConfig(), path_matcher(()))
    assert [(f.line, f.severity) for f in plain] == [(3, "error")]
    config = ReviewConfig(debug_print_paths=("src/**",))
    strict = check_file(changed("src/a.js", src), config, path_matcher(config.debug_print_paths))
    assert [(f.line, f.severity) for f in strict] == [(2, "warning"), (3, "error")]


def test_rust_dbg_and_disabled_rules() -> None:
    f = changed("m.rs", "fn main() {\n    dbg!(1);\n}\n")
    assert [x.rule for x in check_file(f, ReviewConfig(), path_matcher(()))] == ["debug-leftover"]
    assert check_file(f, ReviewConfig(disabled=frozenset({"debug-leftover"})), path_matcher(())) == []


def test_marker_on_the_line_or_the_line_above() -> None:
    assert allowed_rules("x = 1  # codeassist: allow secret, debug-leftover") == {"secret", "debug-leftover"}
    src = "// codeassist: allow debug-leftover\ndebugger;\ndebugger;\n"
    found = check_file(changed("a.js", src), ReviewConfig(), path_matcher(()))
    kept = apply_markers(found, {"a.js": src.splitlines()})
    assert [f.line for f in kept] == [3]


@pytest.mark.parametrize("name", [".env", ".env.production", "deploy/server.pem", "id_ed25519", "credentials.json"])
def test_secret_stores(name: str) -> None:
    assert secret_store_reason(name) is not None


@pytest.mark.parametrize("name", [".env.example", "env.py", "keys.py", "README.md"])
def test_not_secret_stores(name: str) -> None:
    assert secret_store_reason(name) is None


COUNTS = {"a.py": 10}


@pytest.mark.parametrize(
    ("reply", "kept", "dropped"),
    [
        ('{"findings": []}', 0, 0),
        ("no findings", 0, 0),
        ("```json\n" + json.dumps({"findings": [{"path": "a.py", "line": 3, "message": "m"}]}) + "\n```", 1, 0),
        ('Here you go: [{"path": "a.py", "line": 2, "severity": "error", "message": "m"}] done', 1, 0),
        ("a.py:4: error: off by one\nb.py:1: warning: elsewhere", 1, 1),
        (
            json.dumps({"findings": [{"path": "a.py", "line": "x", "message": "m"}, {"path": "a.py", "line": 0}]}),
            0,
            2,
        ),
        ('{"findings": [{"path": "a.py", "line": 1}]}', 0, 1),
        ("I think the code is fine but who knows", 0, 1),
        ('{"findings": [{"path": "a.py", "line": ', 0, 1),
    ],
)
def test_model_replies_are_read_defensively(reply: str, kept: int, dropped: int) -> None:
    got = parse_findings(reply, COUNTS)
    assert (len(got.findings), got.dropped) == (kept, dropped)
    assert all(f.source == "model" and 1 <= f.line <= f.end_line <= 10 for f in got.findings)


def test_end_line_is_clamped_to_the_file() -> None:
    got = parse_findings('{"findings": [{"path": "a.py", "line": 9, "end_line": 40, "message": "m"}]}', COUNTS)
    assert (got.findings[0].line, got.findings[0].end_line, got.findings[0].severity) == (9, 10, "warning")


def test_review_of_a_range_and_of_uncommitted_work(git_repo: Path) -> None:
    stage(git_repo, {"a.py": "def f(:\n"})
    git(git_repo, "commit", "-q", "-m", "broken")
    proc = codeassist(git_repo, "review", "HEAD~1..HEAD", "--json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["target"] == "range" and data["findings"][0]["path"] == "a.py"
    assert codeassist(git_repo, "review", "HEAD", "--offline").returncode == 1
    (git_repo / "new.py").write_text("x = (\n")  # untracked
    proc = codeassist(git_repo, "review", "--uncommitted", "--offline", "--json")
    assert proc.returncode == 1 and [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["new.py"]
    assert codeassist(git_repo, "review", "--staged", "--offline").returncode == 0  # nothing staged


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--fail-on", "sometimes"], 2), (["--staged", "--uncommitted"], 2), (["no-such-rev"], 2)],
)
def test_review_usage_errors_print_one_json_object(git_repo: Path, args: list[str], code: int) -> None:
    proc = codeassist(git_repo, "review", "--json", *args)
    assert proc.returncode == code
    data = json.loads(proc.stdout)
    assert data["errors"] and data["findings"] == [] and "Traceback" not in proc.stderr


def test_review_outside_a_repository(tmp_path: Path) -> None:
    proc = codeassist(tmp_path, "review", "--json")
    assert proc.returncode == 5 and json.loads(proc.stdout)["errors"]


def test_warning_threshold(git_repo: Path) -> None:
    stage(git_repo, {"m.rs": "fn main() {\n    dbg!(1);\n}\n"})
    assert codeassist(git_repo, "review", "--offline").returncode == 0
    assert codeassist(git_repo, "review", "--offline", "--fail-on", "warning").returncode == 1


def test_odd_file_names_are_judged_on_their_added_lines(git_repo: Path) -> None:
    names = ["my file.py", "ünï.py", "back\\slash.py", 'quote".py']
    stage(git_repo, {n: "x = 1\n" for n in names})
    git(git_repo, "commit", "-q", "-m", "names")
    stage(git_repo, {n: "x = 1\nbreakpoint()\n" for n in names})
    proc = codeassist(git_repo, "review", "--offline", "--json")
    found = sorted((f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"])
    assert found == sorted((n, 2) for n in names)


def test_review_of_the_root_commit(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    stage(root, {"a.py": "def f(:\n"})
    git(root, "commit", "-q", "-m", "root")
    proc = codeassist(root, "review", "HEAD", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["findings"][0]["rule"] == "syntax"
