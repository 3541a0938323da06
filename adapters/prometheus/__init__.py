"""Prometheus metrics on ``prometheus_client``: what ``serve`` and each queue worker expose.

``ServerMetrics`` counts what the backend does (requests, refusals, spend) and reads shared
state at scrape time through ``StateCollector`` (open reservations, jobs by state, queue depth,
workers), each read bounded by a timeout. ``WorkerMetrics`` is a worker's own registry, served
by ``prometheus_client``'s HTTP server.
"""

from synth_ai.adapters.prometheus.server import ServerMetrics
from synth_ai.adapters.prometheus.state import Probe, StateCollector
from synth_ai.adapters.prometheus.worker import WorkerMetrics

__all__ = ["Probe", "ServerMetrics", "StateCollector", "WorkerMetrics"]
