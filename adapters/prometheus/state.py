"""Shared state read at scrape time: what every replica sees the same way.

Each source is a ``Probe``: a read that runs on its own daemon thread. A scrape starts every
probe at once and waits for all of them until one ``timeout`` has passed, so a slow store
delays a scrape by at most that. A read that fails or is too slow makes the scrape report
``synth_ai_metrics_source_up{source=…} 0`` (and no samples of that source) instead of a 500 or
a hung scrape; while a slow read is still running, later scrapes do not start another.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger("synth_ai.metrics")

MISSING = object()


class _Read:
    """One read in flight: ``wait(deadline)`` gives its value or ``MISSING``."""

    def __init__(self):
        self.done = threading.Event()
        self.value: Any = MISSING
        self.error: BaseException | None = None


class Probe:
    def __init__(self, name: str, read: Callable[[], Any], *, timeout: float = 2.0):
        self.name = name
        self.timeout = timeout
        self._read = read
        self._lock = threading.Lock()
        self._busy = False
        self._up = True  # what was last logged: only changes are logged, not every scrape

    def start(self) -> _Read | None:
        """Start a read on its own thread; None while the previous one still runs."""
        with self._lock:
            if self._busy:
                return None
            self._busy = True
        pending = _Read()

        def run() -> None:
            try:
                pending.value = self._read()
            except Exception as exc:  # noqa: BLE001 - reported as source down, never a 500
                pending.error = exc
            finally:
                with self._lock:
                    self._busy = False
                pending.done.set()

        threading.Thread(target=run, name=f"metrics-{self.name}", daemon=True).start()
        return pending

    def finish(self, pending: _Read | None, deadline: float) -> Any:
        """The value read by ``deadline`` (monotonic), or ``MISSING`` (failed, slow, busy)."""
        if pending is None or not pending.done.wait(max(0.0, deadline - time.monotonic())):
            self._note(False, f"no answer within {self.timeout:g} s")
            return MISSING
        if pending.error is not None:
            self._note(False, f"{type(pending.error).__name__}: {pending.error}")
            return MISSING
        self._note(True, "")
        return pending.value

    def read(self) -> Any:
        return self.finish(self.start(), time.monotonic() + self.timeout)

    def _note(self, up: bool, why: str) -> None:
        if up != self._up:
            self._up = up
            if up:
                log.info("metrics: %s is readable again", self.name)
            else:
                log.warning("metrics: cannot read %s (%s); reported as down", self.name, why)


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
        started = time.monotonic()
        pending = [(probe, families, probe.start()) for probe, families in self._probes]
        for probe, families, read in pending:
            value = probe.finish(read, started + probe.timeout)
            up.add_metric([probe.name], 0.0 if value is MISSING else 1.0)
            if value is MISSING:
                continue
            for name, documentation, label, samples in families:
                gauge = GaugeMetricFamily(name, documentation, labels=[label])
                for key, number in sorted(samples(value).items()):
                    gauge.add_metric([key], float(number))
                yield gauge
        yield up
