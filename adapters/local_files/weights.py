"""``WeightsFiles`` on the local filesystem: where a model's weights folder really points."""

from __future__ import annotations

from pathlib import Path

from synth_ai.ports.artifacts import WeightsFolder


class LocalWeightsFiles:
    def inspect(self, path: str) -> WeightsFolder:
        folder = Path(path).expanduser()
        is_dir = folder.is_dir()
        subfolders = (
            frozenset(p.name for p in folder.iterdir() if p.is_dir()) if is_dir else frozenset()
        )
        return WeightsFolder(
            path=str(folder),
            resolved=str(folder.resolve()),
            is_dir=is_dir,
            subfolders=subfolders,
            holds_files=is_dir and any(p.is_file() for p in folder.rglob("*")),
        )

    def resolve(self, path: str) -> str:
        return str(Path(path).expanduser().resolve())
