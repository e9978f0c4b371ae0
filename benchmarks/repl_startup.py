"""Median time from starting `codeassist chat` to its first prompt, from Ctrl-D to exit, and to resume a chat.

Usage: python benchmarks/repl_startup.py [--runs N] [--files N]

Spawns the installed console script in a pseudo-terminal (TERM=dumb) in a
scratch git repository of ``--files`` committed Python files (its index
built once beforehand with `codeassist index`, so it is warm) with a
throwaway model setting (no request is sent, so no server is needed), N
times after one warm-up run, and prints median, min and max wall times. The
history file goes to a temporary data directory. "resume to first prompt"
is `codeassist chat --resume` of a saved chat with 10 files and 60 messages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect


def one_run(exe: str, repo: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    start = time.perf_counter()
    child = pexpect.spawn(exe, ["chat", *extra], env=env, cwd=str(repo), encoding="utf-8", timeout=60)
    child.delaybeforesend = None  # pexpect's default 50 ms pause would count as exit time
    child.expect_exact("edit> ")
    ready = time.perf_counter() - start
    child.waitnoecho(timeout=60)  # the prompt reads keys now (polls every 0.1 s, so not timed)
    leaving = time.perf_counter()
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    gone = time.perf_counter() - leaving
    child.close()
    return ready, gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--files", type=int, default=1, help="Python files in the scratch repository")
    args = parser.parse_args()
    exe = shutil.which("codeassist")
    if exe is None:
        sys.exit("codeassist is not on PATH; install it first (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        make_repo(repo, args.files)
        env = {
            **os.environ,
            "TERM": "dumb",
            "NO_COLOR": "1",
            "HOME": tmp,
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
            "CODEASSIST_MODEL": "gpt-4o-mini",
            "OPENAI_API_KEY": "unused",
        }
        subprocess.run([exe, "index"], cwd=repo, env=env, check=True, capture_output=True)  # a warm index
        one_run(exe, repo, env)  # warm the page cache
        runs = [one_run(exe, repo, env) for _ in range(args.runs)]
        save_chat(repo, min(10, args.files))
        resumed = [one_run(exe, repo, env, "--resume", "bench")[0] for _ in range(args.runs)]
    print(f"{'phase':<28} {'median':>8} {'min':>8} {'max':>8}   ({args.runs} runs, {args.files} files)")
    phases = (
        ("start to first prompt", [r[0] for r in runs]),
        ("Ctrl-D to exit", [r[1] for r in runs]),
        ("resume to first prompt", resumed),
    )
    for name, values in phases:
        print(f"{name:<28} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}")


def make_repo(repo: Path, files: int) -> None:
    """``files`` small Python modules in 30 packages, committed."""
    for i in range(files):
        package = repo / f"pkg{i % 30}"
        package.mkdir(exist_ok=True)
        (package / f"mod{i}.py").write_text(
            f"import os\n\n\nclass Thing{i}:\n    def run(self, x):\n        return helper{i}(x)\n\n\n"
            f"def helper{i}(x):\n    return os.path.join(str(x), 'mod{i}')\n"
        )
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    git_id = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "-C", str(repo), *git_id, "commit", "-q", "-m", "files"], check=True)


def save_chat(repo: Path, files: int) -> None:
    """A saved chat called ``bench``: ``files`` files in the chat and 60 messages of history."""
    from codeassist.backends.base import Message
    from codeassist.chat_store import ChatStore
    from codeassist.session import Conversation

    paths = sorted(str(p.relative_to(repo)) for p in repo.glob("pkg*/*.py"))[:files]
    history = [Message("user" if i % 2 == 0 else "assistant", f"message {i} " + "words " * 80) for i in range(60)]
    chat = Conversation(files=paths, history=history, requests=30)
    ChatStore(repo).save(chat, chat_id="bench", saved_at="2026-01-01T00:00:00", model="gpt-4o-mini")


if __name__ == "__main__":
    main()
