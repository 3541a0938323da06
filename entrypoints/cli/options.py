"""Validated Click parameter types for numbers: every numeric option refuses NaN, infinities
and values outside its range with one line naming the option, the value and the range
(a usage error, exit 2).

    @click.option("--port", type=PORT)                     # 1–65535
    @click.option("--timeout", type=PositiveFloat())      # finite, > 0
    @click.option("--threads", type=PositiveInt())        # whole number >= 1
"""

from __future__ import annotations

import math

import click
from synth_ai.settings.validation import describe_range


class Number(click.ParamType):
    """A finite number in ``[low, high]`` (``low`` excluded with ``low_open``); whole with
    ``integer``. The message names the value and the accepted range."""

    def __init__(
        self,
        *,
        integer: bool = False,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        example: str | None = None,
    ):
        self.integer = integer
        self.low, self.high, self.low_open = low, high, low_open
        self.name = "integer" if integer else "number"
        self.example = example

    @property
    def accepted(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} {describe_range(self.low, self.high, low_open=self.low_open)}"

    def convert(self, value, param, ctx):
        if isinstance(value, bool):
            self.fail(f"{value!r} is not {self.accepted}", param, ctx)
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not {self.accepted}{self._hint()}", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not finite — give {self.accepted}{self._hint()}", param, ctx)
        if self.integer and number != int(number):
            self.fail(f"{value!r} is not {self.accepted}{self._hint()}", param, ctx)
        too_low = self.low is not None and (
            number <= self.low if self.low_open else number < self.low
        )
        too_high = self.high is not None and number > self.high
        if too_low or too_high:
            self.fail(f"{value!r} is outside the accepted range: {self.accepted}", param, ctx)
        return int(number) if self.integer else number

    def _hint(self) -> str:
        return f" (e.g. {self.example})" if self.example else ""

    def __repr__(self) -> str:
        return f"Number({self.accepted})"


def PositiveFloat(example: str | None = None) -> Number:  # noqa: N802 (reads like a type)
    """A finite number > 0: timeouts, waits, amounts that must mean something."""
    return Number(low=0, low_open=True, example=example)


def NonNegativeFloat(example: str | None = None) -> Number:  # noqa: N802
    """A finite number >= 0 (0 means 'at once', e.g. SIGKILL without waiting)."""
    return Number(low=0, example=example)


def PositiveInt() -> Number:  # noqa: N802
    return Number(integer=True, low=1)


def NonNegativeInt() -> Number:  # noqa: N802
    return Number(integer=True, low=0)


PORT = Number(integer=True, low=1, high=65535)
"""A TCP port a server listens on or a client connects to."""

PORT_OR_ANY = Number(integer=True, low=0, high=65535)
"""A port to listen on, where 0 asks the system for any free port."""
