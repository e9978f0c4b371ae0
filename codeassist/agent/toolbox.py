"""One tool call in, one bounded result out.

:meth:`Toolbox.call` never raises for a bad call: invalid JSON, an unknown
tool, a missing or mistyped argument each come back as an error result that
says what to send instead, so the model can correct itself. Edits land
through the request's :class:`~codeassist.transaction.Transaction`, exactly
as the classic mode's do; commands run as :mod:`codeassist.agent.approval` decides.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.agent import reading, search, symbols
from codeassist.agent.approval import decide, home_masks, sandboxed, secret_env_names
from codeassist.agent.command_changes import WorkTreeTracker
from codeassist.agent.options import AgentPolicy
from codeassist.agent.result import ToolResult, bounded
from codeassist.agent.specs import EDIT_TOOL_NAMES
from codeassist.backends.base import ToolCall, ToolSpec
from codeassist.checks import CheckResult, run_command_check
from codeassist.errors import CodeassistError
from codeassist.filerule import HEAD_BYTES, secret_store_reason
from codeassist.protected import protected_reason
from codeassist.transaction import write_back

if TYPE_CHECKING:
    from codeassist.edits.engine import EngineResult
    from codeassist.transaction import Transaction
    from codeassist.workspace import Workspace

COMMAND_TIMEOUT_S = 600.0
_JSON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "object": (dict,)}


@dataclass(frozen=True)
class ToolEnv:
    """What the tools work on."""

    ws: Workspace
    tx: Transaction
    policy: AgentPolicy
    tools: tuple[ToolSpec, ...]
    emit: Callable[..., None]
    environ: Mapping[str, str] | None = None
    test_cmd: str | None = None
    lint_cmd: str | None = None
    bwrap: str | None = None  # bubblewrap, when it can sandbox here
    rg: str | None = None  # ripgrep, when installed
    model: str | None = None


class Toolbox:
    def __init__(self, env: ToolEnv) -> None:
        self.env = env
        self.generation = 0  # edits landed so far: a call repeated after an edit is not a repeat
        self._secrets: list[str] | None = None
        self._git_copies: list[tuple[Path, Path]] | None = None
        self._copies_dir: tempfile.TemporaryDirectory[str] | None = None
        self._indexed_at: int | None = None  # the generation the index was last refreshed at (None: not yet)
        self._tracker = WorkTreeTracker(env.ws)  # what a command changes becomes part of the request's change

    def close(self) -> None:
        self._tracker.close()
        if self._copies_dir is not None:
            self._copies_dir.cleanup()

    # -- arguments --------------------------------------------------------------------
    def arguments(self, call: ToolCall) -> tuple[dict[str, Any], ToolResult | None]:
        """The call's arguments checked against its schema, or the error to send back."""
        spec = next((t for t in self.env.tools if t.name == call.name), None)
        if spec is None:
            names = ", ".join(t.name for t in self.env.tools)
            return {}, ToolResult.error(f"there is no tool {call.name!r} here; the tools are: {names}")
        try:
            args = json.loads(call.arguments or "{}")
        except (ValueError, RecursionError) as exc:
            return {}, ToolResult.error(
                f"the arguments of {call.name} are not valid JSON ({exc}); send one JSON object, "
                f"for example {_example(spec)}"
            )
        if not isinstance(args, dict):
            return {}, ToolResult.error(f"the arguments of {call.name} must be a JSON object, like {_example(spec)}")
        props: Mapping[str, Any] = spec.parameters.get("properties", {})
        unknown = sorted(set(args) - set(props))
        missing = [k for k in spec.parameters.get("required", ()) if k not in args]
        wrong = [
            f"{k} must be {props[k]['type']}"
            for k, v in sorted(args.items())
            if k in props
            and v is not None
            and (not isinstance(v, _JSON_TYPES[props[k]["type"]]) or isinstance(v, bool))
        ]
        problems = (
            ([f"unknown argument(s): {', '.join(unknown)}"] if unknown else [])
            + ([f"missing required argument(s): {', '.join(missing)}"] if missing else [])
            + wrong
        )
        if problems:
            return {}, ToolResult.error(f"{call.name}: " + "; ".join(problems) + f"; for example {_example(spec)}")
        return {k: v for k, v in args.items() if v is not None}, None

    # -- dispatch -----------------------------------------------------------------------
    def call(self, call: ToolCall) -> ToolResult:
        args, error = self.arguments(call)
        if error is not None:
            return error
        env = self.env
        name = call.name
        if name == "read_file":
            return reading.read_file(env.ws, args["path"], args.get("start_line"), args.get("end_line"))
        if name == "list_files":
            return reading.list_files(env.ws, args.get("glob"))
        if name == "search":
            return search.search(env.ws, args["pattern"], args.get("glob"), args.get("max_results"), rg=env.rg)
        if name in ("find_symbol", "find_references", "repo_map"):
            return self._index_tool(name, args)
        if name in EDIT_TOOL_NAMES:
            return self._edit(call)
        if name == "run":
            return self._run(args["command"])
        if name == "run_tests" and env.test_cmd:
            return self._check("test", env.test_cmd)
        if name == "run_lint" and env.lint_cmd:
            return self._check("lint", env.lint_cmd)
        return ToolResult.error(f"{name} is not available")

    def _index_tool(self, name: str, args: dict[str, Any]) -> ToolResult:
        # The index is refreshed (a git listing and a stat of every file) only when something may have
        # changed since the last look: an edit landed or a command ran.
        refresh = self._indexed_at != self.generation
        self._indexed_at = self.generation
        root = self.env.ws.root
        if name == "find_symbol":
            return symbols.find_symbol(root, args["name"], refresh=refresh)
        if name == "find_references":
            return symbols.find_references(root, args["name"], refresh=refresh)
        query, prefix, tokens = args.get("query", ""), args.get("path_prefix", ""), args.get("tokens")
        return symbols.repo_map(root, query, prefix, tokens, model=self.env.model, refresh=refresh)

    # -- edits --------------------------------------------------------------------------
    def _edit(self, call: ToolCall) -> ToolResult:
        from codeassist.edits.tool import edits_from_tool_calls

        parsed = edits_from_tool_calls([call])
        if parsed.issues or not parsed.edits:
            message = "; ".join(i.message for i in parsed.issues) or "no edit in the call"
            return ToolResult.error(message)
        result = self.env.tx.land(parsed.edits)
        self._report(result)
        if not result.ok:
            edit = parsed.edits[0]
            return ToolResult.error(bounded(result.feedback() or "the edit did not apply"), f"{edit.path}: not applied")
        self.generation += 1
        done = [f"{a.action} {a.path} ({a.strategy})" for a in result.applied]
        done += [f"{p}: already as asked" for p in result.already_applied]
        return ToolResult("applied: " + "; ".join(done), "; ".join(done))

    def _report(self, result: EngineResult) -> None:
        emit = self.env.emit
        for a in result.applied:
            emit("edit.applied", path=a.path, action=a.action, strategy=a.strategy)
        for path in result.already_applied:
            emit("edit.applied", path=path, action="none", strategy="already-applied")
        for f in result.failed:
            emit("edit.failed", path=f.path, reason=f.reason)
        for issue in result.issues:
            emit("edit.failed", path=issue.path, reason=issue.message)

    # -- commands -----------------------------------------------------------------------
    def _run(self, command: str) -> ToolResult:
        env = self.env
        if not command.strip():
            return ToolResult.error("the command is empty")
        decision = decide(env.policy, command, sandbox=env.bwrap is not None)
        if not decision.run:
            return ToolResult.error(
                f"not run: {decision.reason}. Continue without it, or use run_tests/run_lint when offered.",
                f"refused: {decision.reason}",
            )
        line = self._sandboxed(command) if decision.sandboxed and env.bwrap else command
        result, note = self._execute("run", command, line)
        where = " (in the sandbox, no network)" if decision.sandboxed else ""
        code = "exit code 0\n" if result.ok else ""
        summary = f"{'ok' if result.ok else 'failed'}{where}: {command}"
        return ToolResult(f"$ {command}{where}\n{code}{result.output}{note}", summary, ok=result.ok)

    def _sandboxed(self, command: str) -> str:
        env = self.env
        assert env.bwrap is not None
        return sandboxed(env.bwrap, command, env.ws.root, env.ws.git_dir, self._secret_stores(),
                         home_masks(env.environ), secret_env_names(env.environ), self._git_config())  # fmt: skip

    def _execute(self, name: str, command: str, line: str) -> tuple[CheckResult, str]:
        """Run ``line`` (``command``, sandboxed or not) and make what it changed part of the request's change;
        its result and the note for the model.

        A command the model chose (``run``) may create files on purpose (a generator, ``mkdir``); the
        project's checks only leave by-products behind (``__pycache__``, ``.coverage``, reports where no
        ``.gitignore`` names them), so what a check creates stays where it is, out of the change, as
        after running the tests by hand; what it changes in existing files (a formatter) joins it."""
        new_files = name == "run"
        env = self.env
        head, before = env.ws.head(), self._tracker.state()
        self._indexed_at = None  # a command may change files
        taken = False
        try:
            result = run_command_check(name, line, env.ws.root, environ=env.environ, timeout_s=COMMAND_TIMEOUT_S)
            # Signals wait for the take-in (seconds on a large tree): stopped between the command's end and
            # here, what it changed would not be put back by the restore that follows.
            with env.tx.deferred():
                try:
                    note = self._take_in(command, head, before, new_files=new_files)
                except CodeassistError as exc:  # git could not save the user's work: the command's change is undone
                    note = _note([exc.message])
                taken = True
        except BaseException:
            # Stopped while the command ran (Ctrl-C, SIGTERM), or the take-in failed: what it changed so far
            # joins the change, so the restore that follows puts it back too (a second Ctrl-C waits for that).
            if not taken:
                with env.tx.deferred():
                    self._take_in_to_restore(before, new_files=new_files)
            raise
        return result, note

    def _take_in(self, command: str, head: str | None, before: str | None, *, new_files: bool = True) -> str:
        """Make what the command changed part of the request's change (see :mod:`command_changes`); the note
        for the model. Files the model may not touch (secret stores, codeassist's and git's own, hidden by
        .codeassistignore) are put back at once."""
        env, tracker = self.env, self._tracker
        after = tracker.state() if before is not None else None
        notes: list[str] = []
        if env.ws.head() != head:
            notes.append("the command changed git's history (HEAD moved): codeassist does not take that back")
        if before is None or after is None:
            return _note(notes + ["git could not list the work tree, so what the command changed is not tracked"])
        changes = [c for c in tracker.changes(before, after) if not _index_cache(c.path)]
        if not changes:
            return _note(notes)
        kept, put_back, left, created = [], [], [], []
        for c in changes:
            if not c.plain:
                left.append(c.path)
            elif c.before is None and not new_files and not self._off_limits(c.path, None):
                created.append(c.path)
            elif self._off_limits(c.path, c.before):
                write_back(env.ws.root, c.path, c.before, c.mode)
                put_back.append(c.path)
            else:
                kept.append(c)
        if kept:
            users = tracker.users_work(head, before, [c.path for c in kept])
            mine = env.tx.adopt({c.path: c.before for c in kept}, users, {c.path: c.mode for c in kept})
            paths = [c.path for c in kept if c.path not in mine]
            if mine:
                notes.append("put back as they were (they hold the user's work, which git cannot save with commits "
                             "off; do not change them): " + _names(mine))  # fmt: skip
                env.emit("notice", message=f"the command {command!r} changed your untracked files; put back: "
                         + _names(mine))  # fmt: skip
            self.generation += 1
            if paths:
                notes.append(
                    "the command changed these files, which are now part of your change (committed with your "
                    "edits when the checks pass, put back with them otherwise): " + _names(paths)
                )
                env.emit("notice", message=f"the command {command!r} changed files, now part of the change: "
                         + _names(paths))  # fmt: skip
        if put_back:
            notes.append("put back as they were (a command may not change them): " + _names(put_back))
            env.emit("notice", message=f"the command {command!r} changed files it may not; put back: "
                     + _names(put_back))  # fmt: skip
        if left:
            notes.append("symbolic links or submodules changed, left as they are and not part of your change: "
                         + _names(left))  # fmt: skip
        if created:
            notes.append("files the check created are left as they are, not part of your change: " + _names(created))
        return _note(notes)

    def _take_in_to_restore(self, before: str | None, *, new_files: bool = True) -> None:
        after = self._tracker.state() if before is not None else None
        if before is None or after is None:
            return
        changes = self._tracker.changes(before, after)
        plain = [c for c in changes if c.plain and not _index_cache(c.path) and (new_files or c.before is not None)]
        self.env.tx.adopt({c.path: c.before for c in plain}, (), {c.path: c.mode for c in plain})

    def _off_limits(self, rel: str, before: bytes | None) -> bool:
        """Whether a command may not change ``rel``: the file rule hides it (now, or by its content before),
        or no reply may ever write it (git's and codeassist's own files, secret stores)."""
        head = before[:HEAD_BYTES] if before is not None else None
        return (
            self.env.ws.hidden_reason(rel) is not None
            or protected_reason(rel) is not None
            or (head is not None and (secret_store_reason(rel, head) or protected_reason(rel, head)) is not None)
        )

    def _check(self, name: str, command: str) -> ToolResult:
        """The project's test or lint command. The model can edit what it runs (a test that prints .env), so in
        full-auto it runs in the same sandbox as ``run``; what it changes joins the change as a command's does."""
        env = self.env
        sandbox = env.policy.approval == "full-auto" and env.bwrap is not None
        result, note = self._execute(name, command, self._sandboxed(command) if sandbox else command)
        where = " (in the sandbox, no network)" if sandbox else ""
        verdict = "passed" if result.ok else "failed"
        return ToolResult(f"$ {command}{where}\n{name} {verdict}\n{result.output}{note}", f"{name} {verdict}",
                          ok=result.ok)  # fmt: skip

    def _git_config(self) -> list[tuple[Path, Path]]:
        """git's config without credentials, for the sandbox to show in its place (made once, removed on close)."""
        if self._git_copies is None:
            from codeassist.agent.sandbox_secrets import sanitized_git_config

            self._copies_dir = tempfile.TemporaryDirectory(prefix="codeassist-sandbox-")
            self._git_copies = sanitized_git_config(self.env.ws, Path(self._copies_dir.name))
        return self._git_copies

    def _secret_stores(self) -> list[str]:
        """The work tree's secret stores, by name and by content (:mod:`sandbox_secrets`), found once."""
        if self._secrets is None:
            from codeassist.agent.sandbox_secrets import secret_files

            self._secrets = secret_files(self.env.ws)
        return self._secrets


def _index_cache(rel: str) -> bool:
    """codeassist's index cache, which the index tools rewrite while a command runs; the rest of .codeassist/
    (instructions that go into every prompt, prompt overrides) is off limits to commands like any own file."""
    return rel.startswith(".codeassist/index.sqlite")


def _names(paths: list[str]) -> str:
    return ", ".join(paths[:20]) + (f" and {len(paths) - 20} more" if len(paths) > 20 else "")


def _note(notes: list[str]) -> str:
    return "".join(f"\nnote: {n}." for n in notes)


def _example(spec: ToolSpec) -> str:
    samples = {"string": "...", "integer": 1}
    props: Mapping[str, Any] = spec.parameters.get("properties", {})
    required = spec.parameters.get("required", ())
    return json.dumps({k: samples.get(props[k]["type"], "...") for k in required}) if required else "{}"
