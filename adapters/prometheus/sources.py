"""What ``serve`` reads from the shared stores and the broker at each scrape.

Every replica reads the same stores, so each reports the cluster's truth: open reservations
per org, jobs of unfinished experiments by state, live and stale workers, and the messages
waiting in the broker's job queue.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from synth_ai.adapters.prometheus.state import Probe
from synth_ai.domain.experiments.model import STATES


def jobs_by_state(store) -> dict[str, int]:
    """Jobs of the experiments not yet finished, by state (every state, zeros included)."""
    counts: Counter[str] = Counter(dict.fromkeys(STATES, 0))
    for experiment_id in store.active_experiments():
        counts.update(job.status for job in store.jobs(experiment_id))
    return dict(counts)


def workers_by_state(store, *, stale_after: float) -> dict[str, int]:
    """Workers recorded in the store: ``live`` or ``stale`` (no heartbeat for ``stale_after``)."""
    now = time.time()
    counts = {"live": 0, "stale": 0}
    for worker in store.workers():
        counts["stale" if now - worker.heartbeat_at > stale_after else "live"] += 1
    return counts


def store_probes(
    *,
    sessions: Callable,
    experiments: Callable,
    queue_depth: Callable[[], int],
    queue_name: str,
    stale_after: float,
    timeout: float = 2.0,
) -> list:
    """The probes and their gauges; ``sessions`` / ``experiments`` give the stores lazily, so a
    store that cannot even be opened is one source down, not a failed scrape."""
    return [
        (
            Probe("sessions", lambda: sessions().open_reservations(), timeout=timeout),
            [
                (
                    "synth_ai_reservations_open",
                    "Budget reservations held now (requests and jobs not yet settled), by org",
                    "org",
                    lambda counts: counts,
                )
            ],
        ),
        (
            Probe("experiments", lambda: _experiments(experiments(), stale_after), timeout=timeout),
            [
                (
                    "synth_ai_jobs",
                    "Jobs of the experiments not yet finished, by state",
                    "state",
                    lambda read: read[0],
                ),
                (
                    "synth_ai_queue_workers",
                    "Queue workers by heartbeat: live, or stale (silent too long: likely dead)",
                    "state",
                    lambda read: read[1],
                ),
            ],
        ),
        (
            Probe("broker", queue_depth, timeout=timeout),
            [
                (
                    "synth_ai_queue_depth",
                    "Job messages waiting in the broker's queue",
                    "queue",
                    lambda depth: {queue_name: depth},
                )
            ],
        ),
    ]


def _experiments(store, stale_after: float) -> tuple[dict[str, int], dict[str, int]]:
    return jobs_by_state(store), workers_by_state(store, stale_after=stale_after)
