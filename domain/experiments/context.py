"""The ``JobContext`` a runner sees: logs, progress, checkpoints and cancel, over the store."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synth_ai.ports.clock import Clock
from synth_ai.ports.experiments import ExperimentStore


class StoreJobContext:
    """Implements ``ports.jobs.JobContext``; log lines are buffered and flushed in batches."""

    def __init__(
        self,
        *,
        store: ExperimentStore,
        clock: Clock,
        job_id: str,
        experiment_id: str,
        attempt: int,
        config: Mapping[str, Any],
        config_path: Path,
        env: Mapping[str, str],
        workdir: Path,
        flush_every: float = 0.25,
    ):
        self.job_id = job_id
        self.experiment_id = experiment_id
        self.attempt = attempt
        self.config = config
        self.config_path = config_path
        self.env = env
        self.workdir = workdir
        self._store = store
        self._clock = clock
        self._flush_every = flush_every
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._last_flush = clock.now()
        self._cancel = threading.Event()
        self.handed_back = False

    # -- the runner's side -----------------------------------------------------------------------
    def log(self, line: str) -> None:
        with self._lock:
            self._pending.append(line.rstrip("\n"))
            due = self._clock.now() - self._last_flush >= self._flush_every
        if due:
            self.flush()

    def progress(self, **fields: Any) -> None:
        self._store.record_progress(self.job_id, fields, self._clock.now())

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def load_checkpoint(self) -> Mapping[str, Any] | None:
        return self._store.load_checkpoint(self.job_id)

    def save_checkpoint(self, state: Mapping[str, Any]) -> None:
        self._store.save_checkpoint(self.job_id, state)

    # -- the worker's side ------------------------------------------------------------------------
    def flush(self) -> None:
        with self._lock:
            lines, self._pending = self._pending, []
            self._last_flush = self._clock.now()
        if lines:
            self._store.append_log(self.job_id, lines)

    def cancel(self, *, hand_back: bool = False) -> None:
        """Ask the runner to stop: canceled by a user, or handed back by a stopping worker."""
        self.handed_back = self.handed_back or hand_back
        self._cancel.set()
