"""What every command receives: the global options and how to load settings from them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.errors import UsageError

if TYPE_CHECKING:
    from codeassist.backends.model_facts import ModelFacts
    from codeassist.config import Settings
    from codeassist.session import OpenOptions


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
    _noticed: bool = field(default=False, repr=False)

    def notice_trust(self, settings: Settings) -> None:
        """Say once per command what an untrusted repository config set that codeassist ignored."""
        notice = settings.trust_notice()
        if notice and not self._noticed:  # once per command, however often it loads settings
            self._noticed = True
            import sys

            sys.stderr.write(notice + "\n")

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
        settings = load_settings(repo_root=root, environ=self.environ, config_file=self.config, flags=merged)
        self.notice_trust(settings)
        return settings

    def open_options(
        self, *, require_repo: bool = True, need_model: bool = True, ask_server: bool = True, **flags: Any
    ) -> OpenOptions:
        """What :meth:`codeassist.session.Session.open` needs: the start directory and every flag."""
        from codeassist.session import OpenOptions

        merged = {
            "model": self.model,
            "base_url": self.base_url,
            "api_key": self.api_key,
            "context_window": self.context_window,
            **flags,
        }
        return OpenOptions(
            start=self.start_dir(),
            environ=self.environ,
            config_file=self.config,
            flags={k: v for k, v in merged.items() if v is not None},
            require_repo=require_repo,
            need_model=need_model,
            ask_server=ask_server,
        )

    def model_facts(self, settings: Settings, *, discover: bool = True, strict: bool = True) -> ModelFacts:
        """The model and its window for commands that show them (``config show``, ``models``); notes to stderr."""
        from codeassist.session import resolve_model

        facts = resolve_model(settings, self.environ, discover=discover, strict=strict)
        if facts.notes:
            from codeassist.interfaces.render import console

            err = console(self, stderr=True)
            for note in facts.notes:
                err.print(f"codeassist: {note}", markup=False)
        return facts

    def color(self) -> bool:
        return not (self.no_color or self.environ.get("NO_COLOR"))
