"""Review before it lands, end to end: a two-file change reviewed hunk by hunk in the real chat, one hunk dropped.

The disk and the commit hold exactly the kept hunks; the dropped one never touched the disk and is
told to the model with the next request.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import test_repl_pty
from conftest import git
from openai_server import OpenAIServer, Text
from test_repl_pty import TIMEOUT, leave, say

chat_env = test_repl_pty.chat_env

FILLER = "".join(f"# note {i}\n" for i in range(12))  # keeps the two functions in separate hunks
APP = f'def greet():\n    return "hello"\n\n{FILLER}\ndef part():\n    return "bye"\n'
REPLY = """Three changes.

app.py
```python
<<<<<<< SEARCH
    return "hello"
=======
    return "hello, world"
>>>>>>> REPLACE
```

app.py
```python
<<<<<<< SEARCH
    return "bye"
=======
    return "goodbye"
>>>>>>> REPLACE
```

util.py
```python
<<<<<<< SEARCH
    return x * 2
=======
    return x * 3
>>>>>>> REPLACE
```
"""


def test_a_two_file_change_with_one_hunk_dropped(
    openai_server: OpenAIServer, git_repo: Path, chat_env: dict[str, str]
) -> None:
    repo = git_repo
    (repo / "app.py").write_text(APP)
    (repo / "util.py").write_text("def helper(x):\n    return x * 2\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add app")
    (repo / ".codeassist.toml").write_text("review_mode = true\n")
    start = git(repo, "rev-parse", "HEAD").strip()
    args = ["-m", "codeassist", "--base-url", openai_server.base_url, "--api-key", "k", "--model", "gpt-4o-mini"]
    chat = pexpect.spawn(
        sys.executable, args, env=chat_env, cwd=str(repo), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160)
    )
    openai_server.enqueue(Text(REPLY), Text("feat: greet the world, triple"), Text("Noted."))
    say(chat, "/add app.py util.py")
    say(chat, "make the changes")
    chat.expect_exact("app.py (hunk 1/2, file 1/2)")
    chat.expect_exact('+    return "hello, world"')
    chat.expect_exact("Keep this hunk")
    # Before any answer, nothing is on disk.
    assert (repo / "app.py").read_text() == APP
    chat.sendline("y")
    chat.expect_exact("app.py (hunk 2/2, file 1/2)")
    chat.expect_exact('+    return "goodbye"')
    chat.expect_exact("Keep this hunk")
    chat.sendline("?")  # help, then the same question again
    chat.expect_exact("d - drop this hunk and the rest of this file")
    chat.expect_exact("Keep this hunk")
    chat.sendline("n")
    chat.expect_exact("util.py (hunk 1/1, file 2/2)")
    chat.expect_exact("Keep this hunk")
    chat.sendline("y")
    chat.expect_exact("success: app.py, util.py")
    chat.expect_exact("the hunks you dropped will be told to the model")

    kept_app = APP.replace('"hello"', '"hello, world"')
    assert (repo / "app.py").read_text() == kept_app  # "bye" stayed: the dropped hunk never landed
    assert "x * 3" in (repo / "util.py").read_text()
    assert git(repo, "rev-list", "--count", f"{start}..HEAD").strip() == "1"
    assert git(repo, "show", "HEAD:app.py") == kept_app
    assert git(repo, "status", "--porcelain", "--untracked-files=no").strip() == ""

    say(chat, "/ask anything else?")
    chat.expect_exact("Noted.")
    sent = "\n".join(m["content"] or "" for m in openai_server.posts[-1].body["messages"])
    assert "did not keep these parts" in sent and '+    return "goodbye"' in sent

    say(chat, "/review off")
    chat.expect_exact("review off")
    assert leave(chat) == 0


def test_quit_drops_everything_and_writes_nothing(
    openai_server: OpenAIServer, git_repo: Path, chat_env: dict[str, str]
) -> None:
    repo = git_repo
    (repo / "app.py").write_text(APP)
    (repo / "util.py").write_text("def helper(x):\n    return x * 2\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add app")
    start = git(repo, "rev-parse", "HEAD").strip()
    args = ["-m", "codeassist", "--base-url", openai_server.base_url, "--api-key", "k", "--model", "gpt-4o-mini"]
    chat = pexpect.spawn(
        sys.executable, args, env=chat_env, cwd=str(repo), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 160)
    )
    openai_server.enqueue(Text(REPLY))
    say(chat, "/review on")
    chat.expect_exact("review on")
    say(chat, "/add app.py util.py")
    say(chat, "make the changes")
    chat.expect_exact("Keep this hunk")
    chat.sendline("q")
    chat.expect_exact("success: no files changed")
    assert (repo / "app.py").read_text() == APP and git(repo, "rev-parse", "HEAD").strip() == start
    assert git(repo, "status", "--porcelain").strip() == ""
    assert leave(chat) == 0
