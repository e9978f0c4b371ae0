"""Install tests/plugin_pkg (the ``codeassist-echo`` backend) into a directory, offline.

A real ``pip install`` would need build tools (or the network) on a fresh
machine; instead this writes exactly what an installer writes for a pure
module: the module and a ``.dist-info`` with METADATA and entry_points.txt
derived from the package's own pyproject.toml. Put the directory on
``sys.path`` (or PYTHONPATH for a subprocess) and ``importlib.metadata``
finds the entry point like any installed distribution's.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).parent / "plugin_pkg"


def install(dest: Path) -> Path:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(PACKAGE / "codeassist_echo.py", dest / "codeassist_echo.py")
    info = dest / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
        f"Summary: {project['description']}\n"
    )
    lines = []
    for group, points in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (info / "RECORD").write_text("")
    return dest
