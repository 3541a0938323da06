"""Experiments and jobs as SQL rows: the one mapping the SQLite and PostgreSQL stores share.

Both stores keep the same columns (JSON text for the free-form fields, integers for flags), so
a row from either reads back through these functions.
"""

from __future__ import annotations

import json
from typing import Any

from synth_ai.domain.experiments.model import Experiment, Job

JOB_COLUMNS = (
    "job_id, experiment_id, idx, job_type, config_path, config_overrides, env_path, status, "
    "attempts, created_at, dispatched_at, started_at, finished_at, lease_owner, "
    "lease_expires_at, cancel_requested, reason, result, progress"
)
EXPERIMENT_COLUMNS = (
    "experiment_id, org_id, name, description, parallelism, metadata, status, created_at, "
    "started_at, finished_at, canceled"
)


def job_values(j: Job) -> tuple[Any, ...]:
    """A job as the values of ``JOB_COLUMNS``, in that order."""
    return (
        j.job_id,
        j.experiment_id,
        j.index,
        j.job_type,
        j.config_path,
        json.dumps(dict(j.config_overrides)),
        j.env_path,
        j.status,
        j.attempts,
        j.created_at,
        j.dispatched_at,
        j.started_at,
        j.finished_at,
        j.lease_owner,
        j.lease_expires_at,
        int(j.cancel_requested),
        j.reason,
        json.dumps(dict(j.result)),
        json.dumps(dict(j.progress)),
    )


def experiment_values(e: Experiment) -> tuple[Any, ...]:
    """An experiment as the values of ``EXPERIMENT_COLUMNS``, in that order."""
    return (
        e.experiment_id,
        e.org_id,
        e.name,
        e.description,
        e.parallelism,
        json.dumps(dict(e.metadata)),
        e.status,
        e.created_at,
        e.started_at,
        e.finished_at,
        int(e.canceled),
    )


def job_from_row(row: Any) -> Job:
    return Job(
        job_id=row["job_id"],
        experiment_id=row["experiment_id"],
        index=row["idx"],
        job_type=row["job_type"],
        config_path=row["config_path"],
        config_overrides=json.loads(row["config_overrides"]),
        env_path=row["env_path"],
        status=row["status"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        dispatched_at=row["dispatched_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        lease_owner=row["lease_owner"],
        lease_expires_at=row["lease_expires_at"],
        cancel_requested=bool(row["cancel_requested"]),
        reason=row["reason"],
        result=json.loads(row["result"]),
        progress=json.loads(row["progress"]),
    )


def experiment_from_row(row: Any) -> Experiment:
    return Experiment(
        experiment_id=row["experiment_id"],
        org_id=row["org_id"],
        name=row["name"],
        description=row["description"],
        parallelism=row["parallelism"],
        metadata=json.loads(row["metadata"]),
        status=row["status"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        canceled=bool(row["canceled"]),
    )
