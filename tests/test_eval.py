"""eval end to end: a real repository built here, two scripted models on the loopback server, real worktrees."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from eval_fixture import HISTORY, build_history, scripted_models, search_replace_for
from openai_server import OpenAIServer

from codeassist.backends.base import Message, RequestOptions, StreamEvent
from codeassist.backends.catalogue import lookup_model
from codeassist.backends.scripted import ScriptedBackend
from codeassist.config import load_settings
from codeassist.errors import Interrupted
from codeassist.learn.evaluate import Candidate, Evaluation, Progress
from codeassist.learn.formats import sft_problems
from codeassist.learn.tasks import change_as_search_replace, describes_change, request_text, select_tasks
from codeassist.session import EventSink, Session


@pytest.fixture
def repo(git_repo: Path) -> tuple[Path, list[str]]:
    return git_repo, build_history(git_repo)


def state(root: Path) -> dict[str, str]:
    """Everything eval must leave alone: work tree, index, branches, worktrees, stashes."""
    return {
        "status": git(root, "status", "--porcelain", "--ignored"),
        "head": git(root, "rev-parse", "HEAD"),
        "refs": git(root, "for-each-ref"),
        "worktrees": git(root, "worktree", "list", "--porcelain"),
        "stash": git(root, "stash", "list"),
        "files": "".join(f"{p.name}:{p.read_text()}" for p in sorted(root.iterdir()) if p.is_file()),
    }


def test_the_filter_picks_small_descriptive_commits_newest_first(repo: tuple[Path, list[str]]) -> None:
    root, good = repo
    tasks = select_tasks(root, count=10)
    assert [t.sha for t in tasks] == good
    assert [t.subject for t in tasks] == [s for s, _, worthy in HISTORY if worthy][::-1]
    assert tasks[0].files == ("calc.py",) and "Co-authored-by" not in tasks[0].request
    assert [t.sha for t in select_tasks(root, count=1)] == good[:1]
    assert [t.sha for t in select_tasks(root, count=10, since=good[1])] == good[:1]
    assert not describes_change("Release 2.0") and not describes_change("fix") and describes_change("Fix the parser")
    assert request_text("Subject\n\nBody.\n\nSigned-off-by: A <a@b>\n") == "Subject\n\nBody."


def run_eval(server: OpenAIServer, root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "codeassist", "-C", str(root), "--base-url", server.base_url, "--api-key", "k"]
    return subprocess.run([*argv, "eval", *args], capture_output=True, text=True, env=env, timeout=300)


def test_two_models_scored_resumed_and_the_work_tree_untouched(
    openai_server: OpenAIServer, repo: tuple[Path, list[str]], isolated_env: dict[str, str], tmp_path: Path
) -> None:
    root, good = repo
    config = tmp_path / "config.toml"
    config.write_text("max_rounds = 1\n[models.replayer]\ninput_price = 1.0\noutput_price = 2.0\n")
    env = {**isolated_env, "CODEASSIST_CONFIG": str(config)}
    openai_server.responder = scripted_models(root)
    before = state(root)
    models = ("--model", "replayer", "--model", "failer", "--edit-format", "search-replace")
    first = run_eval(openai_server, root, env, "--commits", "2", *models, "--json")
    assert first.returncode == 0, first.stderr
    calls_first = len(openai_server.posts)

    second = run_eval(openai_server, root, env, "--commits", "3", *models, "--jobs", "2", "--json")
    assert second.returncode == 0, second.stderr
    data = json.loads(second.stdout)
    assert state(root) == before
    # The two tasks of the first run were not asked again: only the third task's calls are new.
    new_models = [r.body["model"] for r in openai_server.posts[calls_first:]]
    assert sorted(set(new_models)) == ["failer", "replayer"] and new_models.count("replayer") == 1
    assert "(saved earlier)" in second.stderr

    assert [t["sha"] for t in data["tasks"]] == good
    by_model: dict[str, list[dict[str, Any]]] = {}
    for r in data["results"]:
        by_model.setdefault(r["model"], []).append(r)
    for r in by_model["replayer"]:
        assert (r["status"], r["applied"], r["checks_pass"], r["exact"]) == ("success", True, True, True)
        assert r["files_touched"] == r["files_expected"] and (r["precision"], r["recall"]) == (1.0, 1.0)
        assert r["input_tokens"] > 0 and r["cost_usd"] > 0 and r["seconds"] >= r["model_seconds"] >= 0
    for r in by_model["failer"]:
        assert (r["status"], r["applied"], r["exact"], r["files_touched"], r["recall"]) == (
            "failed", False, False, [], 0.0
        )  # fmt: skip
        assert r["rounds"] == 2  # the first answer and one reflection (max_rounds = 1)
    [replayer, failer] = data["models"]
    assert (replayer["model"], replayer["tasks"], replayer["exact"]) == ("replayer", 3, 1.0)
    assert replayer["checks_pass"] == 1.0 and replayer["applied"] == 1.0
    assert (failer["model"], failer["applied"], failer["exact"], failer["cost_usd"]) == ("failer", 0.0, 0.0, None)
    saved = Path(data["results_dir"])
    assert json.loads((saved / "last.json").read_text())["models"] == data["models"]
    assert not str(saved).startswith(str(root))

    table = run_eval(openai_server, root, env, "--commits", "3", *models)
    assert table.returncode == 0, table.stderr
    assert "replayer" in table.stdout and "100%" in table.stdout and "failer" in table.stdout

    argv = [sys.executable, "-m", "codeassist", "-C", str(root), "models", "--no-remote"]
    models = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert "last eval in this repository" in models.stdout and "replayer" in models.stdout
    listed = json.loads(subprocess.run([*argv, "--json"], capture_output=True, text=True, env=env).stdout)
    assert listed["eval"] == data["models"]

    # The eval's tasks are the held-out data of an export from this repository.
    out = tmp_path / "sft.jsonl"
    argv = [sys.executable, "-m", "codeassist", "-C", str(root), "export", "--format", "openai-sft", "-o", str(out)]
    export = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert export.returncode == 0, export.stderr
    heldout = tmp_path / "sft.heldout.jsonl"
    assert f"{out}: 0 examples" in export.stderr and f"{heldout}: 3 examples" in export.stderr
    examples = [json.loads(line) for line in heldout.read_text().splitlines()]
    assert all(sft_problems(e) == [] for e in examples)
    assert [e["messages"][1]["content"] for e in examples] == [change_as_search_replace(root, sha) for sha in good]


def test_bad_usage_is_reported_before_any_work(
    openai_server: OpenAIServer, repo: tuple[Path, list[str]], isolated_env: dict[str, str]
) -> None:
    root, _ = repo
    agent = run_eval(openai_server, root, isolated_env, "--model", "m", "--mode", "agent")
    assert agent.returncode == 2 and "classic" in agent.stderr
    since = run_eval(openai_server, root, isolated_env, "--model", "m", "--since", "no-such-rev")
    assert since.returncode == 2 and "no-such-rev" in since.stderr
    none = run_eval(openai_server, root, isolated_env, "--model", "m", "--since", "HEAD")
    assert none.returncode == 1 and "filter" in none.stderr
    as_json = run_eval(openai_server, root, isolated_env, "--model", "m", "--since", "HEAD", "--json")
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and data["results"] == [] and "filter" in data["errors"][0]
    assert openai_server.requests == []


def test_an_interrupted_run_cleans_up_and_the_next_one_continues(repo: tuple[Path, list[str]], tmp_path: Path) -> None:

    root, good = repo
    tasks = select_tasks(root, count=3)
    by_parent = {t.parent: t.sha for t in tasks}
    env = {"CODEASSIST_CONFIG": str(tmp_path / "none.toml")}
    settings = load_settings(repo_root=root, environ=env, flags={"model": "gpt-4o-mini"})

    def factory(cand: Candidate, tree: Path, sink: EventSink) -> Session:
        sha = by_parent[git(tree, "rev-parse", "HEAD").strip()]
        backend = ScriptedBackend([search_replace_for(root, sha)])
        return Session(backend, root=tree, settings=settings, model_info=lookup_model("gpt-4o-mini"), on_event=sink)

    seen: list[Progress] = []

    def stop_after_one(p: Progress) -> None:
        seen.append(p)
        raise KeyboardInterrupt

    before = state(root)
    results = tmp_path / "results"
    cand = Candidate("gpt-4o-mini", "search-replace")
    with pytest.raises(KeyboardInterrupt):
        Evaluation(root, tasks, [cand], factory=factory, results=results, on_progress=stop_after_one).run()
    assert state(root) == before  # the worktree of the interrupted run is gone, nothing else changed
    assert len(list((results / cand.slug).glob("*.json"))) == 1

    seen.clear()
    scores = Evaluation(root, tasks, [cand], factory=factory, results=results, on_progress=seen.append).run()
    assert [p.resumed for p in seen] == [True, False, False]
    assert [s.sha for s in scores] == good and all(s.exact for s in scores)
    assert state(root) == before


def test_a_worktree_gets_the_tags_of_the_users_cache_but_not_its_history(repo: tuple[Path, list[str]]) -> None:
    import sqlite3

    from codeassist.history import read_history
    from codeassist.index.indexer import refresh_index
    from codeassist.learn.worktree import seed_index, temporary_worktree

    root, good = repo
    refresh_index(root)
    read_history(root)  # the user's cache now knows every commit, the task's too
    subject = git(root, "log", "-1", "--format=%s", good[0]).strip()
    with temporary_worktree(root, good[0] + "^") as tree:
        assert seed_index(root, tree)
        conn = sqlite3.connect(tree / ".codeassist" / "index.sqlite")
        assert [r[0] for r in conn.execute("SELECT key FROM meta")] == ["tags_version"]
        assert conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] > 0
        conn.close()
        assert not any(subject in c.message for c in read_history(tree).commits)
    assert any(subject in c.message for c in read_history(root).commits)  # the control: the user's history has it


class CtrlC:
    """A backend whose stream is cut by Ctrl-C (KeyboardInterrupt) after its first words."""

    name = "ctrl-c"

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        yield StreamEvent("delta", text="Here is")
        raise KeyboardInterrupt

    def list_models(self) -> list[str]:
        return []


def test_ctrl_c_during_a_request_stops_the_run_and_removes_its_worktree(
    repo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = repo
    tasks = select_tasks(root, count=2)
    env = {"CODEASSIST_CONFIG": str(tmp_path / "none.toml")}
    settings = load_settings(repo_root=root, environ=env, flags={"model": "gpt-4o-mini"})

    def factory(cand: Candidate, tree: Path, sink: EventSink) -> Session:
        return Session(CtrlC(), root=tree, settings=settings, model_info=lookup_model("gpt-4o-mini"), on_event=sink)

    before = state(root)
    results = tmp_path / "results"
    cand = Candidate("gpt-4o-mini", "search-replace")
    with pytest.raises(Interrupted):
        Evaluation(root, tasks, [cand], factory=factory, results=results).run()
    assert state(root) == before
    assert not (results / cand.slug).exists()  # nothing half-scored was saved
