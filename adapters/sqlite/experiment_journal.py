"""The SQLite experiment store's side records: job progress, logs and checkpoints, the worker
registry (heartbeats) and the scheduler lease. Mixed into ``SqliteExperimentStore``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from synth_ai.ports.experiments import WorkerRecord


class SqliteJobJournal:
    _db: Any

    def record_progress(self, job_id: str, fields: Mapping[str, Any], now: float) -> None:
        with self._db.transaction(immediate=True) as conn:
            row = conn.execute(
                "SELECT progress FROM experiment_jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return
            progress = {**json.loads(row["progress"]), **dict(fields), "updated_at": now}
            conn.execute(
                "UPDATE experiment_jobs SET progress = ? WHERE job_id = ?",
                (json.dumps(progress), job_id),
            )

    def append_log(self, job_id: str, lines: Sequence[str]) -> None:
        with self._db.transaction(immediate=True) as conn:
            start = conn.execute(
                "SELECT COALESCE(MAX(seq) + 1, 0) FROM experiment_logs WHERE job_id = ?", (job_id,)
            ).fetchone()[0]
            conn.executemany(
                "INSERT INTO experiment_logs VALUES (?,?,?)",
                [(job_id, start + i, line) for i, line in enumerate(lines)],
            )

    def read_log(self, job_id: str, offset: int = 0) -> tuple[list[str], int]:
        rows = self._db.query(
            "SELECT seq, line FROM experiment_logs WHERE job_id = ? AND seq >= ? ORDER BY seq",
            (job_id, offset),
        )
        return [r["line"] for r in rows], (rows[-1]["seq"] + 1 if rows else offset)

    def save_checkpoint(self, job_id: str, state: Mapping[str, Any]) -> None:
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                "UPDATE experiment_jobs SET checkpoint = ? WHERE job_id = ?",
                (json.dumps(dict(state)), job_id),
            )

    def load_checkpoint(self, job_id: str) -> Mapping[str, Any] | None:
        rows = self._db.query("SELECT checkpoint FROM experiment_jobs WHERE job_id = ?", (job_id,))
        return json.loads(rows[0]["checkpoint"]) if rows and rows[0]["checkpoint"] else None


class SqliteWorkerRegistry:
    _db: Any

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
        with self._db.transaction(immediate=True) as conn:
            conn.execute(
                "INSERT INTO experiment_workers VALUES (?, ?) "
                "ON CONFLICT(worker_id) DO UPDATE SET record = excluded.record",
                (record.worker_id, json.dumps(data)),
            )

    def remove_worker(self, worker_id: str) -> None:
        with self._db.transaction(immediate=True) as conn:
            conn.execute("DELETE FROM experiment_workers WHERE worker_id = ?", (worker_id,))

    def workers(self) -> list[WorkerRecord]:
        records = []
        for row in self._db.query("SELECT record FROM experiment_workers"):
            data = json.loads(row["record"])
            data["running"] = tuple(data["running"])
            records.append(WorkerRecord(**data))
        return sorted(records, key=lambda r: (r.host, r.pid))

    def try_lead(self, name: str, owner: str, now: float, ttl: float) -> bool:
        with self._db.transaction(immediate=True) as conn:
            row = conn.execute(
                "SELECT owner, expires_at FROM experiment_leases WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row["owner"] != owner and row["expires_at"] > now:
                return False
            conn.execute(
                "INSERT INTO experiment_leases VALUES (?,?,?) ON CONFLICT(name) DO UPDATE "
                "SET owner = excluded.owner, expires_at = excluded.expires_at",
                (name, owner, now + ttl),
            )
        return True
