"""Time and identity: the two things every store needs from the outside world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock)."""
        ...


class IdGenerator(Protocol):
    def new_id(self, prefix: str) -> str:
        """A fresh unique id such as ``sess_3f9c…``."""
        ...

    def new_uuid(self) -> str:
        """A fresh UUID string, for ids the public synth-ai client parses with ``UUID()``
        (limit ids, usage-record ids)."""
        ...


class Ticker(Protocol):
    def every(self, seconds: float, tick: Callable[[], object], name: str) -> None:
        """Call ``tick`` every ``seconds`` from now on, in the background, until the process
        ends (a failing tick is logged and the next one still runs)."""
        ...
