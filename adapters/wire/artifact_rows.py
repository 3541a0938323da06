"""Models, prompt jobs and snapshots as SQL rows: the one mapping the SQLite and PostgreSQL
artifact catalogs share.

Both keep the same columns (JSON text for metadata and payloads), so a row from either reads
back through these functions.
"""

from __future__ import annotations

import json
from typing import Any

from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot

MODEL_COLUMNS = "id, kind, base_model, job_id, status, created_at, weights_path, metadata"
JOB_COLUMNS = (
    "job_id, status, created_at, updated_at, algorithm, best_score, best_validation_score, "
    "best_snapshot_id, metadata"
)
SNAPSHOT_COLUMNS = "job_id, snapshot_id, payload, score, validation_score, created_at"


def model_from_row(row: Any) -> ModelArtifact:
    return ModelArtifact(
        row["id"],
        row["kind"],
        row["base_model"],
        row["job_id"],
        row["status"],
        row["created_at"],
        row["weights_path"],
        json.loads(row["metadata"]),
    )


def job_from_row(row: Any) -> PromptJob:
    return PromptJob(
        row["job_id"],
        row["status"],
        row["created_at"],
        row["updated_at"],
        row["algorithm"],
        row["best_score"],
        row["best_validation_score"],
        row["best_snapshot_id"],
        json.loads(row["metadata"]),
    )


def snapshot_from_row(row: Any) -> PromptSnapshot:
    return PromptSnapshot(
        row["snapshot_id"],
        row["job_id"],
        json.loads(row["payload"]),
        row["created_at"],
        row["score"],
        row["validation_score"],
    )
