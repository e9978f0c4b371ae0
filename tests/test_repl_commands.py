"""The chat's commands, completion and memory, through the scripted backend in real git repositories."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import git
from rich.console import Console

from codeassist.backends.base import Message
from codeassist.backends.catalogue import lookup_model
from codeassist.backends.scripted import ScriptedBackend
from codeassist.config import load_settings
from codeassist.interfaces.options import GlobalOptions
from codeassist.interfaces.repl import Repl, load_commands
from codeassist.interfaces.repl_input import complete_line
from codeassist.interfaces.repl_table import COMMANDS
from codeassist.session import RunOptions, Session

GOOD = "app.py\n```\n<<<<<<< SEARCH\nVALUE = 1\n=======\nVALUE = 2\n>>>>>>> REPLACE\n```\n"


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app.py").write_text("VALUE = 1\n")
    (git_repo / "src").mkdir()
    (git_repo / "src" / "a.py").write_text("def a():\n    return 1\n")
    (git_repo / "src" / "b.py").write_text("def b():\n    return a()\n")
    (git_repo / "blob.bin").write_bytes(b"\x00\x01\x02")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "files")
    return git_repo


class Chat:
    """A Repl on ``repo`` whose output is captured; lines go through the real dispatcher."""

    def __init__(self, repo: Path, env: dict[str, str], replies: list[str], start: Path | None = None) -> None:
        opts = GlobalOptions(repo=start or repo, model="gpt-4o-mini", environ=env)
        settings = load_settings(repo_root=repo, environ=env, flags={"model": "gpt-4o-mini"})
        self.backend = ScriptedBackend(replies)
        session = Session(
            self.backend,
            root=opts.start_dir(),
            settings=settings,
            model_info=lookup_model("gpt-4o-mini"),
            environ=env,
        )
        self.buffer = io.StringIO()
        console = Console(file=self.buffer, no_color=True, width=200, soft_wrap=True)
        self.repl = Repl(session, console, console, history_path=None)

    def __call__(self, line: str) -> str:
        start = self.buffer.tell()
        keep = self.repl.handle(line)
        assert keep is (line not in ("/exit", "/quit"))
        return self.buffer.getvalue()[start:]


@pytest.fixture
def chat(repo: Path, isolated_env: dict[str, str]) -> Chat:
    return Chat(repo, isolated_env, [GOOD, "fix: VALUE is 2", "It is 2 now."])


def test_add_files_directories_globs_and_refusals(chat: Chat) -> None:
    out = chat("/add src")
    assert "added src/a.py" in out and "added src/b.py" in out
    out = chat("/add '*.py' ../elsewhere.py nope.py blob.bin .git/config")
    assert "added app.py" in out and "src/a.py is already in the chat" in out
    assert "not inside the repository: ../elsewhere.py" in out
    assert "no such file: nope.py" in out
    assert "binary" in out
    assert ".git" in out
    assert chat.repl.state.files == ["src/a.py", "src/b.py", "app.py"]


def test_paths_are_typed_from_the_directory_the_chat_started_in(repo: Path, isolated_env: dict[str, str]) -> None:
    chat = Chat(repo, isolated_env, [], start=repo / "src")
    assert chat.repl.typed_files() == ["a.py", "b.py"]
    assert "added src/a.py" in chat("/add a.py")
    assert "added app.py" in chat("/add ../app.py")
    assert "added src/b.py" in chat("/add 'b*'")
    chat("/drop a.py")
    assert chat.repl.state.files == ["app.py", "src/b.py"]


def test_read_only_drop_and_files(chat: Chat) -> None:
    chat("/add app.py src/a.py")
    chat("/read-only src/a.py")
    state = chat.repl.state
    assert state.files == ["app.py"] and state.read_only == ["src/a.py"]
    out = chat("/files")
    assert "editable: app.py" in out and "read-only: src/a.py" in out
    assert "is not in the chat" in chat("/drop src/b.py")
    chat("/drop ./app.py")
    assert state.files == [] and state.read_only == ["src/a.py"]
    chat("/add app.py")
    chat("/drop")
    assert state.files == [] and state.read_only == []


def test_edit_then_ask_remembers_the_conversation(chat: Chat, repo: Path) -> None:
    chat("/add app.py")
    out = chat("set VALUE to 2")
    assert "committed" in out and "success: app.py" in out
    assert (repo / "app.py").read_text() == "VALUE = 2\n"
    out = chat("/ask what is VALUE?")
    assert "It is 2 now." in out
    sent = chat.backend.calls[-1]
    assert Message("user", "set VALUE to 2") in sent and Message("assistant", GOOD) in sent
    assert "session: 2 request(s)" in chat("/tokens")
    assert "VALUE = 2" in chat("/diff")
    out = chat("/undo")
    assert "undid" in out and (repo / "app.py").read_text() == "VALUE = 1\n"
    assert "no change in this chat yet" in chat("/diff")
    assert "was not made by codeassist" in chat("/undo")
    assert "forgot the conversation" in chat("/clear") and chat.repl.state.history == []


def test_unknown_commands_and_errors_are_messages(chat: Chat) -> None:
    assert "unknown command /nope" in chat("/nope")
    assert "did you mean /add" in chat("/adx")
    assert "usage: /add PATH..." in chat("/add")
    assert "/read-only PATH..." in chat("/help")
    assert "Esc then Enter" in chat("/help")
    chat("/exit")


def test_context_and_map(chat: Chat) -> None:
    chat("/add app.py")
    out = chat("/context")
    assert "file: app.py" in out and "total" in out
    out = chat("/map")
    assert "repo map:" in out and "src/b.py" in out


def test_modes(chat: Chat) -> None:
    chat("/ask")
    assert chat.repl.state.mode == "ask"
    chat("/edit")
    assert chat.repl.state.mode == "edit"


def test_model_switch_keeps_the_chat(repo: Path, isolated_env: dict[str, str]) -> None:
    chat = Chat(repo, {**isolated_env, "OPENAI_API_KEY": "sk-test"}, [])
    chat("/add app.py")
    out = chat("/model gpt-4.1-mini")
    assert "model: gpt-4.1-mini" in out
    assert chat.repl.session.settings.model == "gpt-4.1-mini" and chat.repl.state.files == ["app.py"]


def test_model_switch_without_the_key_says_so_at_once(chat: Chat) -> None:
    out = chat("/model groq/llama-3.3-70b-versatile")
    assert "no API key" in out and "GROQ_API_KEY" in out
    assert chat.repl.session.settings.model == "gpt-4o-mini"  # the chat keeps its model


def test_completion_reads_the_command_table() -> None:
    commands = load_commands()
    files = ["app.py", "src/a.py", "src/b.py"]
    sources = {"files": lambda: files, "chat": lambda: ["app.py"], "sessions": lambda: ["mine"]}
    # A command completes with a trailing space, ready for its argument.
    assert complete_line("/re", commands, sources) == (3, ["/read-only ", "/reset ", "/review "])
    assert complete_line("/ad", commands, sources) == (3, ["/add "])
    assert complete_line("/add src/", commands, sources) == (4, ["src/a.py", "src/b.py"])
    assert complete_line("/add ", commands, sources) == (0, files)
    assert complete_line("/drop a", commands, sources) == (1, ["app.py"])
    assert complete_line("/load m", commands, sources) == (1, ["mine"])
    assert complete_line("/commit fi", commands, sources) == (0, [])  # a message, not a path
    assert complete_line("change app", commands, sources) == (0, [])
    # @path anywhere in a request (or a command) completes on the repository's files.
    assert complete_line("make @src/", commands, sources) == (5, ["@src/a.py", "@src/b.py"])
    assert complete_line("/ask why @ap", commands, sources) == (3, ["@app.py"])
    many = {"files": lambda: [f"d{i}/f{j}.py" for i in range(30) for j in range(10)]}
    replace, found = complete_line("/add d", commands, many)
    assert replace == 1 and found[:2] == ["d0/", "d1/"] and len(found) == 30


def test_help_and_completion_come_from_one_table(chat: Chat) -> None:
    out = chat("/help")
    for row in COMMANDS.values():
        assert f"{row.name} {row.args}".rstrip() in out and row.help in out
    assert {"/run", "/test", "/lint", "/commit", "/reset", "/save", "/load", "/editor", "/vim"} <= set(COMMANDS)
    # /editor is a command now; an unknown one suggests only close spellings, never a shorter command.
    out = chat("/editr")
    assert "unknown command /editr" in out and "did you mean /editor" in out
    assert "/edit " not in chat("/editorial").split("did you mean", 1)[-1]


def test_session_sends_history_before_the_request(repo: Path, isolated_env: dict[str, str]) -> None:
    settings = load_settings(repo_root=repo, environ=isolated_env, flags={"model": "gpt-4o-mini"})
    backend = ScriptedBackend(["Answer."])
    session = Session(backend, root=repo, settings=settings, model_info=lookup_model("gpt-4o-mini"))
    earlier = (Message("user", "earlier question"), Message("assistant", "earlier answer"))
    session.ask(RunOptions("ask", "now?", history=earlier))
    sent = backend.calls[0]
    assert sent[-3:] == [*earlier, Message("user", "now?")]


def test_a_greeting_in_the_chat_is_answered_at_once(repo: Path, isolated_env: dict[str, str]) -> None:
    chat = Chat(repo, isolated_env, ["Hello! What shall we change today?"])
    out = chat("hi")
    assert "Hello! What shall we change today?" in out
    assert "failed" not in out and "send" not in out.lower()
    assert len(chat.backend.calls) == 1  # no "send all the edits again" round
    assert chat.repl.state.history[-1] == Message("assistant", "Hello! What shall we change today?")


def test_vi_keys_from_the_setting_and_vim_toggles() -> None:
    from prompt_toolkit.enums import EditingMode

    from codeassist.interfaces.repl_input import make_prompt, set_vi

    prompt, warning = make_prompt(None, load_commands(), {}, vi=True)
    assert warning is None and prompt.app.editing_mode == EditingMode.VI
    set_vi(prompt, False)
    assert prompt.app.editing_mode == EditingMode.EMACS
    assert make_prompt(None, {}, {})[0].app.editing_mode == EditingMode.EMACS


def test_input_history_is_the_users_alone(tmp_path: Path) -> None:
    import stat

    from codeassist.interfaces.repl_input import make_prompt

    old = tmp_path / "data" / "chat-history" / "old"  # written by an earlier version under a loose umask
    old.parent.mkdir(parents=True)
    old.write_text("+pasted sk-secret\n")
    old.chmod(0o644)
    new = tmp_path / "fresh" / "chat-history" / "repo-1"
    for path in (old, new):
        assert make_prompt(path, {}, {})[1] is None
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(new.parent.stat().st_mode) == 0o700
    assert old.read_text() == "+pasted sk-secret\n"  # kept, only its mode changed


def test_settings_shows_values_sources_and_masks_secrets(chat: Chat) -> None:
    chat.repl.session.settings = chat.repl.session.settings.with_overrides(api_key="sk-secret-value-1234")
    out = chat("/settings")
    assert "model" in out and "gpt-4o-mini" in out and "map_tokens" in out and "2048" in out
    assert "sk-secret-value-1234" not in out and "api_key" in out


def test_at_symbol_completes_to_the_file_defining_it(chat: Chat) -> None:
    repl = chat.repl
    sources = {"files": repl.typed_files, "symbols": repl.symbols}
    assert "b\tsrc/b.py" in repl.symbols() and "a\tsrc/a.py" in repl.symbols()
    # Paths first, then the files defining a matching name (from the index).
    assert complete_line("explain @b", load_commands(), sources) == (2, ["@blob.bin", "@src/b.py"])
    assert complete_line("explain @src/", load_commands(), sources) == (5, ["@src/a.py", "@src/b.py"])
    assert complete_line("explain @zzz", load_commands(), sources) == (4, [])


def test_paste_puts_the_clipboard_in_the_chat(repo: Path, isolated_env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xclip").write_text("#!/bin/sh\nprintf 'Traceback (most recent call last):\\n  boom\\n'\n")
    (bin_dir / "xclip").chmod(0o755)
    chat = Chat(repo, {**isolated_env, "PATH": str(bin_dir)}, [])  # only the fake clipboard reader
    out = chat("/paste")
    assert "pasted 2 line(s) into the chat" in out
    assert "Traceback (most recent call last):\n  boom" in chat.repl.state.history[-2].content
    empty = Chat(repo, {**isolated_env, "PATH": str(tmp_path / "nothing")}, [])
    assert "cannot read the clipboard" in empty("/paste") and empty.repl.state.history == []


def test_agent_mode_in_the_chat_edits_with_tools(repo: Path, isolated_env: dict[str, str]) -> None:
    import json as _json

    from codeassist.backends.base import StreamEvent, ToolCall

    args = _json.dumps({"path": "app.py", "old_text": "VALUE = 1\n", "new_text": "VALUE = 2\n"})
    replace_call = [StreamEvent("tool_call", tool_call=ToolCall("c1", "replace_in_file", args)), StreamEvent("done")]
    chat = Chat(repo, isolated_env, [replace_call, "VALUE is 2 now.", "fix: VALUE is 2"])
    assert "agent mode on" in chat("/agent")
    assert chat.repl.agent
    out = chat("set VALUE to 2")
    assert "tool replace_in_file(" in out  # the agent loop ran the call as a tool, and said so
    assert (repo / "app.py").read_text() == "VALUE = 2\n"
    assert git(repo, "status", "--porcelain").strip() == ""  # committed
    assert "agent mode off" in chat("/agent off") and not chat.repl.agent


def test_agent_mode_in_the_chat_with_a_model_that_cannot_call_tools(repo: Path, isolated_env: dict[str, str]) -> None:
    from dataclasses import replace

    chat = Chat(repo, isolated_env, [])
    chat.repl.session.info = replace(lookup_model("deepseek-reasoner"), name="deepseek-reasoner")
    out = chat("/agent")
    assert "agent mode stays off: gpt-4o-mini does not call tools (so says the catalogue)" in out
    assert "classic mode" in out and not chat.repl.agent
    # /agent REQUEST: the same reason, as the chat's error line; nothing was sent and the chat goes on.
    out = chat("/agent set VALUE to 2")
    assert "does not call tools" in out and "Traceback" not in out
    assert (repo / "app.py").read_text() == "VALUE = 1\n"
    assert "model: gpt-4o-mini" in chat("/model") and "does not call tools (catalogue)" in chat("/model")
