"""``JobFiles``: a job's TOML config (tomllib) and its env file (``KEY=VALUE`` lines)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput


class LocalJobFiles:
    def load_config(self, path: Path) -> dict[str, Any]:
        if not path.is_file():
            raise InvalidInput(
                f"config file {path} does not exist — check the path", param=str(path)
            )
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"config file {path} is not valid TOML: {exc}", param=str(path)
            ) from exc

    def load_env(self, path: Path) -> dict[str, str]:
        from synth_ai.adapters.local_files.env_file import parse_env_file

        return parse_env_file(path)
