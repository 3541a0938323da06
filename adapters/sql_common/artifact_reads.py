"""The artifact catalog's reads, written once for SQLite and PostgreSQL: listing (one indexed
query per category with ``LIMIT``, plus an indexed ``COUNT``) and lookups by id. Mixed into
``SqliteArtifactCatalog`` and ``PostgresArtifactCatalog``, which set ``_dialect`` and keep the
writes, where the dialects differ."""

from __future__ import annotations

from typing import Any

from synth_ai.adapters.sql_common.dialect import Dialect
from synth_ai.adapters.wire.artifact_rows import (
    JOB_COLUMNS,
    MODEL_COLUMNS,
    SNAPSHOT_COLUMNS,
    job_from_row,
    model_from_row,
    snapshot_from_row,
)
from synth_ai.domain.artifacts.errors import UnknownArtifactId, UnknownSnapshot
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.ports.artifacts import ArtifactListing


class SqlArtifactReads:
    _db: Any
    _dialect: Dialect
    _org: str

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        where, params = "org_id = ?", [self._org]
        if status:
            where += " AND status = ?"
            params.append(status)
        models: list[ModelArtifact] = []
        prompts: list[PromptJob] = []
        total = 0
        if kind in ("models", "all"):
            models = [
                model_from_row(r)
                for r in self._query(
                    f"SELECT {MODEL_COLUMNS} FROM artifact_models WHERE {where} "
                    "ORDER BY created_at DESC, id LIMIT ?",
                    (*params, limit),
                )
            ]
            total += self._count("artifact_models", where, params)
        if kind in ("prompts", "all"):
            prompts = [
                job_from_row(r)
                for r in self._query(
                    f"SELECT {JOB_COLUMNS} FROM prompt_jobs WHERE {where} "
                    "ORDER BY created_at DESC, job_id LIMIT ?",
                    (*params, limit),
                )
            ]
            total += self._count("prompt_jobs", where, params)
        return ArtifactListing.newest(models, prompts, limit, total)

    def get_model(self, model_id: str) -> ModelArtifact:
        rows = self._query(
            f"SELECT {MODEL_COLUMNS} FROM artifact_models WHERE org_id = ? AND id = ?",
            (self._org, model_id),
        )
        if not rows:
            raise UnknownArtifactId(
                f"no model with id {model_id!r} — list them with "
                "'synth-ai artifacts list --type models'",
                param="id",
            )
        return model_from_row(rows[0])

    def get_prompt_job(self, job_id: str) -> PromptJob:
        rows = self._query(
            f"SELECT {JOB_COLUMNS} FROM prompt_jobs WHERE org_id = ? AND job_id = ?",
            (self._org, job_id),
        )
        if not rows:
            raise unknown_job(job_id)
        return job_from_row(rows[0])

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        rows = self._query(
            f"SELECT {SNAPSHOT_COLUMNS} FROM prompt_snapshots "
            "WHERE org_id = ? AND job_id = ? AND snapshot_id = ?",
            (self._org, job_id, snapshot_id),
        )
        if not rows:
            self.get_prompt_job(job_id)
            raise UnknownSnapshot(
                f"job {job_id} has no snapshot {snapshot_id!r}", param="snapshot_id"
            )
        return snapshot_from_row(rows[0])

    def list_snapshots(self, job_id: str) -> list[PromptSnapshot]:
        self.get_prompt_job(job_id)
        return [
            snapshot_from_row(r)
            for r in self._query(
                f"SELECT {SNAPSHOT_COLUMNS} FROM prompt_snapshots "
                "WHERE org_id = ? AND job_id = ? ORDER BY seq",
                (self._org, job_id),
            )
        ]

    def _query(self, sql: str, params: tuple) -> list:
        return self._db.query(self._dialect.sql(sql), params)

    def _count(self, table: str, where: str, params: list) -> int:
        return self._query(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", tuple(params))[0][
            "n"
        ]


def unknown_job(job_id: str) -> UnknownArtifactId:
    return UnknownArtifactId(
        f"no prompt job with id {job_id!r} — list them with "
        "'synth-ai artifacts list --type prompts'",
        param="job_id",
    )
