"""Numbers read from config files and environment variables, checked where they are read.

A bad value is one line naming where it came from (the variable, or the key and the file),
the value, and the accepted range:

    SYNTH_AI_PORT=99999 is outside 1–65535 — fix the environment variable
    [server] port = 0 in /home/me/.synth-ai/config.toml is outside 1–65535 — fix config.toml
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput

_MISSING = object()


def describe_range(low: float | None, high: float | None, *, low_open: bool = False) -> str:
    """``1–65535``, ``> 0``, ``>= 0`` … an accepted range as a reader would write it."""
    if low is not None and high is not None:
        return f"{low:g}–{high:g}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"<= {high:g}"
    return "finite"


class NumberSource:
    """Where one number comes from: an environment variable (wins when set) or a key of a
    TOML table in a file, else a default."""

    def __init__(self, env: Mapping[str, str], table: Mapping[str, Any], section: str, file: Path):
        self.env, self.table, self.section, self.file = env, table, section, file

    def read(
        self,
        key: str,
        default: Any,
        *,
        var: str | None = None,
        integer: bool = False,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
    ):
        if var and self.env.get(var):
            raw, where, fix = (
                self.env[var],
                f"{var}={self.env[var]}",
                "fix the environment variable",
            )
        else:
            raw = self.table.get(key, _MISSING)
            if raw is _MISSING:
                return default
            where = f"[{self.section}] {key} = {raw!r} in {self.file}"
            fix = f"fix {self.file.name}"
        return check_number(raw, where, fix, integer=integer, low=low, high=high, low_open=low_open)


def check_number(
    raw: Any,
    where: str,
    fix: str,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
):
    """``raw`` as an int/float within the range, or ``InvalidInput`` naming ``where``."""
    kind = "a whole number" if integer else "a number"
    accepted = f"{kind} {describe_range(low, high, low_open=low_open)}"
    if isinstance(raw, bool):
        raise InvalidInput(f"{where} is not {accepted} — {fix}")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where} is not {accepted} — {fix}") from None
    if not math.isfinite(number) or (integer and number != int(number)):
        raise InvalidInput(f"{where} is not {accepted} — {fix}")
    if (
        low is not None
        and (number <= low if low_open else number < low)
        or (high is not None and number > high)
    ):
        raise InvalidInput(
            f"{where} is outside {describe_range(low, high, low_open=low_open)} — {fix}"
        )
    return int(number) if integer else number
