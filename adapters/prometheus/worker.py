"""A queue worker's own ``/metrics``, served by ``prometheus_client``'s HTTP server.

Everything is read at scrape time from the worker's ``stats`` (plain counters the worker keeps,
``synth_ai.worker_stats.WorkerStats``): jobs run by kind and final state, rollouts performed,
jobs running now, and when the worker last wrote its heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class WorkerMetrics(Collector):
    def __init__(self, stats):
        self._stats = stats
        self.registry = CollectorRegistry()
        self.registry.register(self)
        self._server = None
        self.port: int | None = None

    def serve(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0: a free port); returns the port bound."""
        self._server, _thread = start_http_server(port, addr=host, registry=self.registry)
        self.port = int(self._server.server_port)
        return self.port

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def collect(self) -> Iterable[Metric]:
        stats = self._stats.snapshot()
        jobs = CounterMetricFamily(
            "synth_ai_worker_jobs",
            "Jobs this worker ran to an end, by kind and the state stored "
            "(completed, failed, canceled, queued: handed back, lost: lease taken over)",
            labels=["kind", "state"],
        )
        for (kind, state), count in sorted(stats.finished.items()):
            jobs.add_metric([kind, state], count)
        yield jobs
        rollouts = CounterMetricFamily(
            "synth_ai_worker_rollouts",
            "Task-app rollouts performed by this worker's jobs, by job kind and job outcome",
            labels=["kind", "outcome"],
        )
        for (kind, outcome), count in sorted(stats.rollouts.items()):
            rollouts.add_metric([kind, outcome], count)
        yield rollouts
        yield GaugeMetricFamily(
            "synth_ai_worker_running_jobs", "Jobs running on this worker now", value=stats.running
        )
        yield GaugeMetricFamily(
            "synth_ai_worker_concurrency",
            "Jobs this worker may run at once",
            value=stats.concurrency,
        )
        yield GaugeMetricFamily(
            "synth_ai_worker_heartbeat_timestamp_seconds",
            "Unix time of this worker's last heartbeat in the store",
            value=stats.heartbeat_at,
        )
