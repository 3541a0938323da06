"""``WeightsFiles`` on the local filesystem: where a model's weights folder really points."""

from __future__ import annotations

import os
from pathlib import Path

from synth_ai.ports.artifacts import WeightsFolder


class LocalWeightsFiles:
    def inspect(self, path: str) -> WeightsFolder:
        folder = _expanded(path)
        if not folder.is_dir():
            return WeightsFolder(str(folder), str(folder.resolve()), False)
        subfolders = frozenset(p.name for p in folder.iterdir() if p.is_dir())
        holds_files, links = False, set()
        for top, dirs, files in os.walk(folder):  # symlinked folders are listed, not entered
            for name in (*dirs, *files):
                entry = Path(top, name)
                if entry.is_symlink():
                    links.add(str(entry.resolve()))
                elif name in files:
                    holds_files = True
        return WeightsFolder(
            path=str(folder),
            resolved=str(folder.resolve()),
            is_dir=True,
            subfolders=subfolders,
            holds_files=holds_files or any(Path(link).is_file() for link in links),
            links=frozenset(links),
        )

    def resolve(self, path: str) -> str:
        return str(_expanded(path).resolve())


def _expanded(path: str) -> Path:
    """``~`` expanded; ``~someone`` of an unknown user stays as written (a relative path)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)
