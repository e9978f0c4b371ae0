"""What every command receives: the global options and how to load settings from them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeassist.errors import UsageError

if TYPE_CHECKING:
    from codeassist.config import Settings


@dataclass
class GlobalOptions:
    repo: Path | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    config: Path | None = None
    no_color: bool = False
    verbose: int = 0
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _noticed: bool = field(default=False, repr=False)

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
        merged = {"model": self.model, "base_url": self.base_url, "api_key": self.api_key, **flags}
        settings = load_settings(repo_root=root, environ=self.environ, config_file=self.config, flags=merged)
        notice = settings.trust_notice()
        if notice and not self._noticed:  # once per command, however often it loads settings
            self._noticed = True
            import sys

            sys.stderr.write(notice + "\n")
        return settings

    def color(self) -> bool:
        return not (self.no_color or self.environ.get("NO_COLOR"))
