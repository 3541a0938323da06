"""The artifact catalog in the shared SQLite file, one org per catalog object.

Lists are one indexed query per category with ``LIMIT`` (plus an indexed ``COUNT``), so
listing stays fast with tens of thousands of artifacts. The best snapshot of a job is
recomputed inside the same ``BEGIN IMMEDIATE`` transaction that stores a snapshot.
"""

from __future__ import annotations

import json
import sqlite3

from synth_ai.adapters.sqlite.database import Database
from synth_ai.domain.artifacts.errors import UnknownArtifactId, UnknownSnapshot
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.ports.artifacts import ArtifactListing

_MODEL_COLS = "id, kind, base_model, job_id, status, created_at, weights_path, metadata"
_JOB_COLS = (
    "job_id, status, created_at, updated_at, algorithm, best_score, best_validation_score, "
    "best_snapshot_id, metadata"
)


def _model(row: sqlite3.Row) -> ModelArtifact:
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


def _job(row: sqlite3.Row) -> PromptJob:
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


def _snapshot(row: sqlite3.Row) -> PromptSnapshot:
    return PromptSnapshot(
        row["snapshot_id"],
        row["job_id"],
        json.loads(row["payload"]),
        row["created_at"],
        row["score"],
        row["validation_score"],
    )


class SqliteArtifactCatalog:
    def __init__(self, database: Database, org_id: str):
        self._db = database
        self._org = org_id

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO artifact_models (org_id, {_MODEL_COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
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
                f"INSERT INTO prompt_jobs (org_id, {_JOB_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?) "
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
                f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE org_id=? AND job_id=?",
                (self._org, job.job_id),
            ).fetchone()
        return _job(row)

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        org, job_id = self._org, snapshot.job_id
        with self._db.transaction(immediate=True) as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM prompt_jobs WHERE org_id=? AND job_id=?", (org, job_id)
                ).fetchone()
                is None
            ):
                raise _unknown_job(job_id)
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
                f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE org_id=? AND job_id=?", (org, job_id)
            ).fetchone()
        return _job(row)

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        where, params = "org_id=?", [self._org]
        if status:
            where += " AND status=?"
            params.append(status)
        models: list[ModelArtifact] = []
        prompts: list[PromptJob] = []
        total = 0
        if kind in ("models", "all"):
            models = [
                _model(r)
                for r in self._db.query(
                    f"SELECT {_MODEL_COLS} FROM artifact_models WHERE {where} ORDER BY created_at DESC, id LIMIT ?",
                    (*params, limit),
                )
            ]
            total += self._db.query(
                f"SELECT COUNT(*) FROM artifact_models WHERE {where}", tuple(params)
            )[0][0]
        if kind in ("prompts", "all"):
            prompts = [
                _job(r)
                for r in self._db.query(
                    f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE {where} ORDER BY created_at DESC, job_id LIMIT ?",
                    (*params, limit),
                )
            ]
            total += self._db.query(
                f"SELECT COUNT(*) FROM prompt_jobs WHERE {where}", tuple(params)
            )[0][0]
        return ArtifactListing.newest(models, prompts, limit, total)

    def get_model(self, model_id: str) -> ModelArtifact:
        rows = self._db.query(
            f"SELECT {_MODEL_COLS} FROM artifact_models WHERE org_id=? AND id=?",
            (self._org, model_id),
        )
        if not rows:
            raise UnknownArtifactId(
                f"no model with id {model_id!r} — list them with 'synth-ai artifacts list --type models'",
                param="id",
            )
        return _model(rows[0])

    def get_prompt_job(self, job_id: str) -> PromptJob:
        rows = self._db.query(
            f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE org_id=? AND job_id=?", (self._org, job_id)
        )
        if not rows:
            raise _unknown_job(job_id)
        return _job(rows[0])

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        rows = self._db.query(
            "SELECT job_id, snapshot_id, payload, score, validation_score, created_at FROM prompt_snapshots "
            "WHERE org_id=? AND job_id=? AND snapshot_id=?",
            (self._org, job_id, snapshot_id),
        )
        if not rows:
            self.get_prompt_job(job_id)
            raise UnknownSnapshot(
                f"job {job_id} has no snapshot {snapshot_id!r}", param="snapshot_id"
            )
        return _snapshot(rows[0])

    def list_snapshots(self, job_id: str) -> list[PromptSnapshot]:
        self.get_prompt_job(job_id)
        return [
            _snapshot(r)
            for r in self._db.query(
                "SELECT job_id, snapshot_id, payload, score, validation_score, created_at FROM prompt_snapshots "
                "WHERE org_id=? AND job_id=? ORDER BY seq",
                (self._org, job_id),
            )
        ]


def _unknown_job(job_id: str) -> UnknownArtifactId:
    return UnknownArtifactId(
        f"no prompt job with id {job_id!r} — list them with 'synth-ai artifacts list --type prompts'",
        param="job_id",
    )
