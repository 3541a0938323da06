"""``ExperimentStore`` on SQL, written once for SQLite and PostgreSQL.

Every step that changes an experiment's jobs runs in one write transaction. Where the dialect
has row locks (PostgreSQL), that step first takes the experiment's row lock (``SELECT … FOR
UPDATE``), so dispatch, claims, outcomes, releases, cancels and lease recovery of one experiment
are serialised as SQLite's ``BEGIN IMMEDIATE`` serialises them on one machine, while different
experiments proceed in parallel. Locks are taken experiment first, then jobs; steps that span
experiments lock them in id order, so they never deadlock.

Subclasses set ``_db`` (their ``Database``) and ``_dialect``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from synth_ai.adapters.sql_common.dialect import Connection, Dialect, marks
from synth_ai.adapters.sql_common.experiment_journal import SqlJobJournal, SqlWorkerRegistry
from synth_ai.adapters.wire.experiment_rows import (
    EXPERIMENT_COLUMNS,
    JOB_COLUMNS,
    experiment_from_row,
    experiment_values,
    job_from_row,
    job_values,
)
from synth_ai.domain.experiments.model import (
    CANCELED,
    QUEUED,
    RUNNING,
    TERMINAL,
    Experiment,
    Job,
    lost_job_outcome,
    slots_for,
    status_from_counts,
)
from synth_ai.ports.experiments import Recovered

Outcome = Mapping[str, Any]


class SqlExperimentStore(SqlJobJournal, SqlWorkerRegistry):
    """Experiments, jobs and leases here; progress, logs and workers in ``experiment_journal``."""

    _db: Any
    _dialect: Dialect

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._dialect.query(self._db, sql, params)

    # -- experiments ------------------------------------------------------------------------------
    def create(self, experiment: Experiment, jobs: Sequence[Job]) -> None:
        with self._dialect.transaction(self._db) as conn:
            conn.execute(
                f"INSERT INTO experiments ({EXPERIMENT_COLUMNS}) VALUES ({marks(11)})",
                experiment_values(experiment),
            )
            conn.executemany(
                f"INSERT INTO experiment_jobs ({JOB_COLUMNS}) VALUES ({marks(19)})",
                [job_values(j) for j in jobs],
            )

    def get(self, experiment_id: str) -> Experiment | None:
        rows = self._query(
            f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?",
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
        return [experiment_from_row(r) for r in self._query(sql, params)]

    def jobs(self, experiment_id: str) -> list[Job]:
        with self._dialect.connection(self._db) as conn:
            return self._jobs(conn, experiment_id)

    @staticmethod
    def _jobs(conn: Connection, experiment_id: str) -> list[Job]:
        rows = conn.execute(
            f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE experiment_id = ? ORDER BY idx",
            (experiment_id,),
        ).fetchall()
        return [job_from_row(r) for r in rows]

    def job(self, job_id: str) -> Job | None:
        rows = self._query(f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE job_id = ?", (job_id,))
        return job_from_row(rows[0]) if rows else None

    def active_experiments(self) -> list[str]:
        terminal, params = self._dialect.any_of("status", sorted(TERMINAL))
        rows = self._query(
            f"SELECT experiment_id FROM experiments WHERE NOT ({terminal}) ORDER BY created_at",
            params,
        )
        return [r["experiment_id"] for r in rows]

    # -- locks --------------------------------------------------------------------------------------
    def _experiment_rows(self, conn: Connection, experiment_ids: Iterable[str]) -> dict[str, Any]:
        """The experiments' rows, row-locked in id order where the dialect has row locks."""
        ids = sorted(set(experiment_ids))
        if not ids:
            return {}
        match, params = self._dialect.any_of("experiment_id", ids)
        rows = conn.execute(
            "SELECT experiment_id, parallelism, canceled, status, started_at, finished_at "
            f"FROM experiments WHERE {match} ORDER BY experiment_id{self._dialect.row_lock}",
            params,
        ).fetchall()
        return {r["experiment_id"]: r for r in rows}

    def _lock(self, conn: Connection, experiment_ids: Iterable[str]) -> None:
        if self._dialect.row_lock:
            self._experiment_rows(conn, experiment_ids)

    @staticmethod
    def _experiment_of(conn: Connection, job_id: str) -> str | None:
        row = conn.execute(
            "SELECT experiment_id FROM experiment_jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        return row["experiment_id"] if row else None

    def _lock_job_experiment(self, conn: Connection, job_id: str) -> str | None:
        experiment_id = self._experiment_of(conn, job_id)
        if experiment_id is not None:
            self._lock(conn, [experiment_id])
        return experiment_id

    def _locked_jobs(self, conn: Connection, where: str, params: Sequence[Any]) -> list[Any]:
        """The job rows matching ``where``, their experiments locked first."""
        if self._dialect.row_lock:
            candidates = conn.execute(
                f"SELECT DISTINCT experiment_id FROM experiment_jobs WHERE {where}", params
            ).fetchall()
            self._lock(conn, [r["experiment_id"] for r in candidates])
        return conn.execute(
            f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE {where} ORDER BY job_id", params
        ).fetchall()

    def _refresh(self, conn: Connection, experiment_id: str, now: float) -> None:
        """Recompute the experiment's state from per-state counts (no job rows loaded)."""
        row = conn.execute(
            "SELECT status, started_at, finished_at, canceled FROM experiments "
            "WHERE experiment_id = ?",
            (experiment_id,),
        ).fetchone()
        if row is None:
            return
        rows = conn.execute(
            "SELECT status, COUNT(*) AS n, MIN(started_at) AS first FROM experiment_jobs "
            "WHERE experiment_id = ? GROUP BY status",
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
                "UPDATE experiments SET status = ?, started_at = ?, finished_at = ? "
                "WHERE experiment_id = ?",
                (status, started, finished, experiment_id),
            )

    # -- dispatch and leases ------------------------------------------------------------------------
    def reserve_dispatch(self, experiment_id: str, now: float) -> list[Job]:
        with self._dialect.transaction(self._db) as conn:
            return self._reserve(conn, experiment_id, now)

    def _reserve(self, conn: Connection, experiment_id: str | None, now: float) -> list[Job]:
        if experiment_id is None:
            return []
        row = self._experiment_rows(conn, [experiment_id]).get(experiment_id)
        if row is None or row["canceled"]:
            return []
        in_flight = conn.execute(
            "SELECT COUNT(*) AS n FROM experiment_jobs WHERE experiment_id = ? AND "
            "(status = ? OR (status = ? AND dispatched_at IS NOT NULL))",
            (experiment_id, RUNNING, QUEUED),
        ).fetchone()["n"]
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
        self._mark_dispatched(conn, [j.job_id for j in chosen], now)
        return chosen

    def _mark_dispatched(self, conn: Connection, job_ids: Sequence[str], now: float) -> None:
        if job_ids:
            match, params = self._dialect.any_of("job_id", job_ids)
            conn.execute(
                f"UPDATE experiment_jobs SET dispatched_at = ? WHERE {match}", (now, *params)
            )

    def stale_dispatches(self, older_than: float, now: float) -> list[Job]:
        with self._dialect.transaction(self._db) as conn:
            rows = self._locked_jobs(
                conn,
                "status = ? AND dispatched_at IS NOT NULL AND dispatched_at < ?",
                (QUEUED, older_than),
            )
            self._mark_dispatched(conn, [r["job_id"] for r in rows], now)
        return [job_from_row(r) for r in rows]

    def _change_job(
        self, conn: Connection, job_id: str, change: str, params: Sequence[Any]
    ) -> tuple[str | None, bool]:
        """Lock the job's experiment, then ``UPDATE experiment_jobs {change}``: the experiment's
        id (None for an unknown job) and whether the job's row changed."""
        experiment_id = self._lock_job_experiment(conn, job_id)
        if experiment_id is None:
            return None, False
        return experiment_id, conn.execute(f"UPDATE experiment_jobs {change}", params).rowcount == 1

    def claim(self, job_id: str, worker_id: str, now: float, lease_seconds: float) -> Job | None:
        with self._dialect.transaction(self._db) as conn:
            experiment_id, claimed = self._change_job(
                conn,
                job_id,
                "SET status = ?, attempts = attempts + 1, started_at = ?, lease_owner = ?, "
                "lease_expires_at = ?, finished_at = NULL "
                "WHERE job_id = ? AND status = ? AND cancel_requested = 0",
                (RUNNING, now, worker_id, now + lease_seconds, job_id, QUEUED),
            )
            if experiment_id is None or not claimed:
                return None
            job = job_from_row(
                conn.execute(
                    f"SELECT {JOB_COLUMNS} FROM experiment_jobs WHERE job_id = ?", (job_id,)
                ).fetchone()
            )
            state = conn.execute(
                "SELECT status FROM experiments WHERE experiment_id = ?", (experiment_id,)
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
        match, params = self._dialect.any_of("job_id", ids)
        with self._dialect.transaction(self._db) as conn:
            if self._dialect.row_lock:
                conn.execute(
                    f"SELECT 1 FROM experiment_jobs WHERE {match} "
                    f"ORDER BY job_id{self._dialect.row_lock}",
                    params,
                )
            conn.execute(
                "UPDATE experiment_jobs SET lease_expires_at = ? WHERE lease_owner = ? "
                f"AND status = ? AND {match}",
                (now + lease_seconds, worker_id, RUNNING, *params),
            )
            rows = conn.execute(
                f"SELECT job_id FROM experiment_jobs WHERE {match} AND (cancel_requested = 1 "
                "OR status <> ? OR lease_owner IS NULL OR lease_owner <> ?)",
                (*params, RUNNING, worker_id),
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
        return self._finish_step(job_id, worker_id, status, reason, result, now, dispatch=False)[0]

    def finish_and_dispatch(
        self,
        job_id: str,
        worker_id: str,
        status: str,
        reason: str | None,
        result: Outcome,
        now: float,
    ) -> tuple[bool, list[Job]]:
        return self._finish_step(job_id, worker_id, status, reason, result, now, dispatch=True)

    def _finish_step(
        self, job_id, worker_id, status, reason, result: Outcome, now, *, dispatch: bool
    ) -> tuple[bool, list[Job]]:
        """The outcome stored if the worker still holds the lease, then (with ``dispatch``,
        whether or not it was stored) the experiment's next jobs reserved."""
        with self._dialect.transaction(self._db) as conn:
            experiment_id, stored = self._change_job(
                conn,
                job_id,
                "SET status = ?, reason = ?, result = ?, finished_at = ?, lease_owner = NULL, "
                "lease_expires_at = NULL WHERE job_id = ? AND status = ? AND lease_owner = ?",
                (status, reason, json.dumps(dict(result)), now, job_id, RUNNING, worker_id),
            )
            if experiment_id is not None and stored:
                unfinished = conn.execute(
                    "SELECT 1 FROM experiment_jobs WHERE experiment_id = ? "
                    "AND status IN (?, ?) LIMIT 1",
                    (experiment_id, QUEUED, RUNNING),
                ).fetchone()
                if unfinished is None:  # the last job: the experiment ends now
                    self._refresh(conn, experiment_id, now)
            return stored, (self._reserve(conn, experiment_id, now) if dispatch else [])

    def release(self, job_id: str, worker_id: str, now: float) -> bool:
        with self._dialect.transaction(self._db) as conn:
            experiment_id, released = self._change_job(
                conn,
                job_id,
                "SET status = CASE WHEN cancel_requested = 1 THEN ? ELSE ? END, "
                "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, "
                "dispatched_at = NULL, lease_owner = NULL, lease_expires_at = NULL, "
                "started_at = NULL, "
                "finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END "
                "WHERE job_id = ? AND status = ? AND lease_owner = ?",
                (CANCELED, QUEUED, now, job_id, RUNNING, worker_id),
            )
            if experiment_id is None or not released:
                return False
            self._refresh(conn, experiment_id, now)
        return True

    def recover_expired(self, now: float, max_attempts: int) -> list[Recovered]:
        recovered: list[Recovered] = []
        with self._dialect.transaction(self._db) as conn:
            rows = self._locked_jobs(conn, "status = ? AND lease_expires_at < ?", (RUNNING, now))
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
            for experiment_id in sorted({r.job.experiment_id for r in recovered}):
                self._refresh(conn, experiment_id, now)
        return recovered

    def cancel(self, experiment_id: str, now: float) -> list[Job]:
        with self._dialect.transaction(self._db) as conn:
            self._lock(conn, [experiment_id])
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
