"""``--env .env``: ``KEY=VALUE`` lines (``export`` prefix, quotes and ``#`` comments allowed)."""

from __future__ import annotations

import re
from pathlib import Path

from synth_ai.domain.errors import InvalidInput

_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def parse_env_file(path: str | Path) -> dict[str, str]:
    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidInput(
            f"env file {file} does not exist — create it with KEY=VALUE lines "
            "(e.g. ENVIRONMENT_API_KEY=…) or drop --env",
            param="env",
        )
    values: dict[str, str] = {}
    for number, raw in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise InvalidInput(
                f"{file}:{number}: cannot parse {raw!r} — write KEY=VALUE", param="env"
            )
        key, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values
