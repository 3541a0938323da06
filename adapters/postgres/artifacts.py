"""The artifact catalog on PostgreSQL, one org per catalog object.

Lists are one indexed query per category with ``LIMIT`` (plus an indexed ``COUNT``). Storing a
snapshot locks its job row (``FOR UPDATE``) and recomputes the job's best snapshot in the same
transaction, so snapshots arriving from several workers at once keep their order and the best.
"""

from __future__ import annotations

import json

from synth_ai.adapters.postgres.database import Database
from synth_ai.domain.artifacts.errors import UnknownArtifactId, UnknownSnapshot
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.ports.artifacts import ArtifactListing

_MODEL_COLS = "id, kind, base_model, job_id, status, created_at, weights_path, metadata"
_JOB_COLS = (
    "job_id, status, created_at, updated_at, algorithm, best_score, best_validation_score, "
    "best_snapshot_id, metadata"
)
_SNAPSHOT_COLS = "job_id, snapshot_id, payload, score, validation_score, created_at"


def _model(row: dict) -> ModelArtifact:
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


def _job(row: dict) -> PromptJob:
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


def _snapshot(row: dict) -> PromptSnapshot:
    return PromptSnapshot(
        row["snapshot_id"],
        row["job_id"],
        json.loads(row["payload"]),
        row["created_at"],
        row["score"],
        row["validation_score"],
    )


class PostgresArtifactCatalog:
    def __init__(self, database: Database, org_id: str):
        self._db = database
        self._org = org_id

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO artifact_models (org_id, {_MODEL_COLS}) "
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
                f"INSERT INTO prompt_jobs (org_id, {_JOB_COLS}) "
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
                f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE org_id = %s AND job_id = %s",
                (self._org, job.job_id),
            ).fetchone()
        return _job(row)

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
                raise _unknown_job(job_id)
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
                f"WHERE org_id = %s AND job_id = %s RETURNING {_JOB_COLS}",
                (
                    best["snapshot_id"] if best else None,
                    best["score"] if best else None,
                    best["validation_score"] if best else None,
                    snapshot.created_at,
                    org,
                    job_id,
                ),
            ).fetchone()
        return _job(row)

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        where, params = "org_id = %s", [self._org]
        if status:
            where += " AND status = %s"
            params.append(status)
        models: list[ModelArtifact] = []
        prompts: list[PromptJob] = []
        total = 0
        if kind in ("models", "all"):
            models = [
                _model(r)
                for r in self._db.query(
                    f"SELECT {_MODEL_COLS} FROM artifact_models WHERE {where} "
                    "ORDER BY created_at DESC, id LIMIT %s",
                    (*params, limit),
                )
            ]
            total += self._count("artifact_models", where, params)
        if kind in ("prompts", "all"):
            prompts = [
                _job(r)
                for r in self._db.query(
                    f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE {where} "
                    "ORDER BY created_at DESC, job_id LIMIT %s",
                    (*params, limit),
                )
            ]
            total += self._count("prompt_jobs", where, params)
        return ArtifactListing.newest(models, prompts, limit, total)

    def _count(self, table: str, where: str, params: list) -> int:
        return self._db.query(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", tuple(params))[0][
            "n"
        ]

    def get_model(self, model_id: str) -> ModelArtifact:
        rows = self._db.query(
            f"SELECT {_MODEL_COLS} FROM artifact_models WHERE org_id = %s AND id = %s",
            (self._org, model_id),
        )
        if not rows:
            raise UnknownArtifactId(
                f"no model with id {model_id!r} — list them with "
                "'synth-ai artifacts list --type models'",
                param="id",
            )
        return _model(rows[0])

    def get_prompt_job(self, job_id: str) -> PromptJob:
        rows = self._db.query(
            f"SELECT {_JOB_COLS} FROM prompt_jobs WHERE org_id = %s AND job_id = %s",
            (self._org, job_id),
        )
        if not rows:
            raise _unknown_job(job_id)
        return _job(rows[0])

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        rows = self._db.query(
            f"SELECT {_SNAPSHOT_COLS} FROM prompt_snapshots "
            "WHERE org_id = %s AND job_id = %s AND snapshot_id = %s",
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
                f"SELECT {_SNAPSHOT_COLS} FROM prompt_snapshots "
                "WHERE org_id = %s AND job_id = %s ORDER BY seq",
                (self._org, job_id),
            )
        ]


def _unknown_job(job_id: str) -> UnknownArtifactId:
    return UnknownArtifactId(
        f"no prompt job with id {job_id!r} — list them with "
        "'synth-ai artifacts list --type prompts'",
        param="job_id",
    )
