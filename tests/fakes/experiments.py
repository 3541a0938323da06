"""Fakes of the experiment queue's ports: an in-memory store, a recording queue, job files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import attrs
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.experiments.errors import BrokerUnavailable
from synth_ai.domain.experiments.model import (
    CANCELED,
    QUEUED,
    RUNNING,
    TERMINAL,
    experiment_status,
    lost_job_outcome,
    next_to_dispatch,
)
from synth_ai.ports.experiments import Recovered
from synth_ai.ports.jobs import JobOutcome


class InMemoryExperimentStore:
    def __init__(self):
        self._lock = threading.RLock()
        self.experiments: dict = {}
        self.job_docs: dict = {}
        self.logs: dict[str, list[str]] = {}
        self.checkpoints: dict = {}
        self.worker_records: dict = {}
        self.leads: dict = {}

    def _refresh(self, experiment_id: str, now: float) -> None:
        experiment = self.experiments[experiment_id]
        jobs = self.jobs(experiment_id)
        status = experiment_status(jobs, canceled=experiment.canceled)
        started = experiment.started_at or min(
            (j.started_at for j in jobs if j.started_at), default=None
        )
        self.experiments[experiment_id] = attrs.evolve(
            experiment,
            status=status,
            started_at=started,
            finished_at=(experiment.finished_at or now) if status in TERMINAL else None,
        )

    def _put(self, job, now: float) -> None:
        self.job_docs[job.job_id] = job
        self._refresh(job.experiment_id, now)

    def create(self, experiment, jobs):
        with self._lock:
            self.experiments[experiment.experiment_id] = experiment
            for job in jobs:
                self.job_docs[job.job_id] = job

    def get(self, experiment_id):
        return self.experiments.get(experiment_id)

    def list(self, *, org_id, status=None, limit=50):
        found = [
            e
            for e in self.experiments.values()
            if (org_id is None or e.org_id == org_id) and (status is None or e.status == status)
        ]
        return sorted(found, key=lambda e: (e.created_at, e.experiment_id), reverse=True)[:limit]

    def jobs(self, experiment_id):
        with self._lock:
            return sorted(
                (j for j in self.job_docs.values() if j.experiment_id == experiment_id),
                key=lambda j: j.index,
            )

    def job(self, job_id):
        return self.job_docs.get(job_id)

    def active_experiments(self):
        return [e.experiment_id for e in self.experiments.values() if not e.terminal]

    def reserve_dispatch(self, experiment_id, now):
        with self._lock:
            experiment = self.experiments.get(experiment_id)
            if experiment is None or experiment.canceled:
                return []
            chosen = next_to_dispatch(experiment.parallelism, self.jobs(experiment_id))
            chosen = [attrs.evolve(j, dispatched_at=now) for j in chosen]
            for job in chosen:
                self.job_docs[job.job_id] = job
            return chosen

    def stale_dispatches(self, older_than, now):
        with self._lock:
            stale = [
                attrs.evolve(j, dispatched_at=now)
                for j in self.job_docs.values()
                if j.status == QUEUED
                and j.dispatched_at is not None
                and j.dispatched_at < older_than
            ]
            for job in stale:
                self.job_docs[job.job_id] = job
            return stale

    def claim(self, job_id, worker_id, now, lease_seconds):
        with self._lock:
            job = self.job_docs.get(job_id)
            if job is None or job.status != QUEUED or job.cancel_requested:
                return None
            job = attrs.evolve(
                job,
                status=RUNNING,
                attempts=job.attempts + 1,
                started_at=now,
                finished_at=None,
                lease_owner=worker_id,
                lease_expires_at=now + lease_seconds,
            )
            self._put(job, now)
            return job

    def renew(self, worker_id, job_ids, now, lease_seconds):
        flagged = set()
        with self._lock:
            for job_id in job_ids:
                job = self.job_docs.get(job_id)
                if job is None or job.status != RUNNING or job.lease_owner != worker_id:
                    flagged.add(job_id)
                    continue
                if job.cancel_requested:
                    flagged.add(job_id)
                self.job_docs[job_id] = attrs.evolve(job, lease_expires_at=now + lease_seconds)
        return flagged

    def finish(self, job_id, worker_id, status, reason, result, now):
        with self._lock:
            job = self.job_docs.get(job_id)
            if job is None or job.status != RUNNING or job.lease_owner != worker_id:
                return False
            self._put(
                attrs.evolve(
                    job,
                    status=status,
                    reason=reason,
                    result=dict(result),
                    finished_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                ),
                now,
            )
            return True

    def finish_and_dispatch(self, job_id, worker_id, status, reason, result, now):
        with self._lock:
            stored = self.finish(job_id, worker_id, status, reason, result, now)
            job = self.job_docs.get(job_id)
            return stored, self.reserve_dispatch(job.experiment_id, now) if job else []

    def release(self, job_id, worker_id, now):
        with self._lock:
            job = self.job_docs.get(job_id)
            if job is None or job.status != RUNNING or job.lease_owner != worker_id:
                return False
            canceled = job.cancel_requested
            self._put(
                attrs.evolve(
                    job,
                    status=CANCELED if canceled else QUEUED,
                    attempts=max(job.attempts - 1, 0),
                    dispatched_at=None,
                    lease_owner=None,
                    lease_expires_at=None,
                    started_at=None,
                    finished_at=now if canceled else None,
                ),
                now,
            )
            return True

    def recover_expired(self, now, max_attempts):
        found = []
        with self._lock:
            for job in list(self.job_docs.values()):
                if job.status != RUNNING or (job.lease_expires_at or 0) >= now:
                    continue
                status, reason = lost_job_outcome(job, max_attempts)
                self._put(
                    attrs.evolve(
                        job,
                        status=status,
                        reason=reason,
                        dispatched_at=None,
                        lease_owner=None,
                        lease_expires_at=None,
                        finished_at=None if status == QUEUED else now,
                    ),
                    now,
                )
                found.append(Recovered(job, status))
        return found

    def cancel(self, experiment_id, now):
        with self._lock:
            self.experiments[experiment_id] = attrs.evolve(
                self.experiments[experiment_id], canceled=True
            )
            running = []
            for job in self.jobs(experiment_id):
                if job.status == QUEUED:
                    self.job_docs[job.job_id] = attrs.evolve(
                        job, status=CANCELED, reason="canceled", finished_at=now
                    )
                elif job.status == RUNNING:
                    job = attrs.evolve(job, cancel_requested=True)
                    self.job_docs[job.job_id] = job
                    running.append(job)
            self._refresh(experiment_id, now)
            return running

    def record_progress(self, job_id, fields, now):
        with self._lock:
            job = self.job_docs.get(job_id)
            if job is not None:
                progress = {**dict(job.progress), **dict(fields), "updated_at": now}
                self.job_docs[job_id] = attrs.evolve(job, progress=progress)

    def append_log(self, job_id, lines):
        with self._lock:
            self.logs.setdefault(job_id, []).extend(lines)

    def read_log(self, job_id, offset=0):
        lines = self.logs.get(job_id, [])[offset:]
        return list(lines), offset + len(lines)

    def save_checkpoint(self, job_id, state):
        self.checkpoints[job_id] = dict(state)

    def load_checkpoint(self, job_id):
        return self.checkpoints.get(job_id)

    def heartbeat_worker(self, record):
        self.worker_records[record.worker_id] = record

    def remove_worker(self, worker_id):
        self.worker_records.pop(worker_id, None)

    def workers(self):
        return sorted(self.worker_records.values(), key=lambda r: (r.host, r.pid))

    def try_lead(self, name, owner, now, ttl):
        with self._lock:
            holder = self.leads.get(name)
            if holder is not None and holder[0] != owner and holder[1] > now:
                return False
            self.leads[name] = (owner, now + ttl)
            return True


class RecordingJobQueue:
    """``JobQueue`` that keeps what was published; ``down`` makes it refuse like a dead broker."""

    url = "fake://"

    def __init__(self):
        self.published: list = []
        self.down = False

    def check(self) -> None:
        if self.down:
            raise BrokerUnavailable("the broker is not reachable at fake:// — start it")

    def publish(self, jobs) -> None:
        self.check()
        self.published.extend(jobs)

    def take(self) -> list:
        taken, self.published = self.published, []
        return taken


class DictJobFiles:
    """``JobFiles`` over dicts keyed by path."""

    def __init__(self, configs: dict[str, dict] | None = None, envs: dict[str, dict] | None = None):
        self.configs = configs or {}
        self.envs = envs or {}

    def load_config(self, path: Path) -> dict[str, Any]:
        if str(path) not in self.configs:
            raise InvalidInput(f"config file {path} does not exist — check the path")
        return self.configs[str(path)]

    def load_env(self, path: Path) -> dict[str, str]:
        if str(path) not in self.envs:
            raise InvalidInput(f"env file {path} does not exist")
        return self.envs[str(path)]


class ScriptedRunner:
    """A ``JobRunner`` whose outcome comes from the job's config: ``[fake] outcome = "failed"``."""

    kind = "fake"

    def __init__(self):
        self.ran: list[str] = []

    def validate(self, config, config_path) -> None:
        if "fake" not in config:
            raise InvalidInput(f"{config_path}: a fake job needs a [fake] table", param="fake")

    def run(self, ctx) -> JobOutcome:
        self.ran.append(ctx.job_id)
        section = ctx.config["fake"]
        ctx.log(f"running {ctx.job_id}")
        ctx.progress(done=1, total=1, best_score=section.get("score", 1.0))
        if section.get("crash"):
            raise RuntimeError("boom")
        return JobOutcome(
            section.get("outcome", "completed"),
            section.get("reason"),
            {"score": section.get("score", 1.0)},
        )
