"""What ``/health`` asks of each store: can it serve requests right now?"""

from __future__ import annotations

from typing import Protocol

from attrs import frozen


@frozen
class HealthReport:
    name: str
    ok: bool
    detail: str


class HealthCheck(Protocol):
    def check(self) -> HealthReport:
        """Fast (well under a second) and never raising: a failure is ``ok=False``."""
        ...
