"""``TrialStore`` in a dict: the interceptor's trials live as long as one rollout.

A trial is registered just before its rollout and removed right after, so the store stays
small; a trial nobody finished (the job died) is dropped after ``ttl_seconds``. One backend
process serves a job's trials; several replicas behind a load balancer would need a shared
store (not built yet).
"""

from __future__ import annotations

import threading
import time

from attrs import evolve
from synth_ai.ports.optimisation import Exchange, RolloutCalls, Trial

MAX_EXCHANGES = 8


class InMemoryTrialStore:
    def __init__(self, ttl_seconds: float = 6 * 3600):
        self._trials: dict[str, tuple[float, Trial]] = {}
        self._lock = threading.Lock()
        self._ttl = ttl_seconds

    def put(self, trial: Trial) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._trials) > 1000:
                cutoff = now - self._ttl
                self._trials = {k: v for k, v in self._trials.items() if v[0] >= cutoff}
            self._trials[trial.trial_id] = (now, trial)

    def get(self, trial_id: str) -> Trial | None:
        with self._lock:
            entry = self._trials.get(trial_id)
        return entry[1] if entry else None

    def record(
        self, trial_id: str, rollout: str, exchange: Exchange | None, *, refused: bool = False
    ) -> None:
        with self._lock:
            entry = self._trials.get(trial_id)
            if entry is None:
                return
            trial = entry[1]
            calls = trial.rollouts.get(rollout) or RolloutCalls()
            exchanges = calls.exchanges if exchange is None else (*calls.exchanges, exchange)
            trial.rollouts[rollout] = evolve(
                calls,
                calls=calls.calls + 1,
                refused=calls.refused or refused,
                exchanges=exchanges[-MAX_EXCHANGES:],
            )

    def pop(self, trial_id: str) -> Trial | None:
        with self._lock:
            entry = self._trials.pop(trial_id, None)
        return entry[1] if entry else None
