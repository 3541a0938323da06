"""The SQL experiment stores' reads and their state recount, written once for SQLite and
PostgreSQL. Mixed into ``SqliteExperimentStore`` and ``PostgresExperimentStore``, which set
``_dialect`` and keep dispatch, leases and cancelling, where their locking differs."""

from __future__ import annotations

from typing import Any

from synth_ai.adapters.sql_common.dialect import Dialect
from synth_ai.adapters.wire.experiment_rows import (
    EXPERIMENT_COLUMNS,
    JOB_COLUMNS,
    experiment_from_row,
    job_from_row,
)
from synth_ai.domain.experiments.model import TERMINAL, Experiment, Job, status_from_counts


class SqlExperimentReads:
    _db: Any
    _dialect: Dialect

    def get(self, experiment_id: str) -> Experiment | None:
        rows = self._db.query(
            self._dialect.sql(
                f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?"
            ),
            (experiment_id,),
        )
        return experiment_from_row(rows[0]) if rows else None

    def list(self, *, org_id: str | None, status: str | None = None, limit: int = 50):
        sql, params = f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE 1 = 1", []
        if org_id is not None:
            sql += " AND org_id = ?"
            params.append(org_id)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        sql += " ORDER BY created_at DESC, experiment_id DESC LIMIT ?"
        params.append(limit)
        rows = self._db.query(self._dialect.sql(sql), tuple(params))
        return [experiment_from_row(r) for r in rows]

    def jobs(self, experiment_id: str) -> list[Job]:
        rows = self._db.query(self._dialect.sql(_JOBS), (experiment_id,))
        return [job_from_row(r) for r in rows]

    def _jobs(self, conn, experiment_id: str) -> list[Job]:
        """The experiment's jobs, read inside the caller's transaction."""
        rows = conn.execute(self._dialect.sql(_JOBS), (experiment_id,)).fetchall()
        return [job_from_row(r) for r in rows]

    def job(self, job_id: str) -> Job | None:
        rows = self._db.query(
            self._dialect.sql(f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE job_id = ?"),
            (job_id,),
        )
        return job_from_row(rows[0]) if rows else None

    def active_experiments(self) -> list[str]:
        placeholders = ", ".join("?" * len(TERMINAL))
        rows = self._db.query(
            self._dialect.sql(
                f"SELECT experiment_id FROM experiments WHERE status NOT IN ({placeholders}) "
                "ORDER BY created_at"
            ),
            tuple(TERMINAL),
        )
        return [r["experiment_id"] for r in rows]

    def _refresh(self, conn, experiment_id: str, now: float) -> None:
        """Recompute the experiment's state from per-state counts (no job rows loaded), inside
        the caller's transaction (which holds the experiment's row, or the write lock)."""
        q = self._dialect.sql
        row = conn.execute(
            q(
                "SELECT status, started_at, finished_at, canceled FROM experiments "
                "WHERE experiment_id = ?"
            ),
            (experiment_id,),
        ).fetchone()
        if row is None:
            return
        rows = conn.execute(
            q(
                "SELECT status, COUNT(*) AS n, MIN(started_at) AS first FROM experiment_jobs "
                "WHERE experiment_id = ? GROUP BY status"
            ),
            (experiment_id,),
        ).fetchall()
        status = status_from_counts(
            {r["status"]: r["n"] for r in rows}, canceled=bool(row["canceled"])
        )
        started = row["started_at"]
        if started is None:
            firsts = [r["first"] for r in rows if r["first"] is not None]
            started = min(firsts) if firsts else None
        finished = (row["finished_at"] or now) if status in TERMINAL else None
        if (status, started, finished) != (row["status"], row["started_at"], row["finished_at"]):
            conn.execute(
                q(
                    "UPDATE experiments SET status = ?, started_at = ?, finished_at = ? "
                    "WHERE experiment_id = ?"
                ),
                (status, started, finished, experiment_id),
            )


_JOBS = f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE experiment_id = ? ORDER BY idx"
