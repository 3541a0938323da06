"""Use cases of the experiment queue: submit, read, cancel, dispatch, run one job, repair.

Dispatch is event-driven: the first jobs go to the broker on submit and the next job of an
experiment the moment one finishes; ``tick`` (every few seconds, one scheduler in the cluster)
only repairs what events missed — expired leases of dead workers, lost messages.
"""

from __future__ import annotations

import builtins
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs
from attrs import frozen
from synth_ai.domain.experiments.context import StoreJobContext
from synth_ai.domain.experiments.errors import (
    BrokerUnavailable,
    ExperimentFinished,
    InvalidExperiment,
    UnknownExperiment,
    UnknownJob,
)
from synth_ai.domain.experiments.model import (
    CANCELED,
    COMPLETED,
    FAILED,
    OUTCOMES,
    QUEUED,
    STATES,
    Experiment,
    ExperimentView,
    Job,
    next_to_dispatch,
)
from synth_ai.domain.experiments.overrides import apply_overrides
from synth_ai.domain.experiments.submission import ExperimentRequest, check_request
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.experiments import ExperimentStore, JobFiles, JobQueue
from synth_ai.ports.jobs import JobOutcome, JobRunner


@frozen
class QueuePolicy:
    lease_seconds: float = 15.0
    max_attempts: int = 3
    redispatch_after: float = 30.0  # a dispatched job nobody claimed is published again
    forget_worker_after: float = 300.0  # a worker silent this long is dropped from queue status


@frozen
class TickReport:
    led: bool
    requeued: int = 0
    failed: int = 0
    republished: int = 0
    dispatched: int = 0


class Experiments:
    def __init__(
        self,
        store: ExperimentStore,
        queue: JobQueue,
        files: JobFiles,
        runners: Mapping[str, JobRunner],
        clock: Clock,
        ids: IdGenerator,
        policy: QueuePolicy | None = None,
    ):
        self.store = store
        self.queue = queue
        self.files = files
        self.runners = runners
        self.clock = clock
        self.ids = ids
        self.policy = policy or QueuePolicy()

    # -- submit ---------------------------------------------------------------------------------
    def submit(
        self, request: ExperimentRequest, *, org_id: str, base_dir: Path, source: str
    ) -> ExperimentView:
        specs = check_request(
            request, base_dir=base_dir, files=self.files, runners=self.runners, source=source
        )
        self.queue.check()  # a broker that is down fails the submit before anything is stored
        now = self.clock.now()
        experiment = Experiment(
            experiment_id=self.ids.new_id("exp"),
            org_id=org_id,
            name=request.name,
            description=request.description,
            parallelism=request.parallelism,
            metadata=dict(request.metadata),
            created_at=now,
        )
        jobs = [
            Job(
                job_id=self.ids.new_id("job"),
                experiment_id=experiment.experiment_id,
                index=i,
                job_type=spec.job_type,
                config_path=spec.config_path,
                config_overrides=spec.config_overrides,
                env_path=spec.env_path,
                created_at=now,
            )
            for i, spec in enumerate(specs)
        ]
        # Nobody else sees a new experiment yet, so its first jobs are marked dispatched as it
        # is stored (one transaction) and published right after.
        first = {j.job_id for j in next_to_dispatch(experiment.parallelism, jobs)}
        jobs = [attrs.evolve(j, dispatched_at=now) if j.job_id in first else j for j in jobs]
        self.store.create(experiment, jobs)
        try:
            self.queue.publish([j for j in jobs if j.job_id in first])
        except BrokerUnavailable:
            pass  # stored and reserved: the tick publishes them once the broker answers
        return ExperimentView(experiment, tuple(jobs))

    # -- reads ----------------------------------------------------------------------------------
    def list(
        self, *, org_id: str | None, status: str | None = None, limit: int = 50
    ) -> builtins.list[Experiment]:
        if status is not None and status not in STATES:
            raise InvalidExperiment(
                f"status must be one of {', '.join(STATES)}, got {status!r}", param="status"
            )
        return self.store.list(org_id=org_id, status=status, limit=limit)

    def status(self, experiment_id: str, *, org_id: str | None) -> ExperimentView:
        experiment = self.store.get(experiment_id)
        if experiment is None or (org_id is not None and experiment.org_id != org_id):
            raise UnknownExperiment(
                f"no experiment {experiment_id!r} — list them with 'synth-ai experiment list'",
                param="experiment_id",
            )
        return ExperimentView(experiment, tuple(self.store.jobs(experiment_id)))

    results = status

    def job(self, job_id: str, *, org_id: str | None) -> Job:
        job = self.store.job(job_id)
        if job is not None and org_id is not None:
            experiment = self.store.get(job.experiment_id)
            if experiment is None or experiment.org_id != org_id:
                job = None
        if job is None:
            raise UnknownJob(
                f"no job {job_id!r} — 'synth-ai experiment status EXP_ID' lists an experiment's jobs",
                param="job_id",
            )
        return job

    def logs(
        self, job_id: str, *, org_id: str | None, offset: int = 0
    ) -> tuple[builtins.list[str], int]:
        self.job(job_id, org_id=org_id)
        return self.store.read_log(job_id, offset)

    # -- cancel ---------------------------------------------------------------------------------
    def cancel(self, experiment_id: str, *, org_id: str | None) -> ExperimentView:
        view = self.status(experiment_id, org_id=org_id)
        if view.experiment.terminal:
            raise ExperimentFinished(
                f"experiment {experiment_id} already ended ({view.experiment.status})",
                param="experiment_id",
            )
        self.store.cancel(experiment_id, self.clock.now())
        return self.status(experiment_id, org_id=org_id)

    # -- dispatch -------------------------------------------------------------------------------
    def dispatch(self, experiment_id: str) -> builtins.list[Job]:
        jobs = self.store.reserve_dispatch(experiment_id, self.clock.now())
        if jobs:
            self.queue.publish(jobs)
        return jobs

    # -- one job, on a worker -----------------------------------------------------------------------
    def claim(self, job_id: str, worker_id: str) -> Job | None:
        return self.store.claim(job_id, worker_id, self.clock.now(), self.policy.lease_seconds)

    def open_context(self, job: Job, workdir: Path) -> StoreJobContext:
        config_path = Path(job.config_path)
        config = apply_overrides(self.files.load_config(config_path), job.config_overrides)
        env = self.files.load_env(Path(job.env_path)) if job.env_path else {}
        return StoreJobContext(
            store=self.store,
            clock=self.clock,
            job_id=job.job_id,
            experiment_id=job.experiment_id,
            attempt=job.attempts,
            config=config,
            config_path=config_path,
            env=env,
            workdir=workdir,
        )

    def execute(self, job: Job, ctx: StoreJobContext) -> JobOutcome:
        """Run the job's runner; an unexpected exception becomes a failed outcome."""
        runner = self.runners.get(job.job_type)
        if runner is None:
            return JobOutcome(FAILED, f"no runner for job type {job.job_type!r} on this worker")
        try:
            outcome = runner.run(ctx)
        except Exception as exc:  # a runner's bug must not kill the worker
            for line in traceback.format_exc().splitlines():
                ctx.log(line)
            outcome = JobOutcome(FAILED, f"runner crashed: {type(exc).__name__}: {exc}")
        if outcome.status not in OUTCOMES:
            outcome = JobOutcome(FAILED, f"runner returned status {outcome.status!r}")
        ctx.flush()
        return outcome

    def settle(self, job: Job, worker_id: str, ctx: StoreJobContext, outcome: JobOutcome) -> str:
        """Store the outcome (or hand the job back), then dispatch the experiment's next job."""
        now = self.clock.now()
        if ctx.handed_back:
            self.store.release(job.job_id, worker_id, now)
            settled, following = QUEUED, self.store.reserve_dispatch(job.experiment_id, now)
        else:
            settled = CANCELED if ctx.cancelled() else outcome.status
            reason = "canceled" if settled == CANCELED else outcome.reason
            result = dict(outcome.result or {})
            stored, following = self.store.finish_and_dispatch(
                job.job_id, worker_id, settled, reason, result, now
            )
            if not stored:
                settled = "lost"  # the lease expired and another attempt took over
        try:
            self.queue.publish(following)
        except BrokerUnavailable:
            pass  # the outcome is stored; the tick publishes the reserved job once it is back
        return settled

    def run_job(self, job_id: str, worker_id: str, workdir: Callable[[Job], Path]) -> str | None:
        """Claim, run and settle one job synchronously (the embedded runner and tests)."""
        job = self.claim(job_id, worker_id)
        if job is None:
            return None
        ctx = self.open_context(job, workdir(job))
        return self.settle(job, worker_id, ctx, self.execute(job, ctx))

    # -- the repair tick --------------------------------------------------------------------------
    def tick(self, owner: str, *, ttl: float = 15.0) -> TickReport:
        now = self.clock.now()
        if not self.store.try_lead("scheduler", owner, now, ttl):
            return TickReport(led=False)
        recovered = self.store.recover_expired(now, self.policy.max_attempts)
        stale = self.store.stale_dispatches(now - self.policy.redispatch_after, now)
        if stale:
            self.queue.publish(stale)
        for worker in self.store.workers():
            if now - worker.heartbeat_at > self.policy.forget_worker_after:
                self.store.remove_worker(worker.worker_id)
        dispatched = 0
        for experiment_id in self.store.active_experiments():
            dispatched += len(self.dispatch(experiment_id))
        return TickReport(
            led=True,
            requeued=sum(1 for r in recovered if r.status == QUEUED),
            failed=sum(1 for r in recovered if r.status == FAILED),
            republished=len(stale),
            dispatched=dispatched,
        )


__all__ = ["COMPLETED", "Experiments", "QueuePolicy", "TickReport"]


class ScopedExperiments:
    """The use cases as one org sees them: the CLI's local client (``backend_http`` is the
    remote one; both satisfy ``ports.experiments.ExperimentsClient``)."""

    def __init__(self, experiments: Experiments, org_id: str):
        self._experiments = experiments
        self._org_id = org_id

    def submit(self, request: ExperimentRequest, *, base_dir: Path, source: str) -> ExperimentView:
        return self._experiments.submit(
            request, org_id=self._org_id, base_dir=base_dir, source=source
        )

    def list(self, *, status: str | None = None, limit: int = 50) -> builtins.list[Experiment]:
        return self._experiments.list(org_id=self._org_id, status=status, limit=limit)

    def status(self, experiment_id: str) -> ExperimentView:
        return self._experiments.status(experiment_id, org_id=self._org_id)

    def job(self, job_id: str) -> Job:
        return self._experiments.job(job_id, org_id=self._org_id)

    def logs(self, job_id: str, offset: int = 0) -> tuple[builtins.list[str], int]:
        return self._experiments.logs(job_id, org_id=self._org_id, offset=offset)

    def cancel(self, experiment_id: str) -> ExperimentView:
        return self._experiments.cancel(experiment_id, org_id=self._org_id)
