"""What the experiment queue needs from the outside world.

``ExperimentStore`` is the source of truth: every step that two workers (or a worker and the
scheduler tick) could race on is one atomic operation here — reserve dispatch slots, claim a
job under a lease, renew leases, store an outcome only while holding the lease, recover
expired leases, elect the one scheduler. ``JobQueue`` only carries "run job X" messages; a
message that arrives for a job that is no longer claimable is dropped, so duplicates are safe.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from attrs import frozen
from synth_ai.domain.experiments.model import Experiment, ExperimentView, Job


@frozen
class WorkerRecord:
    worker_id: str
    host: str
    pid: int
    concurrency: int
    broker: str
    home: str
    running: tuple[str, ...]
    started_at: float
    heartbeat_at: float


@frozen
class Recovered:
    """A running job whose lease expired, and what the store made of it."""

    job: Job
    status: str  # queued (will re-run), failed (too many attempts), canceled


class ExperimentStore(Protocol):
    # -- experiments -------------------------------------------------------------------------
    def create(self, experiment: Experiment, jobs: Sequence[Job]) -> None: ...

    def get(self, experiment_id: str) -> Experiment | None: ...

    def list(
        self, *, org_id: str | None, status: str | None = None, limit: int = 50
    ) -> list[Experiment]: ...

    def jobs(self, experiment_id: str) -> builtins.list[Job]: ...

    def job(self, job_id: str) -> Job | None: ...

    def active_experiments(self) -> builtins.list[str]:
        """Ids of experiments not yet finished (for the repair tick)."""
        ...

    # -- dispatch and leases (each one atomic) ------------------------------------------------
    def reserve_dispatch(self, experiment_id: str, now: float) -> builtins.list[Job]:
        """Mark the next jobs the dispatch rule allows as dispatched, and return them."""
        ...

    def stale_dispatches(self, older_than: float, now: float) -> builtins.list[Job]:
        """Dispatched jobs no worker claimed since ``older_than``; their time is reset."""
        ...

    def claim(self, job_id: str, worker_id: str, now: float, lease_seconds: float) -> Job | None:
        """queued → running under a lease, attempts + 1; None when not claimable."""
        ...

    def renew(
        self, worker_id: str, job_ids: Iterable[str], now: float, lease_seconds: float
    ) -> set[str]:
        """Extend the leases ``worker_id`` holds; returns the ids whose cancel was requested."""
        ...

    def finish(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Mapping[str, Any],
        now: float,
    ) -> bool:
        """Store the outcome if ``worker_id`` still holds the lease (False otherwise)."""
        ...

    def finish_and_dispatch(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Mapping[str, Any],
        now: float,
    ) -> tuple[bool, builtins.list[Job]]:
        """``finish`` and ``reserve_dispatch`` of the job's experiment in one atomic step."""
        ...

    def release(self, job_id: str, worker_id: str, now: float) -> bool:
        """Hand a running job back (worker stopping): queued again, this attempt not counted."""
        ...

    def recover_expired(self, now: float, max_attempts: int) -> builtins.list[Recovered]: ...

    def cancel(self, experiment_id: str, now: float) -> builtins.list[Job]:
        """Queued jobs → canceled; running ones flagged. Returns the running jobs."""
        ...

    # -- progress, logs, checkpoints ------------------------------------------------------------
    def record_progress(self, job_id: str, fields: Mapping[str, Any], now: float) -> None: ...

    def append_log(self, job_id: str, lines: Sequence[str]) -> None: ...

    def read_log(self, job_id: str, offset: int = 0) -> tuple[builtins.list[str], int]:
        """Lines from ``offset`` and the offset after them."""
        ...

    def save_checkpoint(self, job_id: str, state: Mapping[str, Any]) -> None: ...

    def load_checkpoint(self, job_id: str) -> Mapping[str, Any] | None: ...

    # -- workers and the scheduler ------------------------------------------------------------
    def heartbeat_worker(self, record: WorkerRecord) -> None: ...

    def remove_worker(self, worker_id: str) -> None: ...

    def workers(self) -> builtins.list[WorkerRecord]: ...

    def try_lead(self, name: str, owner: str, now: float, ttl: float) -> bool:
        """Take or keep the named lease (the one scheduler in the cluster)."""
        ...


class JobQueue(Protocol):
    """The broker: carries job ids to workers."""

    url: str

    def check(self) -> None:
        """Raise ``BrokerUnavailable`` (one line) when the broker cannot be reached."""
        ...

    def publish(self, jobs: Sequence[Job]) -> None: ...


class JobFiles(Protocol):
    """Reads what a job references: its TOML config and env file."""

    def load_config(self, path: Path) -> dict[str, Any]: ...

    def load_env(self, path: Path) -> dict[str, str]: ...


class ExperimentsClient(Protocol):
    """What the CLI calls: the local store (one org) or a backend over HTTP, one contract."""

    def submit(self, request: Any, *, base_dir: Path, source: str) -> ExperimentView: ...

    def list(self, *, status: str | None = None, limit: int = 50) -> list[Experiment]: ...

    def status(self, experiment_id: str) -> ExperimentView: ...

    def job(self, job_id: str) -> Job: ...

    def logs(self, job_id: str, offset: int = 0) -> tuple[builtins.list[str], int]: ...

    def cancel(self, experiment_id: str) -> ExperimentView: ...
