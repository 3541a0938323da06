"""The artifact catalog on PostgreSQL, one org per catalog object.

Lists are one indexed query per category with ``LIMIT`` (plus an indexed ``COUNT``). Storing a
snapshot locks its job row (``FOR UPDATE``) and recomputes the job's best snapshot in the same
transaction, so snapshots arriving from several workers at once keep their order and the best.
"""

from __future__ import annotations

import json

from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.sql_common.artifact_reads import SqlArtifactReads, unknown_job
from synth_ai.adapters.sql_common.dialect import POSTGRES
from synth_ai.adapters.wire.artifact_rows import (
    JOB_COLUMNS,
    MODEL_COLUMNS,
    job_from_row,
)
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot


class PostgresArtifactCatalog(SqlArtifactReads):
    """The writes here; listing and lookups in ``sql_common.artifact_reads``."""

    _dialect = POSTGRES

    def __init__(self, database: Database, org_id: str):
        self._db = database
        self._org = org_id

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO artifact_models (org_id, {MODEL_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (org_id, id) DO UPDATE "
                "SET kind = excluded.kind, base_model = excluded.base_model, "
                "job_id = excluded.job_id, status = excluded.status, "
                "created_at = excluded.created_at, weights_path = excluded.weights_path, "
                "metadata = excluded.metadata",
                (
                    self._org,
                    model.id,
                    model.kind,
                    model.base_model,
                    model.job_id,
                    model.status,
                    model.created_at,
                    model.weights_path,
                    json.dumps(model.metadata),
                ),
            )
        return model

    def register_prompt_job(self, job: PromptJob) -> PromptJob:
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO prompt_jobs (org_id, {JOB_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL, NULL, %s) "
                "ON CONFLICT (org_id, job_id) DO UPDATE SET status = excluded.status, "
                "algorithm = COALESCE(excluded.algorithm, prompt_jobs.algorithm), "
                "metadata = (prompt_jobs.metadata::jsonb || excluded.metadata::jsonb)::text, "
                "updated_at = excluded.updated_at",
                (
                    self._org,
                    job.job_id,
                    job.status,
                    job.created_at,
                    job.updated_at,
                    job.algorithm,
                    json.dumps(job.metadata),
                ),
            )
            row = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM prompt_jobs WHERE org_id = %s AND job_id = %s",
                (self._org, job.job_id),
            ).fetchone()
        return job_from_row(row)

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        org, job_id = self._org, snapshot.job_id
        with self._db.transaction() as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM prompt_jobs WHERE org_id = %s AND job_id = %s FOR UPDATE",
                    (org, job_id),
                ).fetchone()
                is None
            ):
                raise unknown_job(job_id)
            conn.execute(
                "INSERT INTO prompt_snapshots (org_id, job_id, snapshot_id, seq, payload, score, "
                "validation_score, created_at) VALUES (%s, %s, %s, "
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM prompt_snapshots "
                " WHERE org_id = %s AND job_id = %s), %s, %s, %s, %s) "
                "ON CONFLICT (org_id, job_id, snapshot_id) DO UPDATE SET seq = excluded.seq, "
                "payload = excluded.payload, score = excluded.score, "
                "validation_score = excluded.validation_score, created_at = excluded.created_at",
                (
                    org,
                    job_id,
                    snapshot.snapshot_id,
                    org,
                    job_id,
                    json.dumps(snapshot.payload),
                    snapshot.score,
                    snapshot.validation_score,
                    snapshot.created_at,
                ),
            )
            best = conn.execute(
                "SELECT snapshot_id, score, validation_score FROM prompt_snapshots "
                "WHERE org_id = %s AND job_id = %s AND score IS NOT NULL "
                "ORDER BY score DESC, seq ASC LIMIT 1",
                (org, job_id),
            ).fetchone()
            row = conn.execute(
                "UPDATE prompt_jobs SET best_snapshot_id = %s, best_score = %s, "
                "best_validation_score = %s, updated_at = GREATEST(updated_at, %s) "
                f"WHERE org_id = %s AND job_id = %s RETURNING {JOB_COLUMNS}",
                (
                    best["snapshot_id"] if best else None,
                    best["score"] if best else None,
                    best["validation_score"] if best else None,
                    snapshot.created_at,
                    org,
                    job_id,
                ),
            ).fetchone()
        return job_from_row(row)
