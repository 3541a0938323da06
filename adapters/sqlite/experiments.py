"""``ExperimentStore`` on SQLite: one machine, many worker processes (WAL, BEGIN IMMEDIATE)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from synth_ai.adapters.sql_common.dialect import SQLITE
from synth_ai.adapters.sql_common.experiment_journal import SqlJobJournal, SqlWorkerRegistry
from synth_ai.adapters.sql_common.experiment_reads import SqlExperimentReads
from synth_ai.adapters.sqlite.database import Database
from synth_ai.adapters.wire.experiment_rows import (
    EXPERIMENT_COLUMNS,
    JOB_COLUMNS,
    experiment_values,
    job_from_row,
    job_values,
)
from synth_ai.domain.experiments.model import (
    CANCELED,
    QUEUED,
    RUNNING,
    Experiment,
    Job,
    lost_job_outcome,
    slots_for,
)
from synth_ai.ports.experiments import Recovered

Outcome = Mapping[str, Any]


class SqliteExperimentStore(SqlExperimentReads, SqlJobJournal, SqlWorkerRegistry):
    """Creating, dispatch, leases and cancelling here; reads and the state recount in
    ``sql_common.experiment_reads``, progress, logs and workers in
    ``sql_common.experiment_journal`` (both shared with PostgreSQL)."""

    _dialect = SQLITE

    def __init__(self, database: Database):
        self._db = database

    # -- experiments ------------------------------------------------------------------------------
    def create(self, experiment: Experiment, jobs: Sequence[Job]) -> None:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                f"INSERT INTO experiments ({EXPERIMENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                experiment_values(experiment),
            )
            conn.executemany(
                f"INSERT INTO experiment_jobs ({JOB_COLUMNS}) VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [job_values(j) for j in jobs],
            )

    # -- dispatch and leases ------------------------------------------------------------------------
    def reserve_dispatch(self, experiment_id: str, now: float) -> list[Job]:
        with self._db.transaction(immediate=True) as conn:
            return self._reserve(conn, experiment_id, now)

    def _reserve(self, conn, experiment_id: str, now: float) -> list[Job]:
        row = conn.execute(
            "SELECT parallelism, canceled FROM experiments WHERE experiment_id = ?",
            (experiment_id,),
        ).fetchone()
        if row is None or row["canceled"]:
            return []
        in_flight = conn.execute(
            "SELECT COUNT(*) FROM experiment_jobs WHERE experiment_id = ? AND "
            "(status = ? OR (status = ? AND dispatched_at IS NOT NULL))",
            (experiment_id, RUNNING, QUEUED),
        ).fetchone()[0]
        slots = slots_for(row["parallelism"], in_flight)
        if slots == 0:
            return []
        rows = conn.execute(
            f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE experiment_id = ? "
            "AND status = ? AND dispatched_at IS NULL AND cancel_requested = 0 "
            "ORDER BY idx LIMIT ?",
            (experiment_id, QUEUED, slots),
        ).fetchall()
        chosen = [attrs.evolve(job_from_row(r), dispatched_at=now) for r in rows]
        conn.executemany(
            "UPDATE experiment_jobs SET dispatched_at = ? WHERE job_id = ?",
            [(now, j.job_id) for j in chosen],
        )
        return chosen

    def stale_dispatches(self, older_than: float, now: float) -> list[Job]:
        with self._db.transaction(immediate=True) as conn:
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE status = ? "
                "AND dispatched_at IS NOT NULL AND dispatched_at < ?",
                (QUEUED, older_than),
            ).fetchall()
            conn.executemany(
                "UPDATE experiment_jobs SET dispatched_at = ? WHERE job_id = ?",
                [(now, r["job_id"]) for r in rows],
            )
        return [job_from_row(r) for r in rows]

    def claim(self, job_id: str, worker_id: str, now: float, lease_seconds: float) -> Job | None:
        with self._db.transaction(immediate=True) as conn:
            cur = conn.execute(
                "UPDATE experiment_jobs SET status = ?, attempts = attempts + 1, "
                "started_at = ?, lease_owner = ?, lease_expires_at = ?, finished_at = NULL "
                "WHERE job_id = ? AND status = ? AND cancel_requested = 0",
                (RUNNING, now, worker_id, now + lease_seconds, job_id, QUEUED),
            )
            if cur.rowcount != 1:
                return None
            job = job_from_row(
                conn.execute(
                    f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE job_id = ?", (job_id,)
                ).fetchone()
            )
            state = conn.execute(
                "SELECT status FROM experiments WHERE experiment_id = ?", (job.experiment_id,)
            ).fetchone()
            if state is not None and state["status"] != RUNNING:  # a claim only starts one
                self._refresh(conn, job.experiment_id, now)
        return job

    def renew(
        self, worker_id: str, job_ids: Iterable[str], now: float, lease_seconds: float
    ) -> set[str]:
        ids = list(job_ids)
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                f"UPDATE experiment_jobs SET lease_expires_at = ? WHERE lease_owner = ? "
                f"AND status = ? AND job_id IN ({marks})",
                (now + lease_seconds, worker_id, RUNNING, *ids),
            )
            rows = conn.execute(
                f"SELECT job_id FROM experiment_jobs WHERE job_id IN ({marks}) AND "
                "(cancel_requested = 1 OR status != ? OR lease_owner IS NOT ?)",
                (*ids, RUNNING, worker_id),
            ).fetchall()
        return {r["job_id"] for r in rows}

    def finish(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Outcome,
        now: float,
    ) -> bool:
        with self._db.transaction(immediate=True) as conn:
            return self._finish(conn, job_id, worker_id, status, reason, result, now)

    def finish_and_dispatch(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Outcome,
        now: float,
    ) -> tuple[bool, list[Job]]:
        with self._db.transaction(immediate=True) as conn:
            stored = self._finish(conn, job_id, worker_id, status, reason, result, now)
            return stored, self._reserve(conn, self._experiment_of(conn, job_id), now)

    def _finish(self, conn, job_id, worker_id, status, reason, result: Outcome, now) -> bool:
        cur = conn.execute(
            "UPDATE experiment_jobs SET status = ?, reason = ?, result = ?, finished_at = ?, "
            "lease_owner = NULL, lease_expires_at = NULL "
            "WHERE job_id = ? AND status = ? AND lease_owner = ?",
            (status, reason, json.dumps(dict(result)), now, job_id, RUNNING, worker_id),
        )
        if cur.rowcount != 1:
            return False
        experiment_id = self._experiment_of(conn, job_id)
        unfinished = conn.execute(
            "SELECT 1 FROM experiment_jobs WHERE experiment_id = ? AND status IN (?, ?) LIMIT 1",
            (experiment_id, QUEUED, RUNNING),
        ).fetchone()
        if unfinished is None:  # the last job: the experiment ends now (else it stays running)
            self._refresh(conn, experiment_id, now)
        return True

    def release(self, job_id: str, worker_id: str, now: float) -> bool:
        with self._db.transaction(immediate=True) as conn:
            cur = conn.execute(
                "UPDATE experiment_jobs SET status = CASE WHEN cancel_requested = 1 THEN ? "
                "ELSE ? END, attempts = MAX(attempts - 1, 0), dispatched_at = NULL, "
                "lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, "
                "finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END "
                "WHERE job_id = ? AND status = ? AND lease_owner = ?",
                (CANCELED, QUEUED, now, job_id, RUNNING, worker_id),
            )
            if cur.rowcount != 1:
                return False
            self._refresh(conn, self._experiment_of(conn, job_id), now)
        return True

    def _experiment_of(self, conn, job_id: str) -> str:
        return conn.execute(
            "SELECT experiment_id FROM experiment_jobs WHERE job_id = ?", (job_id,)
        ).fetchone()["experiment_id"]

    def recover_expired(self, now: float, max_attempts: int) -> list[Recovered]:
        recovered: list[Recovered] = []
        with self._db.transaction(immediate=True) as conn:
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE status = ? "
                "AND lease_expires_at < ?",
                (RUNNING, now),
            ).fetchall()
            for row in rows:
                job = job_from_row(row)
                status, reason = lost_job_outcome(job, max_attempts)
                conn.execute(
                    "UPDATE experiment_jobs SET status = ?, reason = ?, dispatched_at = NULL, "
                    "lease_owner = NULL, lease_expires_at = NULL, finished_at = ? "
                    "WHERE job_id = ?",
                    (status, reason, None if status == QUEUED else now, job.job_id),
                )
                recovered.append(Recovered(job, status))
            for experiment_id in {r.job.experiment_id for r in recovered}:
                self._refresh(conn, experiment_id, now)
        return recovered

    def cancel(self, experiment_id: str, now: float) -> list[Job]:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                "UPDATE experiments SET canceled = 1 WHERE experiment_id = ?", (experiment_id,)
            )
            conn.execute(
                "UPDATE experiment_jobs SET status = ?, reason = 'canceled', finished_at = ? "
                "WHERE experiment_id = ? AND status = ?",
                (CANCELED, now, experiment_id, QUEUED),
            )
            conn.execute(
                "UPDATE experiment_jobs SET cancel_requested = 1 "
                "WHERE experiment_id = ? AND status = ?",
                (experiment_id, RUNNING),
            )
            self._refresh(conn, experiment_id, now)
            return [j for j in self._jobs(conn, experiment_id) if j.status == RUNNING]
