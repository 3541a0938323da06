"""The Prometheus adapter on its own: bounded labels, no API key anywhere, slow sources."""

from __future__ import annotations

import threading
import time

import pytest
from synth_ai.adapters.prometheus import Probe, ServerMetrics, StateCollector
from synth_ai.adapters.prometheus.labels import BoundedLabel
from synth_ai.adapters.prometheus.sources import jobs_by_state
from synth_ai.domain.sessions.model import Amounts, LedgerEntry
from synth_ai.worker_stats import WorkerStats, rollouts_of

from tests.support.metrics import Scrape

API_KEY = "sk-synth-live-0123456789abcdef"
KEY_ID = "key_5f1e2d3c"


def scrape_of(metrics: ServerMetrics) -> Scrape:
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    return Scrape(body.decode())


def test_no_label_holds_the_api_key_or_its_id_whatever_was_charged():
    metrics = ServerMetrics()
    metrics.settled(
        LedgerEntry(
            "led_1",
            "org_a",
            "user_a",
            Amounts(tokens=30, cost_usd=0.25),
            0.0,
            key_id=KEY_ID,
            model="m",
            metadata={"api_key": API_KEY},
        )
    )
    metrics.observe_request("POST", "/api/v1/usage/reservations/{reservation_id}/settle", 404, 0.01)
    metrics.observe_request("GET", None, 404, 0.01)
    metrics.refused("tokens")
    found = scrape_of(metrics)
    assert API_KEY not in found.text and KEY_ID not in found.text and "user_a" not in found.text
    assert found.value("synth_ai_spend_usd_total", org="org_a", model="m") == 0.25
    assert found.value("synth_ai_spend_tokens_total", org="org_a", model="m") == 30
    assert found.value("synth_ai_http_requests_total", route="unmatched") == 1
    assert found.value("synth_ai_budget_refusals_total", metric="tokens") == 1


def test_labels_past_their_limit_and_unknown_values_collapse_into_one():
    label = BoundedLabel(limit=2)
    assert [label(v) for v in ("a", "b", "c", "a", None)] == ["a", "b", "other", "a", "other"]
    metrics = ServerMetrics()
    metrics.refused("a made-up metric")
    metrics.observe_request("BREW", "/x", 200, 0.1)
    found = scrape_of(metrics)
    assert found.value("synth_ai_budget_refusals_total", metric="unknown") == 1
    assert found.value("synth_ai_http_requests_total", method="other") == 1


def test_a_slow_or_failing_source_is_reported_down_and_the_scrape_still_answers():
    release = threading.Event()

    def broken():
        raise ConnectionError("store is gone")

    collector = StateCollector(
        [
            (Probe("slow", lambda: release.wait(10) and {"x": 1}, timeout=0.2), [_family("slow")]),
            (Probe("broken", broken, timeout=0.2), [_family("broken")]),
            (Probe("fine", lambda: {"x": 3}, timeout=2), [_family("fine")]),
        ]
    )
    metrics = ServerMetrics()
    metrics.registry.register(collector)
    started = time.monotonic()
    found = scrape_of(metrics)
    again = scrape_of(metrics)  # the slow read still runs: no second one is started
    assert time.monotonic() - started < 3
    for scrape in (found, again):
        assert scrape.value("synth_ai_metrics_source_up", source="slow") == 0
        assert scrape.value("synth_ai_metrics_source_up", source="broken") == 0
        assert scrape.value("synth_ai_metrics_source_up", source="fine") == 1
        assert scrape.value("test_fine", key="x") == 3
        assert scrape.labels("test_slow", "key") == set()
    release.set()
    time.sleep(0.1)
    assert scrape_of(metrics).value("test_slow", key="x") == 1


def _family(name: str):
    return (f"test_{name}", f"the {name} source", "key", lambda value: value)


def test_jobs_by_state_counts_the_unfinished_experiments_jobs_with_every_state_present():
    class Store:
        def active_experiments(self):
            return ["exp_1"]

        def jobs(self, experiment_id):
            return [Job("queued"), Job("running"), Job("queued"), Job("completed")]

    class Job:
        def __init__(self, status):
            self.status = status

    assert jobs_by_state(Store()) == {
        "queued": 2,
        "running": 1,
        "completed": 1,
        "failed": 0,
        "canceled": 0,
    }


@pytest.mark.parametrize(
    ("result", "rollouts"),
    [
        ({"rollouts": 40, "rollouts_this_attempt": 12}, 12),  # a resumed optimisation
        ({"rollouts": 40}, 40),
        ({"scores": {"0": 1.0, "1": 0.0}, "errors": {"2": "429"}}, 3),  # an eval
        ({"pid": 7}, 0),  # a command job
        ({"rollouts": True}, 0),
    ],
)
def test_a_job_result_tells_how_many_rollouts_it_performed(result, rollouts):
    assert rollouts_of(result) == rollouts


def test_worker_stats_count_jobs_by_kind_and_state_and_rollouts_by_outcome():
    running = [1, 2]
    stats = WorkerStats(concurrency=4, running=lambda: len(running))
    stats.finished("eval", "completed", "completed", {"scores": {"0": 1.0}, "errors": {}})
    stats.finished("eval", "lost", "completed", {"scores": {"0": 1.0, "1": 0.5}})
    stats.finished("command", "failed", "failed", {})
    stats.beat(1234.5)
    snapshot = stats.snapshot()
    assert snapshot.finished == {
        ("eval", "completed"): 1,
        ("eval", "lost"): 1,
        ("command", "failed"): 1,
    }
    assert snapshot.rollouts == {("eval", "completed"): 3}
    assert (snapshot.running, snapshot.concurrency, snapshot.heartbeat_at) == (2, 4, 1234.5)
