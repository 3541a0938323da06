"""Experiments and jobs: values, their state machine, and the dispatch rule.

States: ``queued → running → completed | failed | canceled`` (a queued job may also be
canceled). A queued job handed to the broker is *dispatched* (``dispatched_at`` set) but stays
``queued`` until a worker claims it; the dispatch rule counts running and dispatched jobs so an
experiment never has more than ``parallelism`` of them in flight, across every worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attrs import evolve, field, frozen

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
CANCELED = "canceled"
STATES = (QUEUED, RUNNING, COMPLETED, FAILED, CANCELED)
TERMINAL = frozenset({COMPLETED, FAILED, CANCELED})
OUTCOMES = frozenset({COMPLETED, FAILED})

TRANSITIONS: Mapping[str, frozenset[str]] = {
    QUEUED: frozenset({RUNNING, CANCELED}),
    RUNNING: frozenset({COMPLETED, FAILED, CANCELED, QUEUED}),  # QUEUED: handed back / re-run
    COMPLETED: frozenset(),
    FAILED: frozenset(),
    CANCELED: frozenset(),
}

MIN_PARALLELISM = 1
MAX_PARALLELISM = 8
DEFAULT_PARALLELISM = 3


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


@frozen
class JobSpec:
    """One entry of an experiment's ``jobs`` list, as submitted."""

    job_type: str
    config_path: str
    config_overrides: Mapping[str, Any] = field(factory=dict)
    env_path: str | None = None


@frozen
class Job:
    job_id: str
    experiment_id: str
    index: int
    job_type: str
    config_path: str
    config_overrides: Mapping[str, Any] = field(factory=dict)
    env_path: str | None = None
    status: str = QUEUED
    attempts: int = 0
    created_at: float = 0.0
    dispatched_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    lease_owner: str | None = None
    lease_expires_at: float | None = None
    cancel_requested: bool = False
    reason: str | None = None
    result: Mapping[str, Any] = field(factory=dict)
    progress: Mapping[str, Any] = field(factory=dict)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def in_flight(self) -> bool:
        """Counts against parallelism: running, or queued and already handed to the broker."""
        return self.status == RUNNING or (self.status == QUEUED and self.dispatched_at is not None)

    def moved(self, status: str, **changes: Any) -> Job:
        if not can_move(self.status, status):
            raise ValueError(f"job {self.job_id} cannot move from {self.status} to {status}")
        return evolve(self, status=status, **changes)


@frozen
class Experiment:
    experiment_id: str
    org_id: str
    name: str
    parallelism: int = DEFAULT_PARALLELISM
    description: str | None = None
    metadata: Mapping[str, Any] = field(factory=dict)
    status: str = QUEUED
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    canceled: bool = False

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@frozen
class ExperimentView:
    """An experiment with its jobs, as status and results show it."""

    experiment: Experiment
    jobs: tuple[Job, ...]


def free_slots(parallelism: int, jobs: Iterable[Job]) -> int:
    """How many more jobs of an experiment may be dispatched now."""
    return slots_for(parallelism, sum(1 for job in jobs if job.in_flight))


def slots_for(parallelism: int, in_flight: int) -> int:
    """``free_slots`` from the number of running and dispatched jobs (stores count in SQL)."""
    return max(0, parallelism - in_flight)


def next_to_dispatch(parallelism: int, jobs: Iterable[Job]) -> list[Job]:
    """The queued, not yet dispatched jobs to hand to the broker now, in submission order."""
    jobs = list(jobs)
    waiting = sorted(
        (
            j
            for j in jobs
            if j.status == QUEUED and j.dispatched_at is None and not j.cancel_requested
        ),
        key=lambda j: j.index,
    )
    return waiting[: free_slots(parallelism, jobs)]


def experiment_status(jobs: Iterable[Job], *, canceled: bool = False) -> str:
    """An experiment's state from its jobs: it fails only if every job failed."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    return status_from_counts(counts, canceled=canceled)


def status_from_counts(counts: Mapping[str, int], *, canceled: bool = False) -> str:
    """``experiment_status`` from the number of jobs in each state (stores count in SQL)."""
    states = {state for state, n in counts.items() if n > 0}
    if not states:
        return CANCELED if canceled else COMPLETED
    if states - TERMINAL:
        if canceled:
            return RUNNING if RUNNING in states else CANCELED
        return RUNNING if states != {QUEUED} else QUEUED
    if canceled:
        return CANCELED
    if states == {FAILED}:
        return FAILED
    if states == {CANCELED}:
        return CANCELED
    return COMPLETED


def lost_job_outcome(job: Job, max_attempts: int) -> tuple[str, str | None]:
    """What becomes of a running job whose lease expired (its worker died)."""
    if job.cancel_requested:
        return CANCELED, "canceled"
    if job.attempts >= max_attempts:
        return FAILED, f"worker lost {job.attempts} times (max_attempts={max_attempts})"
    return QUEUED, None
