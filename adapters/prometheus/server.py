"""The backend's metrics: one registry per ``ServerMetrics`` (one per container), so two apps
in one process never share counters.

Counted as it happens: requests and latency by route template, budget refusals by the limit
metric crossed, and spend settled per org and model (``ServerMetrics`` is the budget's
``SpendObserver``). Read at scrape time: admission control (open requests, open streams,
refusals by reason) and the shared stores (``watch``).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from synth_ai.adapters.prometheus.labels import UNMATCHED, BoundedLabel, method_label
from synth_ai.adapters.prometheus.state import Family, Probe, StateCollector
from synth_ai.domain.sessions.model import METRICS, LedgerEntry

# Latency buckets from a health check (ms) to a long model answer (minutes).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class ServerMetrics:
    def __init__(self, *, label_limit: int = 200):
        disable_created_metrics()  # no *_created series: half the scrape, nothing queried
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "synth_ai_http_requests",
            "HTTP requests answered, by method, route template and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "synth_ai_http_request_duration_seconds",
            "Time to answer a request (a stream: until its first byte), by method and route",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.budget_refusals = Counter(
            "synth_ai_budget_refusals",
            "Requests refused with 429 usage_limit_reached, by the session limit metric crossed",
            ["metric"],
            registry=self.registry,
        )
        self.spend_usd = Counter(
            "synth_ai_spend_usd",
            "US dollars settled into the usage ledger, by org and model",
            ["org", "model"],
            registry=self.registry,
        )
        self.spend_tokens = Counter(
            "synth_ai_spend_tokens",
            "Tokens settled into the usage ledger, by org and model",
            ["org", "model"],
            registry=self.registry,
        )
        self._routes = BoundedLabel(label_limit)
        self._orgs = BoundedLabel(label_limit)
        self._models = BoundedLabel(label_limit)
        self._admission = _AdmissionCollector()
        self.registry.register(self._admission)

    # -- counted as it happens ------------------------------------------------------------------
    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        method, route = method_label(method), self._routes(route or UNMATCHED)
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def refused(self, metric: str | None) -> None:
        """A 429 ``usage_limit_reached``; ``metric`` is what the refusal named (or None)."""
        self.budget_refusals.labels(metric if metric in METRICS else "unknown").inc()

    def settled(self, entry: LedgerEntry) -> None:
        """``SpendObserver``: a charge settled into the ledger."""
        org, model = self._orgs(entry.org_id), self._models(entry.model)
        if entry.amounts.cost_usd:
            self.spend_usd.labels(org, model).inc(entry.amounts.cost_usd)
        if entry.amounts.tokens:
            self.spend_tokens.labels(org, model).inc(entry.amounts.tokens)

    # -- read at scrape time --------------------------------------------------------------------
    def watch_admission(self, admission) -> None:
        """Report ``admission`` (``synth_ai.http.admission.AdmissionControl``) at each scrape."""
        self._admission.admission = admission

    def watch(self, probes: Iterable[tuple[Probe, Iterable[Family]]]) -> None:
        self.registry.register(StateCollector(probes))

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition of every metric, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _AdmissionCollector(Collector):
    """Open requests, open streams and refusals, as the admission control counts them."""

    admission = None

    def collect(self) -> Iterable[Metric]:
        admission = self.admission
        if admission is None:
            return
        yield GaugeMetricFamily(
            "synth_ai_http_open_requests",
            "Requests in flight (streams included) that hold a Waitress thread",
            value=admission.active,
        )
        yield GaugeMetricFamily(
            "synth_ai_http_open_streams", "Event streams (SSE) open now", value=admission.streams
        )
        yield GaugeMetricFamily(
            "synth_ai_http_capacity",
            "Requests that may be in flight before new ones get 503",
            value=admission.capacity,
        )
        refusals = CounterMetricFamily(
            "synth_ai_admission_refusals",
            "Requests refused before they ran: server_busy (503) or too_many_open_requests (429)",
            labels=["reason"],
        )
        for reason, count in sorted(admission.refused.items()):
            refusals.add_metric([reason], count)
        yield refusals
