"""The CLI's help reads like prose (FILE, TEXT, N, not ``<list[str]>``) and its shell completion works."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from codeassist.interfaces.app import command


def helps() -> dict[str, str]:
    root = command()
    out = {"codeassist": root.get_help(typer.Context(root, info_name="codeassist"))}
    for name, sub in root.commands.items():
        out[name] = sub.get_help(typer.Context(sub, info_name=name))
        for inner, leaf in getattr(sub, "commands", {}).items():
            out[f"{name} {inner}"] = leaf.get_help(typer.Context(leaf, info_name=inner))
    return out


def test_every_help_names_its_values_in_words() -> None:
    texts = helps()
    assert len(texts) > 15
    for name, text in texts.items():
        assert "<" not in text and "list[" not in text, (name, text)
    assert "-f, --file FILE" in texts["edit"] and "--max-rounds N" in texts["edit"]
    assert "--edit-format TEXT" in texts["edit"] and "-C, --repo PATH" in texts["codeassist"]
    assert "--resume [ID]" in texts["chat"] and "--architect-model MODEL" in texts["chat"]


def complete(shell: str, words: str, cword: int | None = None) -> str:
    env = {**os.environ, "_CODEASSIST_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": words}
    env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    env |= {"COMP_WORDS": words, "COMP_CWORD": str(cword if cword is not None else len(words.split()) - 1)}
    proc = subprocess.run([sys.executable, "-m", "codeassist"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_shell_completion_for_bash_zsh_and_fish() -> None:
    assert complete("bash", "codeassist ch").split() == ["chat"]
    zsh = complete("zsh", "codeassist edit --ma")
    assert "--max-rounds" in zsh and "--map-tokens" in zsh
    assert "--resume" in complete("fish", "codeassist chat --re")
    proc = subprocess.run(
        [sys.executable, "-m", "codeassist", "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "_codeassist_completion" in proc.stdout
