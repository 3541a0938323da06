"""``ExperimentStore`` on Redis: many workers on many machines share one state.

Each job and experiment is a JSON document. Every step two workers could race on reads the
experiment's documents under ``WATCH`` and writes them in one ``MULTI`` (optimistic
concurrency, retried on conflict), so claims, leases and outcomes stay atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import redis
from synth_ai.adapters.redis.client import connect, reachable
from synth_ai.adapters.redis.experiment_docs import dump as _dump
from synth_ai.adapters.redis.experiment_docs import experiment_doc as _experiment
from synth_ai.adapters.redis.experiment_docs import job_doc as _job
from synth_ai.adapters.redis.experiment_journal import RedisJobJournal, RedisWorkerRegistry
from synth_ai.domain.experiments.model import (
    CANCELED,
    QUEUED,
    RUNNING,
    TERMINAL,
    Experiment,
    Job,
    experiment_status,
    lost_job_outcome,
    next_to_dispatch,
)
from synth_ai.ports.experiments import Recovered


class RedisExperimentStore(RedisJobJournal, RedisWorkerRegistry):
    """Experiments, jobs and leases here; progress, logs and workers in ``experiment_journal``."""

    def __init__(self, client: redis.Redis, *, prefix: str = "synth:"):
        self._r = client
        self._p = prefix + "exp:"

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "synth:") -> RedisExperimentStore:
        return cls(connect(url), prefix=prefix)

    def _k(self, *parts: str) -> str:
        return self._p + ":".join(parts)

    def _reachable(self):
        return reachable(self._r)

    # -- one experiment under WATCH ------------------------------------------------------------------
    def _mutate(
        self, experiment_id: str, change: Callable[[Experiment, list[Job]], Any], now: float
    ):
        """Run ``change(experiment, jobs)`` → (experiment|None, changed jobs, result) atomically."""
        exp_key = self._k("e", experiment_id)
        ids_key = self._k("e", experiment_id, "jobs")
        with self._reachable(), self._r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(exp_key)
                    raw = pipe.get(exp_key)
                    if raw is None:
                        pipe.reset()
                        return None
                    job_ids = [i.decode() for i in pipe.lrange(ids_key, 0, -1)]
                    job_keys = [self._k("j", i) for i in job_ids]
                    if job_keys:
                        pipe.watch(*job_keys)
                    experiment = _experiment(raw)
                    jobs = [_job(r) for r in pipe.mget(job_keys)] if job_keys else []
                    new_experiment, changed, result = change(experiment, jobs)
                    pipe.multi()
                    if changed:
                        by_id = {j.job_id: j for j in changed}
                        jobs = [by_id.get(j.job_id, j) for j in jobs]
                        pipe.mset({self._k("j", j.job_id): _dump(j) for j in changed})
                        for job in changed:
                            self._index(pipe, job)
                    experiment = self._refreshed(new_experiment or experiment, jobs, now)
                    pipe.set(exp_key, _dump(experiment))
                    if experiment.terminal:
                        pipe.srem(self._k("active"), experiment_id)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def _index(self, pipe, job: Job) -> None:
        if job.status == RUNNING:
            pipe.sadd(self._k("running"), job.job_id)
        else:
            pipe.srem(self._k("running"), job.job_id)
        if job.status == QUEUED and job.dispatched_at is not None:
            pipe.sadd(self._k("dispatched"), job.job_id)
        else:
            pipe.srem(self._k("dispatched"), job.job_id)

    @staticmethod
    def _refreshed(experiment: Experiment, jobs: list[Job], now: float) -> Experiment:
        status = experiment_status(jobs, canceled=experiment.canceled)
        started = experiment.started_at
        if started is None and any(j.started_at for j in jobs):
            started = min(j.started_at for j in jobs if j.started_at)
        return attrs.evolve(
            experiment,
            status=status,
            started_at=started,
            finished_at=(experiment.finished_at or now) if status in TERMINAL else None,
        )

    def _experiment_of(self, job_id: str) -> str | None:
        with self._reachable():
            raw = self._r.get(self._k("j", job_id))
        return _job(raw).experiment_id if raw else None

    # -- experiments ------------------------------------------------------------------------------------
    def create(self, experiment: Experiment, jobs: Sequence[Job]) -> None:
        with self._reachable(), self._r.pipeline() as pipe:
            eid = experiment.experiment_id
            pipe.set(self._k("e", eid), _dump(experiment))
            if jobs:
                pipe.rpush(self._k("e", eid, "jobs"), *[j.job_id for j in jobs])
                pipe.mset({self._k("j", j.job_id): _dump(j) for j in jobs})
            pipe.zadd(self._k("org", experiment.org_id), {eid: experiment.created_at})
            pipe.zadd(self._k("all"), {eid: experiment.created_at})
            pipe.sadd(self._k("active"), eid)
            pipe.execute()

    def get(self, experiment_id: str) -> Experiment | None:
        with self._reachable():
            raw = self._r.get(self._k("e", experiment_id))
        return _experiment(raw) if raw else None

    def list(self, *, org_id: str | None, status: str | None = None, limit: int = 50):
        index = self._k("org", org_id) if org_id is not None else self._k("all")
        found: list[Experiment] = []
        start, page = 0, max(limit, 100)
        with self._reachable():
            while len(found) < limit:
                ids = self._r.zrevrange(index, start, start + page - 1)
                if not ids:
                    break
                start += page
                raws = self._r.mget([self._k("e", i.decode()) for i in ids])
                for raw in raws:
                    if raw is None:
                        continue
                    experiment = _experiment(raw)
                    if status is None or experiment.status == status:
                        found.append(experiment)
        return found[:limit]

    def jobs(self, experiment_id: str) -> list[Job]:
        with self._reachable():
            ids = [i.decode() for i in self._r.lrange(self._k("e", experiment_id, "jobs"), 0, -1)]
            raws = self._r.mget([self._k("j", i) for i in ids]) if ids else []
        return sorted((_job(r) for r in raws if r), key=lambda j: j.index)

    def job(self, job_id: str) -> Job | None:
        with self._reachable():
            raw = self._r.get(self._k("j", job_id))
        return _job(raw) if raw else None

    def active_experiments(self) -> list[str]:
        with self._reachable():
            return sorted(i.decode() for i in self._r.smembers(self._k("active")))

    # -- dispatch and leases ---------------------------------------------------------------------------
    def reserve_dispatch(self, experiment_id: str, now: float) -> list[Job]:
        def change(experiment, jobs):
            if experiment.canceled:
                return None, [], []
            chosen = [
                attrs.evolve(j, dispatched_at=now)
                for j in next_to_dispatch(experiment.parallelism, jobs)
            ]
            return None, chosen, chosen

        return self._mutate(experiment_id, change, now) or []

    def stale_dispatches(self, older_than: float, now: float) -> list[Job]:
        with self._reachable():
            ids = [i.decode() for i in self._r.smembers(self._k("dispatched"))]
        stale: list[Job] = []
        for job_id in ids:
            experiment_id = self._experiment_of(job_id)
            if experiment_id is None:
                continue

            def change(experiment, jobs, job_id=job_id):
                job = next((j for j in jobs if j.job_id == job_id), None)
                if job is None or job.status != QUEUED or job.dispatched_at is None:
                    return None, [], None
                if job.dispatched_at >= older_than:
                    return None, [], None
                moved = attrs.evolve(job, dispatched_at=now)
                return None, [moved], moved

            moved = self._mutate(experiment_id, change, now)
            if moved is not None:
                stale.append(moved)
        return stale

    def _job_step(
        self,
        job_id: str,
        step: Callable[[Experiment, Job], tuple[Job | None, Any]],
        now: float,
    ):
        experiment_id = self._experiment_of(job_id)
        if experiment_id is None:
            return None

        def change(experiment, jobs):
            job = next((j for j in jobs if j.job_id == job_id), None)
            if job is None:
                return None, [], None
            moved, result = step(experiment, job)
            return None, [moved] if moved is not None else [], result

        return self._mutate(experiment_id, change, now)

    def claim(self, job_id: str, worker_id: str, now: float, lease_seconds: float) -> Job | None:
        def step(experiment, job):
            if job.status != QUEUED or job.cancel_requested:
                return None, None
            moved = attrs.evolve(
                job,
                status=RUNNING,
                attempts=job.attempts + 1,
                started_at=now,
                finished_at=None,
                lease_owner=worker_id,
                lease_expires_at=now + lease_seconds,
            )
            return moved, moved

        return self._job_step(job_id, step, now)

    def renew(
        self, worker_id: str, job_ids: Iterable[str], now: float, lease_seconds: float
    ) -> set[str]:
        flagged: set[str] = set()
        for job_id in job_ids:
            key = self._k("j", job_id)
            with self._reachable(), self._r.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(key)
                        raw = pipe.get(key)
                        job = _job(raw) if raw else None
                        if job is None or job.status != RUNNING or job.lease_owner != worker_id:
                            pipe.reset()
                            flagged.add(job_id)
                            break
                        if job.cancel_requested:
                            flagged.add(job_id)
                        pipe.multi()
                        pipe.set(
                            key, _dump(attrs.evolve(job, lease_expires_at=now + lease_seconds))
                        )
                        pipe.execute()
                        break
                    except redis.WatchError:
                        continue
        return flagged

    def finish(self, job_id, worker_id, status, reason, result, now) -> bool:
        def step(experiment, job):
            if job.status != RUNNING or job.lease_owner != worker_id:
                return None, False
            moved = attrs.evolve(
                job,
                status=status,
                reason=reason,
                result=dict(result),
                finished_at=now,
                lease_owner=None,
                lease_expires_at=None,
            )
            return moved, True

        return bool(self._job_step(job_id, step, now))

    def finish_and_dispatch(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Mapping[str, Any],
        now: float,
    ) -> tuple[bool, list[Job]]:
        experiment_id = self._experiment_of(job_id)
        if experiment_id is None:
            return False, []

        def change(experiment, jobs):
            job = next((j for j in jobs if j.job_id == job_id), None)
            changed = []
            if job is not None and job.status == RUNNING and job.lease_owner == worker_id:
                job = attrs.evolve(
                    job,
                    status=status,
                    reason=reason,
                    result=dict(result),
                    finished_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                changed.append(job)
                jobs = [job if j.job_id == job_id else j for j in jobs]
            chosen = []
            if not experiment.canceled:
                chosen = [
                    attrs.evolve(j, dispatched_at=now)
                    for j in next_to_dispatch(experiment.parallelism, jobs)
                ]
            return None, changed + chosen, (bool(changed), chosen)

        return self._mutate(experiment_id, change, now) or (False, [])

    def release(self, job_id: str, worker_id: str, now: float) -> bool:
        def step(experiment, job):
            if job.status != RUNNING or job.lease_owner != worker_id:
                return None, False
            canceled = job.cancel_requested
            moved = attrs.evolve(
                job,
                status=CANCELED if canceled else QUEUED,
                attempts=max(job.attempts - 1, 0),
                dispatched_at=None,
                lease_owner=None,
                lease_expires_at=None,
                started_at=None,
                finished_at=now if canceled else None,
            )
            return moved, True

        return bool(self._job_step(job_id, step, now))

    def recover_expired(self, now: float, max_attempts: int) -> list[Recovered]:
        with self._reachable():
            ids = [i.decode() for i in self._r.smembers(self._k("running"))]
        recovered: list[Recovered] = []
        for job_id in ids:

            def step(experiment, job):
                if job.status != RUNNING or (job.lease_expires_at or 0) >= now:
                    return None, None
                status, reason = lost_job_outcome(job, max_attempts)
                moved = attrs.evolve(
                    job,
                    status=status,
                    reason=reason,
                    dispatched_at=None,
                    lease_owner=None,
                    lease_expires_at=None,
                    finished_at=None if status == QUEUED else now,
                )
                return moved, Recovered(job, status)

            found = self._job_step(job_id, step, now)
            if found is not None:
                recovered.append(found)
        return recovered

    def cancel(self, experiment_id: str, now: float) -> list[Job]:
        def change(experiment, jobs):
            changed = []
            for job in jobs:
                if job.status == QUEUED:
                    changed.append(
                        attrs.evolve(job, status=CANCELED, reason="canceled", finished_at=now)
                    )
                elif job.status == RUNNING:
                    changed.append(attrs.evolve(job, cancel_requested=True))
            running = [j for j in changed if j.status == RUNNING]
            return attrs.evolve(experiment, canceled=True), changed, running

        return self._mutate(experiment_id, change, now) or []
