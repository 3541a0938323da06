"""``/api/queue/workers`` and ``/api/task-apps``: the server's queue workers and task apps.

What ``synth-ai queue status`` and ``synth-ai scan`` show, for the dashboard. They describe the
machine, not one org's data, so any key may read them; a worker lists only the caller's org's
running jobs. A scan sweeps the ports ``[ui] scan_ports`` names, so its result is kept
``[ui] scan_cache_s`` seconds and concurrent requests share one sweep.
"""

from __future__ import annotations

import os
import threading

from synth_ai.adapters.wire.discovery import report_to_json
from synth_ai.adapters.wire.workers import queue_status
from synth_ai.domain.discovery.model import ScanRequest
from synth_ai.domain.errors import NotFound
from synth_ai.domain.timestamps import iso
from synth_ai.http.payload import send_json

TASK_APP_KEY_ENV = "ENVIRONMENT_API_KEY"  # the key `synth-ai scan` sends to local task apps


class QueueWorkers:
    def __init__(self, store, experiments, queue_settings):
        self._store, self._experiments, self._config = store, experiments, queue_settings

    def on_get(self, req, resp):
        org_id = req.context.principal.org_id

        def shows_job(job_id: str) -> bool:
            try:
                self._experiments.job(job_id, org_id=org_id)
            except NotFound:
                return False
            return True

        send_json(
            resp,
            queue_status(
                self._store.workers(),
                now=self._experiments.clock.now(),
                heartbeat_s=self._config.heartbeat_s,
                broker_url=self._config.broker_url,
                shows_job=shows_job,
            ),
        )


class TaskApps:
    def __init__(self, scan, clock, cache_s: float, ports: tuple[int, int]):
        self._scan, self._clock, self._cache_s = scan, clock, cache_s
        self._ports = ports
        self._lock = threading.Lock()
        self._last: tuple[float, dict] | None = None

    def on_get(self, req, resp):
        send_json(resp, self.report())

    def report(self) -> dict:
        with self._lock:  # one sweep at a time; who waited gets its result
            now = self._clock.now()
            if self._last is None or now - self._last[0] >= self._cache_s:
                request = ScanRequest(
                    first_port=self._ports[0],
                    last_port=self._ports[1],
                    api_key=os.environ.get(TASK_APP_KEY_ENV) or None,
                )
                report = report_to_json(self._scan.run(request))
                self._last = (now, {**report, "scanned_at": iso(now)})
            return self._last[1]


def register(app, spec, *, store, experiments, queue_settings, scan, clock, cache_s, ports) -> None:
    app.add_route("/api/queue/workers", QueueWorkers(store, experiments, queue_settings))
    spec.add(
        "/api/queue/workers",
        "GET",
        "The queue's workers with heartbeat age (as 'synth-ai queue status --format json')",
        tag="queue",
    )
    app.add_route("/api/task-apps", TaskApps(scan, clock, cache_s, ports))
    spec.add(
        "/api/task-apps",
        "GET",
        "Task apps on the server's machine with their health (as 'synth-ai scan --format "
        "json'), cached a few seconds",
        tag="task-apps",
    )
