"""Shared state read at scrape time: what every replica sees the same way.

Each source is a ``Probe``: a read that runs on its own daemon thread and is waited on for at
most ``timeout`` seconds. A read that fails or is too slow makes the scrape report
``synth_ai_metrics_source_up{source=…} 0`` (and no samples of that source) instead of a 500 or
a hung scrape; while a slow read is still running, later scrapes do not start another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger("synth_ai.metrics")

MISSING = object()


class Probe:
    def __init__(self, name: str, read: Callable[[], Any], *, timeout: float = 2.0):
        self.name = name
        self._read = read
        self._timeout = timeout
        self._lock = threading.Lock()
        self._busy = False

    def read(self) -> Any:
        """The value read, or ``MISSING`` when the read failed, timed out or is still busy."""
        with self._lock:
            if self._busy:
                return MISSING
            self._busy = True
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["value"] = self._read()
            except Exception as exc:  # noqa: BLE001 - reported as source down, never a 500
                box["error"] = exc
            finally:
                with self._lock:
                    self._busy = False
                done.set()

        threading.Thread(target=run, name=f"metrics-{self.name}", daemon=True).start()
        if not done.wait(self._timeout):
            log.warning(
                "metrics: reading %s took over %.1f s; reported as down", self.name, self._timeout
            )
            return MISSING
        if "error" in box:
            error = box["error"]
            log.warning(
                "metrics: reading %s failed: %s: %s", self.name, type(error).__name__, error
            )
            return MISSING
        return box["value"]


# What each source's value becomes: (metric name, help, label name, value → {label: number}).
Family = tuple[str, str, str, Callable[[Any], Mapping[str, float]]]


class StateCollector(Collector):
    """Gauges from ``probes`` (each with the families its value fills) at every scrape."""

    def __init__(self, probes: Iterable[tuple[Probe, Iterable[Family]]]):
        self._probes = [(probe, list(families)) for probe, families in probes]

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "synth_ai_metrics_source_up",
            "1 when this scrape could read the source (a store, the broker), else 0",
            labels=["source"],
        )
        for probe, families in self._probes:
            value = probe.read()
            up.add_metric([probe.name], 0.0 if value is MISSING else 1.0)
            if value is MISSING:
                continue
            for name, documentation, label, samples in families:
                gauge = GaugeMetricFamily(name, documentation, labels=[label])
                for key, number in sorted(samples(value).items()):
                    gauge.add_metric([key], float(number))
                yield gauge
        yield up
