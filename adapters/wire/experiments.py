"""Experiments on the wire: the public synth-ai submit document in, records out (ISO times).

Used by the HTTP routes, by ``backend_http`` (the CLI's client, which reads the records back
into domain values) and by the CLI's ``--format json``.
"""

from __future__ import annotations

from typing import Any

import cattrs
from attrs import define, field
from cattrs.preconf.json import make_converter
from synth_ai.domain.errors import ValidationFailed
from synth_ai.domain.experiments.metrics import job_metrics
from synth_ai.domain.experiments.model import Experiment, ExperimentView, Job, JobSpec
from synth_ai.domain.experiments.submission import ExperimentRequest
from synth_ai.domain.timestamps import epoch, iso

_strict = make_converter(forbid_extra_keys=True)


@define
class JobIn:
    job_type: str
    config_path: str
    config_overrides: dict[str, Any] = field(factory=dict)
    env_path: str | None = None


@define
class ExperimentIn:
    name: str
    jobs: list[JobIn]
    description: str | None = None
    parallelism: int = 3
    metadata: dict[str, Any] = field(factory=dict)


def parse_request(data: Any, *, source: str = "experiment") -> ExperimentRequest:
    """The submit document, or ``ValidationFailed`` like ``x.json: expected int @ $.parallelism``."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"{source}: an experiment is a JSON object, got {type(data).__name__}"
        )
    try:
        parsed = _strict.structure(data, ExperimentIn)
    except cattrs.BaseValidationError as exc:
        messages = cattrs.transform_error(exc)
        param = next((m.rsplit(" @ ", 1)[1] for m in messages if " @ " in m), None)
        raise ValidationFailed(f"{source}: " + "; ".join(messages), param=param) from exc
    if isinstance(data.get("parallelism"), bool):
        raise ValidationFailed(f"{source}: expected int @ $.parallelism", param="$.parallelism")
    return ExperimentRequest(
        name=parsed.name,
        description=parsed.description,
        parallelism=parsed.parallelism,
        metadata=parsed.metadata,
        jobs=tuple(
            JobSpec(j.job_type, j.config_path, j.config_overrides, j.env_path) for j in parsed.jobs
        ),
    )


def request_to_wire(request: ExperimentRequest) -> dict[str, Any]:
    return {
        "name": request.name,
        "description": request.description,
        "parallelism": request.parallelism,
        "metadata": dict(request.metadata),
        "jobs": [
            {
                "job_type": j.job_type,
                "config_path": j.config_path,
                "config_overrides": dict(j.config_overrides),
                "env_path": j.env_path,
            }
            for j in request.jobs
        ],
    }


def experiment_to_wire(experiment: Experiment) -> dict[str, Any]:
    return {
        "experiment_id": experiment.experiment_id,
        "name": experiment.name,
        "description": experiment.description,
        "status": experiment.status,
        "parallelism": experiment.parallelism,
        "metadata": dict(experiment.metadata),
        "created_at": iso(experiment.created_at),
        "started_at": iso(experiment.started_at),
        "finished_at": iso(experiment.finished_at),
    }


def job_to_wire(job: Job, now: float | None = None) -> dict[str, Any]:
    """A job with its metrics (rollouts, best score, spend, ETA as of ``now``)."""
    metrics = job_metrics(job, now)
    return {
        "job_id": job.job_id,
        "experiment_id": job.experiment_id,
        "index": job.index,
        "job_type": job.job_type,
        "config_path": job.config_path,
        "config_overrides": dict(job.config_overrides),
        "env_path": job.env_path,
        "status": job.status,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "reason": job.reason,
        "result": dict(job.result),
        "progress": dict(job.progress),
        "rollouts_done": metrics.rollouts_done,
        "rollout_budget": metrics.rollout_budget,
        "best_score": metrics.best_score,
        "spend_usd": metrics.spend_usd,
        "spend_tokens": metrics.spend_tokens,
        "eta_s": metrics.eta_s,
    }


def view_to_wire(view: ExperimentView, now: float | None = None) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for job in view.jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    return {
        **experiment_to_wire(view.experiment),
        "job_counts": counts,
        "jobs": [job_to_wire(j, now) for j in view.jobs],
    }


def experiment_from_wire(data: dict[str, Any], org_id: str = "") -> Experiment:
    return Experiment(
        experiment_id=data["experiment_id"],
        org_id=org_id,
        name=data["name"],
        description=data.get("description"),
        parallelism=data["parallelism"],
        metadata=data.get("metadata") or {},
        status=data["status"],
        created_at=epoch(data["created_at"]) or 0.0,
        started_at=epoch(data.get("started_at")),
        finished_at=epoch(data.get("finished_at")),
    )


def job_from_wire(data: dict[str, Any]) -> Job:
    return Job(
        job_id=data["job_id"],
        experiment_id=data["experiment_id"],
        index=data["index"],
        job_type=data["job_type"],
        config_path=data["config_path"],
        config_overrides=data.get("config_overrides") or {},
        env_path=data.get("env_path"),
        status=data["status"],
        attempts=data.get("attempts", 0),
        cancel_requested=bool(data.get("cancel_requested")),
        created_at=epoch(data["created_at"]) or 0.0,
        started_at=epoch(data.get("started_at")),
        finished_at=epoch(data.get("finished_at")),
        reason=data.get("reason"),
        result=data.get("result") or {},
        progress=data.get("progress") or {},
    )


def view_from_wire(data: dict[str, Any], org_id: str = "") -> ExperimentView:
    return ExperimentView(
        experiment_from_wire(data, org_id), tuple(job_from_wire(j) for j in data.get("jobs", []))
    )
