"""The artifact catalog in the shared SQLite file, one org per catalog object.

Lists are one indexed query per category with ``LIMIT`` (plus an indexed ``COUNT``), so
listing stays fast with tens of thousands of artifacts. The best snapshot of a job is
recomputed inside the same ``BEGIN IMMEDIATE`` transaction that stores a snapshot.
"""

from __future__ import annotations

import json

from synth_ai.adapters.sql_common.artifact_reads import SqlArtifactReads, unknown_job
from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sqlite.database import Database
from synth_ai.adapters.wire.artifact_rows import (
    JOB_COLUMNS,
    MODEL_COLUMNS,
    job_from_row,
)
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot


class SqliteArtifactCatalog(SqlArtifactReads):
    """The writes here; listing and lookups in ``sql_common.artifact_reads``."""

    _dialect = SQLITE

    def __init__(self, database: Database, org_id: str):
        self._db = database
        self._org = org_id

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO artifact_models (org_id, {MODEL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
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
        with self._db.transaction(immediate=True) as conn:
            old = conn.execute(
                "SELECT metadata FROM prompt_jobs WHERE org_id=? AND job_id=?",
                (self._org, job.job_id),
            ).fetchone()
            metadata = {**json.loads(old["metadata"]), **job.metadata} if old else job.metadata
            conn.execute(
                f"INSERT INTO prompt_jobs (org_id, {JOB_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (org_id, job_id) DO UPDATE SET status=excluded.status, "
                "algorithm=COALESCE(excluded.algorithm, prompt_jobs.algorithm), "
                "metadata=excluded.metadata, updated_at=excluded.updated_at",
                (
                    self._org,
                    job.job_id,
                    job.status,
                    job.created_at,
                    job.updated_at,
                    job.algorithm,
                    None,
                    None,
                    None,
                    json.dumps(metadata),
                ),
            )
            row = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM prompt_jobs WHERE org_id=? AND job_id=?",
                (self._org, job.job_id),
            ).fetchone()
        return job_from_row(row)

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        org, job_id = self._org, snapshot.job_id
        with self._db.transaction(immediate=True) as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM prompt_jobs WHERE org_id=? AND job_id=?", (org, job_id)
                ).fetchone()
                is None
            ):
                raise unknown_job(job_id)
            seq = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM prompt_snapshots WHERE org_id=? AND job_id=?",
                (org, job_id),
            ).fetchone()[0]
            conn.execute(
                "INSERT OR REPLACE INTO prompt_snapshots (org_id, job_id, snapshot_id, seq, payload, score, "
                "validation_score, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    org,
                    job_id,
                    snapshot.snapshot_id,
                    seq,
                    json.dumps(snapshot.payload),
                    snapshot.score,
                    snapshot.validation_score,
                    snapshot.created_at,
                ),
            )
            best = conn.execute(
                "SELECT snapshot_id, score, validation_score FROM prompt_snapshots WHERE org_id=? AND job_id=? "
                "AND score IS NOT NULL ORDER BY score DESC, seq ASC LIMIT 1",
                (org, job_id),
            ).fetchone()
            conn.execute(
                "UPDATE prompt_jobs SET best_snapshot_id=?, best_score=?, best_validation_score=?, "
                "updated_at=MAX(updated_at, ?) WHERE org_id=? AND job_id=?",
                (
                    best["snapshot_id"] if best else None,
                    best["score"] if best else None,
                    best["validation_score"] if best else None,
                    snapshot.created_at,
                    org,
                    job_id,
                ),
            )
            row = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM prompt_jobs WHERE org_id=? AND job_id=?", (org, job_id)
            ).fetchone()
        return job_from_row(row)
