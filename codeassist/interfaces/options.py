"""What every command receives: the global options and how to load settings from them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.errors import UsageError

if TYPE_CHECKING:
    from codeassist.backends.model_facts import ModelFacts
    from codeassist.config import Settings


@dataclass
class GlobalOptions:
    repo: Path | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    config: Path | None = None
    context_window: int | None = None
    no_color: bool = False
    verbose: int = 0
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def start_dir(self) -> Path:
        path = self.repo or Path.cwd()
        if not path.is_dir():
            raise UsageError(f"not a directory: {path}")
        return path.resolve()

    def repo_root(self) -> Path | None:
        """The git work tree root, or None outside a repository."""
        from codeassist.git import find_repo_root

        return find_repo_root(self.start_dir())

    def settings(self, repo_root: Path | None = None, **flags: Any) -> Settings:
        from codeassist.config import load_settings

        root = repo_root if repo_root is not None else self.repo_root()
        merged = {
            "model": self.model,
            "base_url": self.base_url,
            "api_key": self.api_key,
            "context_window": self.context_window,
            **flags,
        }
        return load_settings(repo_root=root, environ=self.environ, config_file=self.config, flags=merged)

    def model_facts(self, settings: Settings, *, discover: bool = True, strict: bool = True) -> ModelFacts:
        """The model and its window (see ``backends.model_facts.resolve``); its notes go to stderr.

        ``strict`` False (commands that only show things) falls back to what is
        known offline when the server cannot be asked.
        """
        from codeassist.backends.facts_cache import cache_dir
        from codeassist.backends.model_facts import resolve
        from codeassist.errors import CodeassistError

        try:
            facts = resolve(settings, self.environ, cache_dir(self.environ), discover=discover)
        except CodeassistError as exc:
            if strict:
                raise
            facts = resolve(settings, self.environ, cache_dir(self.environ), fetch=False, discover=False, check=False)
            if settings.model:  # with no model at all, the defaults apply without a word
                facts = replace(facts, notes=(*facts.notes, exc.message))
        if facts.notes:
            from codeassist.interfaces.render import console

            err = console(self, stderr=True)
            for note in facts.notes:
                err.print(f"codeassist: {note}", markup=False)
        return facts

    def color(self) -> bool:
        return not (self.no_color or self.environ.get("NO_COLOR"))
