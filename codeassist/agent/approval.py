"""Which commands the model may run, and how: refused, asked, allowed by pattern, or sandboxed.

=============  ===========================================================
level          a command the model asks to run
=============  ===========================================================
read-only      refused (no edits either: the edit tools are not offered)
auto-edit      runs when it matches ``allow_commands``; otherwise asks on
               the terminal, and is refused where nobody can be asked
full-auto      runs without asking inside a bubblewrap sandbox (the work
               tree writable, its git directory read-only, no network);
               without bubblewrap it says so and asks, as auto-edit does
=============  ===========================================================

A pattern (``"pytest *"``) allows only a simple command: one with shell
operators (``;``, ``&&``, ``|``, redirections, substitutions) matches a
pattern only when the pattern itself has them, so ``pytest *`` never lets
``pytest; rm -rf ~`` through.

The sandbox hides what the model may not read, since a command's output goes
to it: the repository's secret stores (:mod:`codeassist.agent.sandbox_secrets`),
the credential stores in the user's home (:data:`HOME_SECRET_DIRS`,
:data:`HOME_SECRET_FILES`; the rest of the home stays, toolchains live there),
environment variables that look like secrets, codeassist's own ``.codeassist/``
(saved chats) and the credentials in git's config (a sanitized copy is shown
in its place). Secrets committed to git's history stay readable by git.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeassist.agent.options import AgentPolicy

_SHELL_OPERATORS = (";", "&", "|", "`", "$(", ">", "<", "\n")


@dataclass(frozen=True)
class Decision:
    run: bool
    sandboxed: bool = False
    reason: str = ""  # why it runs or not, for the model and the events


def allowed_by_pattern(command: str, patterns: Sequence[str]) -> str | None:
    """The first pattern that allows ``command``, or None."""
    command = command.strip()
    for pattern in patterns:
        if any(op in command for op in _SHELL_OPERATORS) and not any(op in pattern for op in _SHELL_OPERATORS):
            continue
        if fnmatch.fnmatchcase(command, pattern.strip()):
            return pattern
    return None


def decide(policy: AgentPolicy, command: str, *, sandbox: bool) -> Decision:
    """Whether ``command`` runs (asking the user when the level says so); ``sandbox``: bubblewrap works here."""
    if policy.approval == "read-only":
        return Decision(False, reason="commands are off at the read-only approval level")
    if policy.approval == "full-auto" and sandbox:
        return Decision(True, sandboxed=True, reason="full-auto: run in the sandbox (no network)")
    pattern = allowed_by_pattern(command, policy.allow_commands)
    if pattern is not None:
        return Decision(True, reason=f"allowed by the pattern {pattern!r}")
    why = "no sandbox is available for full-auto (bubblewrap not found)" if policy.approval == "full-auto" else ""
    if policy.confirm_command is None:
        return Decision(
            False,
            reason="refused: running a command needs the user's approval and nobody can be asked here "
            "(allow_commands in the settings allows commands by pattern)",
        )
    if policy.confirm_command(command, why):
        return Decision(True, reason="approved by the user")
    return Decision(False, reason="the user declined to run it")


def bubblewrap(environ: Mapping[str, str] | None = None) -> str | None:
    """bubblewrap on ``PATH`` when it can make a sandbox here (user namespaces may be off), or None."""
    path = (environ if environ is not None else os.environ).get("PATH")
    found = shutil.which("bwrap", path=path)
    return found if found is not None and _works(found) else None


@functools.cache
def _works(bwrap: str) -> bool:
    try:
        proc = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--die-with-parent", "true"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


# What a user expects a sandboxed command not to read in their home: keys, cloud and registry credentials,
# password stores, shell histories (commands typed with secrets in them), codeassist's own config and data.
# Only these are hidden, not the whole home: toolchains live there too (~/.cargo, ~/.rustup, ~/.nvm,
# ~/.pyenv, ~/.local/bin, ~/go, package caches), and a sandbox that breaks the build is one nobody uses.
HOME_SECRET_DIRS = (
    ".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".config/gcloud", ".config/gh", ".config/hub",
    ".password-store", ".local/share/keyrings", ".terraform.d", ".config/codeassist", ".local/share/codeassist",
)  # fmt: skip
HOME_SECRET_FILES = (
    ".netrc", "_netrc", ".git-credentials", ".config/git/credentials", ".pypirc", ".npmrc", ".yarnrc",
    ".yarnrc.yml", ".pgpass", ".my.cnf", ".cargo/credentials", ".cargo/credentials.toml", ".gem/credentials",
    ".m2/settings-security.xml", ".gradle/gradle.properties", ".vault-token", ".bash_history", ".zsh_history",
    ".python_history", ".psql_history", ".mysql_history", ".node_repl_history",
)  # fmt: skip
# Environment variables a command's output could show the model: keys, tokens, passwords, agent sockets
# (not GIT_AUTHOR_*: a project's tests that make commits need them). The names of codeassist.secrets._NAME,
# plus the short forms as whole words (DB_PASS, MYSQL_PWD, GITHUB_PAT) but not PWD, OLDPWD or PATH.
_SECRET_ENV = re.compile(
    r"SECRET|TOKEN|PASSW|PASSPHRASE|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|_KEY$|^KEY$|AUTH(?!OR)"
    r"|(?:^|_)PASS(?:_|$)|_PWD(?:_|$)|(?:^|_)PAT(?:_|$)",
    re.I,
)
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


def home_masks(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The credential stores in the user's home (and codeassist's config and data) that exist here."""
    env = environ if environ is not None else os.environ
    home = env.get("HOME")
    found: list[Path] = []
    if home:
        base = Path(home)
        found += [base / d for d in HOME_SECRET_DIRS] + [base / f for f in HOME_SECRET_FILES]
    from codeassist.config import user_config_path
    from codeassist.trust import data_dir

    found += [user_config_path(env), data_dir(env)]
    out: list[Path] = []
    for path in found:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            continue
        if (real.is_dir() or real.is_file()) and real not in out:
            out.append(real)
    return out


def secret_env_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """Names of environment variables that look like secrets (by name, or a URL with a password in it)."""
    env = environ if environ is not None else os.environ
    return sorted(k for k, v in env.items() if _SECRET_ENV.search(k) or _URL_PASSWORD.search(v))


def sandboxed(
    bwrap: str,
    command: str,
    root: Path,
    git_dir: Path,
    hidden: Sequence[str] = (),
    masks: Sequence[Path] = (),
    unset: Sequence[str] = (),
    replaced: Sequence[tuple[Path, Path]] = (),
) -> str:
    """``command`` as a shell line that runs it under bubblewrap: the system read-only, the work tree
    writable except its git directory (history is the transaction's to change), a private /tmp, no network,
    the secret stores (``hidden``, repository paths: ``.env``, keys, credentials, files whose content is
    a key or secret-named settings) empty, the user's credential stores (``masks``: directories become
    empty, files read as empty) and secret environment variables (``unset``) gone: a command's output
    reaches the model, so ``cat .env`` must not show what read_file refuses. ``replaced``: (copy, original)
    pairs, each copy shown read-only in place of its original (git's config without credentials)."""
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--bind", str(root), str(root)]  # fmt: skip
    if git_dir.is_relative_to(root):
        argv += ["--ro-bind", str(git_dir), str(git_dir)]
    for copy, original in replaced:
        argv += ["--ro-bind", str(copy), str(original)]
    for rel in hidden:
        if (root / rel).is_file() and not (root / rel).is_symlink():
            argv += ["--ro-bind", "/dev/null", str(root / rel)]
    state = root / ".codeassist"
    if state.is_dir():  # codeassist's own: saved chats may hold keys; instructions go into every prompt
        argv += ["--tmpfs", str(state)]
    # After the work tree's own binding, so a home that holds the repository (or one inside it) is masked too.
    for mask in masks:
        if root.is_relative_to(mask) or git_dir.is_relative_to(mask):
            continue  # never hide the repository itself
        argv += ["--tmpfs", str(mask)] if mask.is_dir() else ["--ro-bind", "/dev/null", str(mask)]
    for name in unset:
        argv += ["--unsetenv", name]
    argv += ["--unshare-net", "--unshare-pid", "--die-with-parent", "--chdir", str(root), "/bin/sh", "-c", command]
    return shlex.join(argv)
