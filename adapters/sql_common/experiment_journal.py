"""The SQL experiment store's side records, written once for SQLite and PostgreSQL: job
progress, logs and checkpoints, the worker registry (heartbeats) and the scheduler lease.
Mixed into ``SqlExperimentStore``, which supplies ``_db`` and ``_dialect``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from synth_ai.adapters.sql_common.dialect import Dialect
from synth_ai.ports.experiments import WorkerRecord

# The advisory-lock namespace of a job's log (PostgreSQL): the same on every replica.
LOG_LOCK_NAMESPACE = 5


class SqlJobJournal:
    _db: Any
    _dialect: Dialect

    def record_progress(self, job_id: str, fields: Mapping[str, Any], now: float) -> None:
        with self._dialect.transaction(self._db) as conn:
            row = conn.execute(
                f"SELECT progress FROM experiment_jobs WHERE job_id = ?{self._dialect.row_lock}",
                (job_id,),
            ).fetchone()
            if row is None:
                return
            progress = {**json.loads(row["progress"]), **dict(fields), "updated_at": now}
            conn.execute(
                "UPDATE experiment_jobs SET progress = ? WHERE job_id = ?",
                (json.dumps(progress), job_id),
            )

    def append_log(self, job_id: str, lines: Sequence[str]) -> None:
        if not lines:
            return
        with self._dialect.transaction(self._db) as conn:
            # Two writers of one job's log take turns, so their line numbers never collide.
            self._dialect.serialize(conn, LOG_LOCK_NAMESPACE, job_id)
            start = conn.execute(
                "SELECT COALESCE(MAX(seq) + 1, 0) AS start FROM experiment_logs WHERE job_id = ?",
                (job_id,),
            ).fetchone()["start"]
            conn.executemany(
                "INSERT INTO experiment_logs (job_id, seq, line) VALUES (?, ?, ?)",
                [(job_id, start + i, line) for i, line in enumerate(lines)],
            )

    def read_log(self, job_id: str, offset: int = 0) -> tuple[list[str], int]:
        rows = self._dialect.query(
            self._db,
            "SELECT seq, line FROM experiment_logs WHERE job_id = ? AND seq >= ? ORDER BY seq",
            (job_id, offset),
        )
        return [r["line"] for r in rows], (rows[-1]["seq"] + 1 if rows else offset)

    def save_checkpoint(self, job_id: str, state: Mapping[str, Any]) -> None:
        with self._dialect.transaction(self._db) as conn:
            conn.execute(
                "UPDATE experiment_jobs SET checkpoint = ? WHERE job_id = ?",
                (json.dumps(dict(state)), job_id),
            )

    def load_checkpoint(self, job_id: str) -> Mapping[str, Any] | None:
        rows = self._dialect.query(
            self._db, "SELECT checkpoint FROM experiment_jobs WHERE job_id = ?", (job_id,)
        )
        return json.loads(rows[0]["checkpoint"]) if rows and rows[0]["checkpoint"] else None


class SqlWorkerRegistry:
    _db: Any
    _dialect: Dialect

    def heartbeat_worker(self, record: WorkerRecord) -> None:
        data = {
            "worker_id": record.worker_id,
            "host": record.host,
            "pid": record.pid,
            "concurrency": record.concurrency,
            "broker": record.broker,
            "home": record.home,
            "running": list(record.running),
            "started_at": record.started_at,
            "heartbeat_at": record.heartbeat_at,
        }
        with self._dialect.transaction(self._db) as conn:
            conn.execute(
                "INSERT INTO experiment_workers (worker_id, record) VALUES (?, ?) "
                "ON CONFLICT (worker_id) DO UPDATE SET record = excluded.record",
                (record.worker_id, json.dumps(data)),
            )

    def remove_worker(self, worker_id: str) -> None:
        with self._dialect.transaction(self._db) as conn:
            conn.execute("DELETE FROM experiment_workers WHERE worker_id = ?", (worker_id,))

    def workers(self) -> list[WorkerRecord]:
        records = []
        for row in self._dialect.query(self._db, "SELECT record FROM experiment_workers"):
            data = json.loads(row["record"])
            data["running"] = tuple(data["running"])
            records.append(WorkerRecord(**data))
        return sorted(records, key=lambda r: (r.host, r.pid))

    def try_lead(self, name: str, owner: str, now: float, ttl: float) -> bool:
        """One statement: taken when free, lapsed or already ours (row-locked by the upsert)."""
        with self._dialect.transaction(self._db) as conn:
            taken = conn.execute(
                "INSERT INTO experiment_leases (name, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                "expires_at = excluded.expires_at "
                "WHERE experiment_leases.owner = excluded.owner "
                "OR experiment_leases.expires_at <= ?",
                (name, owner, now + ttl, now),
            ).rowcount
        return taken == 1
