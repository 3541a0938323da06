"""The queue's workers on the wire: ``synth-ai queue status --format json`` and
``GET /api/queue/workers`` print the same rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from synth_ai.adapters.kombu_queue.broker import redact
from synth_ai.domain.experiments.workers import stale_after
from synth_ai.ports.experiments import WorkerRecord


def queue_status(
    workers: Iterable[WorkerRecord],
    *,
    now: float,
    heartbeat_s: float,
    broker_url: str,
    shows_job: Callable[[str], bool] = lambda job_id: True,
) -> dict[str, Any]:
    """``{"workers": [...], "broker": ...}``; ``shows_job`` picks the running job ids listed."""
    late = stale_after(heartbeat_s)
    return {
        "workers": [
            {
                "worker_id": w.worker_id,
                "host": w.host,
                "pid": w.pid,
                "concurrency": w.concurrency,
                "running": [job_id for job_id in w.running if shows_job(job_id)],
                "heartbeat_age_s": round(now - w.heartbeat_at, 1),
                "stale": now - w.heartbeat_at > late,
                "broker": redact(w.broker),
                "home": w.home,
            }
            for w in workers
        ],
        "broker": redact(broker_url),
    }
