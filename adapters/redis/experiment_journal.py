"""The Redis experiment store's side records: job progress, logs and checkpoints, the worker
registry (heartbeats) and the scheduler lease. Mixed into ``RedisExperimentStore``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import redis
from synth_ai.adapters.redis.experiment_docs import dump as _dump
from synth_ai.adapters.redis.experiment_docs import job_doc as _job
from synth_ai.ports.experiments import WorkerRecord


class RedisJobJournal:
    _r: Any

    def record_progress(self, job_id: str, fields: Mapping[str, Any], now: float) -> None:
        key = self._k("j", job_id)
        with self._reachable(), self._r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        pipe.reset()
                        return
                    job = _job(raw)
                    progress = {**dict(job.progress), **dict(fields), "updated_at": now}
                    pipe.multi()
                    pipe.set(key, _dump(attrs.evolve(job, progress=progress)))
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def append_log(self, job_id: str, lines: Sequence[str]) -> None:
        if lines:
            with self._reachable():
                self._r.rpush(self._k("j", job_id, "log"), *lines)

    def read_log(self, job_id: str, offset: int = 0) -> tuple[list[str], int]:
        with self._reachable():
            raw = self._r.lrange(self._k("j", job_id, "log"), offset, -1)
        lines = [r.decode("utf-8", "replace") for r in raw]
        return lines, offset + len(lines)

    def save_checkpoint(self, job_id: str, state: Mapping[str, Any]) -> None:
        with self._reachable():
            self._r.set(self._k("j", job_id, "checkpoint"), json.dumps(dict(state)))

    def load_checkpoint(self, job_id: str) -> Mapping[str, Any] | None:
        with self._reachable():
            raw = self._r.get(self._k("j", job_id, "checkpoint"))
        return json.loads(raw) if raw else None


class RedisWorkerRegistry:
    _r: Any

    def heartbeat_worker(self, record: WorkerRecord) -> None:
        with self._reachable():
            self._r.hset(self._k("workers"), record.worker_id, _dump(record))

    def remove_worker(self, worker_id: str) -> None:
        with self._reachable():
            self._r.hdel(self._k("workers"), worker_id)

    def workers(self) -> list[WorkerRecord]:
        with self._reachable():
            raws = self._r.hvals(self._k("workers"))
        records = []
        for raw in raws:
            data = json.loads(raw)
            data["running"] = tuple(data["running"])
            records.append(WorkerRecord(**data))
        return sorted(records, key=lambda r: (r.host, r.pid))

    def try_lead(self, name: str, owner: str, now: float, ttl: float) -> bool:
        key = self._k("lead", name)
        with self._reachable(), self._r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    holder = pipe.get(key)
                    if holder is not None and holder.decode() != owner:
                        pipe.reset()
                        return False
                    pipe.multi()
                    pipe.set(key, owner, px=max(int(ttl * 1000), 1))
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue
