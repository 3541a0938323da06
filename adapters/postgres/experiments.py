"""``ExperimentStore`` on PostgreSQL: workers and schedulers on many machines.

Every step that changes an experiment's jobs first takes that experiment's row lock
(``SELECT … FOR UPDATE``), so dispatch, claims, outcomes, releases, cancels and lease recovery of
one experiment are serialised as SQLite's ``BEGIN IMMEDIATE`` serialises them on one machine,
while different experiments proceed in parallel. Locks are taken experiment first, then jobs;
steps that span experiments lock them in id order, so they never deadlock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from synth_ai.adapters.postgres.database import Database
from synth_ai.adapters.sql_common.dialect import POSTGRES
from synth_ai.adapters.sql_common.experiment_journal import SqlJobJournal, SqlWorkerRegistry
from synth_ai.adapters.sql_common.experiment_reads import SqlExperimentReads
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


class PostgresExperimentStore(SqlExperimentReads, SqlJobJournal, SqlWorkerRegistry):
    """Creating, dispatch, leases and cancelling here; reads and the state recount in
    ``sql_common.experiment_reads``, progress, logs and workers in
    ``sql_common.experiment_journal`` (both shared with SQLite)."""

    _dialect = POSTGRES

    def __init__(self, database: Database):
        self._db = database

    # -- experiments ------------------------------------------------------------------------------
    def create(self, experiment: Experiment, jobs: Sequence[Job]) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO experiments ({EXPERIMENT_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                experiment_values(experiment),
            )
            marks = ", ".join(["%s"] * 19)
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO experiment_jobs ({JOB_COLUMNS}) VALUES ({marks})",
                    [job_values(j) for j in jobs],
                )

    # -- locks --------------------------------------------------------------------------------------
    @staticmethod
    def _lock(conn, experiment_ids: Iterable[str]) -> dict[str, dict]:
        """Row-lock experiments in id order; their rows (missing ids are absent)."""
        ids = sorted(set(experiment_ids))
        if not ids:
            return {}
        rows = conn.execute(
            "SELECT experiment_id, parallelism, canceled, status, started_at, finished_at "
            "FROM experiments WHERE experiment_id = ANY(%s) ORDER BY experiment_id FOR UPDATE",
            (ids,),
        ).fetchall()
        return {r["experiment_id"]: r for r in rows}

    @staticmethod
    def _experiment_of(conn, job_id: str) -> str | None:
        row = conn.execute(
            "SELECT experiment_id FROM experiment_jobs WHERE job_id = %s", (job_id,)
        ).fetchone()
        return row["experiment_id"] if row else None

    def _lock_job_experiment(self, conn, job_id: str) -> str | None:
        experiment_id = self._experiment_of(conn, job_id)
        if experiment_id is not None:
            self._lock(conn, [experiment_id])
        return experiment_id

    # -- dispatch and leases ------------------------------------------------------------------------
    def reserve_dispatch(self, experiment_id: str, now: float) -> list[Job]:
        with self._db.transaction() as conn:
            return self._reserve(conn, experiment_id, now)

    def _reserve(self, conn, experiment_id: str | None, now: float) -> list[Job]:
        if experiment_id is None:
            return []
        row = self._lock(conn, [experiment_id]).get(experiment_id)
        if row is None or row["canceled"]:
            return []
        in_flight = conn.execute(
            "SELECT COUNT(*) AS n FROM experiment_jobs WHERE experiment_id = %s AND "
            "(status = %s OR (status = %s AND dispatched_at IS NOT NULL))",
            (experiment_id, RUNNING, QUEUED),
        ).fetchone()["n"]
        slots = slots_for(row["parallelism"], in_flight)
        if slots == 0:
            return []
        rows = conn.execute(
            f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE experiment_id = %s "
            "AND status = %s AND dispatched_at IS NULL AND cancel_requested = 0 "
            "ORDER BY idx LIMIT %s",
            (experiment_id, QUEUED, slots),
        ).fetchall()
        chosen = [attrs.evolve(job_from_row(r), dispatched_at=now) for r in rows]
        if chosen:
            conn.execute(
                "UPDATE experiment_jobs SET dispatched_at = %s WHERE job_id = ANY(%s)",
                (now, [j.job_id for j in chosen]),
            )
        return chosen

    def stale_dispatches(self, older_than: float, now: float) -> list[Job]:
        where = "status = %s AND dispatched_at IS NOT NULL AND dispatched_at < %s"
        with self._db.transaction() as conn:
            candidates = conn.execute(
                f"SELECT DISTINCT experiment_id FROM experiment_jobs WHERE {where}",
                (QUEUED, older_than),
            ).fetchall()
            self._lock(conn, [r["experiment_id"] for r in candidates])
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE {where} ORDER BY job_id",
                (QUEUED, older_than),
            ).fetchall()
            if rows:
                conn.execute(
                    "UPDATE experiment_jobs SET dispatched_at = %s WHERE job_id = ANY(%s)",
                    (now, [r["job_id"] for r in rows]),
                )
        return [job_from_row(r) for r in rows]

    def claim(self, job_id: str, worker_id: str, now: float, lease_seconds: float) -> Job | None:
        with self._db.transaction() as conn:
            experiment_id = self._lock_job_experiment(conn, job_id)
            if experiment_id is None:
                return None
            row = conn.execute(
                "UPDATE experiment_jobs SET status = %s, attempts = attempts + 1, "
                "started_at = %s, lease_owner = %s, lease_expires_at = %s, finished_at = NULL "
                "WHERE job_id = %s AND status = %s AND cancel_requested = 0 "
                f"RETURNING {JOB_COLUMNS}",
                (RUNNING, now, worker_id, now + lease_seconds, job_id, QUEUED),
            ).fetchone()
            if row is None:
                return None
            job = job_from_row(row)
            state = conn.execute(
                "SELECT status FROM experiments WHERE experiment_id = %s", (experiment_id,)
            ).fetchone()
            if state is not None and state["status"] != RUNNING:  # a claim only starts one
                self._refresh(conn, experiment_id, now)
        return job

    def renew(
        self, worker_id: str, job_ids: Iterable[str], now: float, lease_seconds: float
    ) -> set[str]:
        ids = sorted(set(job_ids))
        if not ids:
            return set()
        with self._db.transaction() as conn:
            conn.execute(
                "SELECT 1 FROM experiment_jobs WHERE job_id = ANY(%s) ORDER BY job_id FOR UPDATE",
                (ids,),
            )
            conn.execute(
                "UPDATE experiment_jobs SET lease_expires_at = %s WHERE lease_owner = %s "
                "AND status = %s AND job_id = ANY(%s)",
                (now + lease_seconds, worker_id, RUNNING, ids),
            )
            rows = conn.execute(
                "SELECT job_id FROM experiment_jobs WHERE job_id = ANY(%s) AND "
                "(cancel_requested = 1 OR status <> %s OR lease_owner IS DISTINCT FROM %s)",
                (ids, RUNNING, worker_id),
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
        with self._db.transaction() as conn:
            experiment_id = self._lock_job_experiment(conn, job_id)
            return self._finish(conn, experiment_id, job_id, worker_id, status, reason, result, now)

    def finish_and_dispatch(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Outcome,
        now: float,
    ) -> tuple[bool, list[Job]]:
        with self._db.transaction() as conn:
            experiment_id = self._lock_job_experiment(conn, job_id)
            stored = self._finish(
                conn, experiment_id, job_id, worker_id, status, reason, result, now
            )
            return stored, self._reserve(conn, experiment_id, now)

    def _finish(
        self, conn, experiment_id, job_id, worker_id, status, reason, result: Outcome, now
    ) -> bool:
        if experiment_id is None:
            return False
        cur = conn.execute(
            "UPDATE experiment_jobs SET status = %s, reason = %s, result = %s, "
            "finished_at = %s, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE job_id = %s AND status = %s AND lease_owner = %s",
            (status, reason, json.dumps(dict(result)), now, job_id, RUNNING, worker_id),
        )
        if cur.rowcount != 1:
            return False
        unfinished = conn.execute(
            "SELECT 1 FROM experiment_jobs WHERE experiment_id = %s AND status IN (%s, %s) LIMIT 1",
            (experiment_id, QUEUED, RUNNING),
        ).fetchone()
        if unfinished is None:  # the last job: the experiment ends now (else it stays running)
            self._refresh(conn, experiment_id, now)
        return True

    def release(self, job_id: str, worker_id: str, now: float) -> bool:
        with self._db.transaction() as conn:
            experiment_id = self._lock_job_experiment(conn, job_id)
            if experiment_id is None:
                return False
            cur = conn.execute(
                "UPDATE experiment_jobs SET status = CASE WHEN cancel_requested = 1 THEN %s "
                "ELSE %s END, attempts = GREATEST(attempts - 1, 0), dispatched_at = NULL, "
                "lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, "
                "finished_at = CASE WHEN cancel_requested = 1 THEN %s ELSE NULL END "
                "WHERE job_id = %s AND status = %s AND lease_owner = %s",
                (CANCELED, QUEUED, now, job_id, RUNNING, worker_id),
            )
            if cur.rowcount != 1:
                return False
            self._refresh(conn, experiment_id, now)
        return True

    def recover_expired(self, now: float, max_attempts: int) -> list[Recovered]:
        where = "status = %s AND lease_expires_at < %s"
        recovered: list[Recovered] = []
        with self._db.transaction() as conn:
            candidates = conn.execute(
                f"SELECT DISTINCT experiment_id FROM experiment_jobs WHERE {where}",
                (RUNNING, now),
            ).fetchall()
            self._lock(conn, [r["experiment_id"] for r in candidates])
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE {where} ORDER BY job_id",
                (RUNNING, now),
            ).fetchall()
            for row in rows:
                job = job_from_row(row)
                status, reason = lost_job_outcome(job, max_attempts)
                conn.execute(
                    "UPDATE experiment_jobs SET status = %s, reason = %s, dispatched_at = NULL, "
                    "lease_owner = NULL, lease_expires_at = NULL, finished_at = %s "
                    "WHERE job_id = %s",
                    (status, reason, None if status == QUEUED else now, job.job_id),
                )
                recovered.append(Recovered(job, status))
            for experiment_id in sorted({r.job.experiment_id for r in recovered}):
                self._refresh(conn, experiment_id, now)
        return recovered

    def cancel(self, experiment_id: str, now: float) -> list[Job]:
        with self._db.transaction() as conn:
            self._lock(conn, [experiment_id])
            conn.execute(
                "UPDATE experiments SET canceled = 1 WHERE experiment_id = %s", (experiment_id,)
            )
            conn.execute(
                "UPDATE experiment_jobs SET status = %s, reason = 'canceled', finished_at = %s "
                "WHERE experiment_id = %s AND status = %s",
                (CANCELED, now, experiment_id, QUEUED),
            )
            conn.execute(
                "UPDATE experiment_jobs SET cancel_requested = 1 "
                "WHERE experiment_id = %s AND status = %s",
                (experiment_id, RUNNING),
            )
            self._refresh(conn, experiment_id, now)
            return [j for j in self._jobs(conn, experiment_id) if j.status == RUNNING]
