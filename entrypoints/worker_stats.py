"""What a queue worker has done, kept as plain counters its ``/metrics`` reads at scrape time."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from attrs import frozen


@frozen
class StatsSnapshot:
    finished: Mapping[tuple[str, str], int]  # (job kind, stored state) -> jobs
    rollouts: Mapping[tuple[str, str], int]  # (job kind, outcome status) -> rollouts
    running: int
    concurrency: int
    heartbeat_at: float


def rollouts_of(result: Mapping[str, Any]) -> int:
    """How many rollouts a job's result says this attempt performed: an optimisation's
    ``rollouts_this_attempt`` (a resumed run replays the rest from its journal) or
    ``rollouts``; an eval's scored and failed seeds; 0 for a job that reports none."""
    for key in ("rollouts_this_attempt", "rollouts"):
        value = result.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
    scores, errors = result.get("scores"), result.get("errors")
    if isinstance(scores, Mapping) or isinstance(errors, Mapping):
        return len(scores or {}) + len(errors or {})
    return 0


class WorkerStats:
    def __init__(self, *, concurrency: int, running: Callable[[], int]):
        self._lock = threading.Lock()
        self._finished: Counter[tuple[str, str]] = Counter()
        self._rollouts: Counter[tuple[str, str]] = Counter()
        self._running = running
        self._concurrency = concurrency
        self._heartbeat_at = 0.0

    def finished(self, kind: str, state: str, outcome_status: str, result: Mapping) -> None:
        with self._lock:
            self._finished[(kind, state)] += 1
            rollouts = rollouts_of(result or {})
            if rollouts:
                self._rollouts[(kind, outcome_status)] += rollouts

    def beat(self, at: float) -> None:
        self._heartbeat_at = at

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                dict(self._finished),
                dict(self._rollouts),
                self._running(),
                self._concurrency,
                self._heartbeat_at,
            )
