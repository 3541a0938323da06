"""``GET /metrics`` of a real backend on real Waitress: the numbers move with what it serves."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import TEST_KEY
from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.metrics import scrape
from tests.support.queue import wait_for
from tests.support.scripted_upstream import Reply

CHAT = "/api/synth-research/chat/completions"
HELLO = [{"role": "user", "content": "hello"}]
REQUESTS = "synth_ai_http_requests_total"


def test_a_request_increments_the_counter_of_its_route_template(backend):
    route = "/api/v1/sessions/{session_id}"
    before = scrape(backend.url)
    with backend.client() as client:
        assert client.get("/api/v1/sessions/sess_missing").status_code == 404
        assert client.get("/no/such/path/sk-not-a-label").status_code == 404
    after = scrape(backend.url)
    assert after.value(REQUESTS, method="GET", route=route, status="404") == (
        before.value(REQUESTS, method="GET", route=route, status="404") + 1
    )
    assert after.value(REQUESTS, route="unmatched", status="404") == (
        before.value(REQUESTS, route="unmatched", status="404") + 1
    )
    assert "sess_missing" not in after.text and "sk-not-a-label" not in after.text
    assert (
        after.value("synth_ai_http_request_duration_seconds_count", method="GET", route=route)
        == before.value("synth_ai_http_request_duration_seconds_count", method="GET", route=route)
        + 1
    )


def test_a_request_refused_by_a_budget_limit_counts_a_429_for_that_metric(upstream, backend):
    with backend.client() as client:
        client.post(
            "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 40}]}
        )
        before = scrape(backend.url)
        long_prompt = [{"role": "user", "content": "x" * 200}]
        refused = client.post(CHAT, json={"model": "synth-small", "messages": long_prompt})
        assert refused.status_code == 429
    after = scrape(backend.url)
    refusals = "synth_ai_budget_refusals_total"
    assert after.value(refusals, metric="tokens") == before.value(refusals, metric="tokens") + 1
    assert after.value(refusals, metric="cost_usd") == before.value(refusals, metric="cost_usd")
    assert after.value(REQUESTS, route=CHAT, status="429") == 1


def test_a_settled_chat_completion_adds_its_cost_and_tokens_to_the_org_spend(upstream, backend):
    upstream.push(Reply(text="hi", usage={"prompt_tokens": 1000, "completion_tokens": 500}))
    with backend.client() as client:
        response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
        assert response.status_code == 200
        usage = client.get(f"/api/v1/sessions/{response.headers['X-Session-ID']}").json()
    after = scrape(backend.url)
    spent = after.value("synth_ai_spend_usd_total", org="org_test", model="synth-small")
    assert spent == pytest.approx(usage["current_usage"]["cost_usd"]) and spent > 0
    assert after.value("synth_ai_spend_tokens_total", org="org_test", model="synth-small") == 1500


def test_an_open_reservation_shows_until_it_is_settled(backend):
    with backend.client() as client:
        client.post(
            "/api/v1/sessions", json={"limits": [{"metric_type": "gpu_hours", "limit_value": 2}]}
        )
        assert scrape(backend.url).value("synth_ai_reservations_open", org="org_test") == 0
        held = client.post("/api/v1/usage/reservations", json={"gpu_hours": 1.0})
        assert held.status_code == 201
        assert scrape(backend.url).value("synth_ai_reservations_open", org="org_test") == 1
        rid = held.json()["reservation_id"]
        assert client.post(f"/api/v1/usage/reservations/{rid}/settle", json={"gpu_hours": 0.5})
    after = scrape(backend.url)
    assert after.value("synth_ai_reservations_open", org="org_test") == 0
    assert after.value("synth_ai_spend_usd_total", org="org_test") > 0
    assert after.value("synth_ai_metrics_source_up", source="sessions") == 1


def test_no_label_or_value_of_the_scrape_holds_an_api_key(upstream, backend):
    upstream.push(Reply(text="hi", usage={"prompt_tokens": 10, "completion_tokens": 5}))
    with backend.client() as client:
        assert (
            client.post(CHAT, json={"model": "synth-small", "messages": HELLO}).status_code == 200
        )
        me = client.get("/api/v1/me").json()
    text = scrape(backend.url).text
    assert TEST_KEY not in text and me["key_id"] not in text
    assert 'org="org_test"' in text


@pytest.fixture
def metrics_token(monkeypatch) -> str:
    """Set before ``backend`` builds the app (list it first)."""
    monkeypatch.setenv("SYNTH_AI_METRICS_TOKEN", "scrape-secret-1")
    return "scrape-secret-1"


def test_with_a_metrics_token_set_only_a_scraper_presenting_it_is_answered(metrics_token, backend):
    for headers in ({}, {"Authorization": f"Bearer {TEST_KEY}"}, {"Authorization": "Bearer x"}):
        refused = httpx.get(f"{backend.url}/metrics", headers=headers, timeout=10)
        assert refused.status_code == 401, headers
        assert "SYNTH_AI_METRICS_TOKEN" in refused.json()["error"]["message"]
    assert scrape(backend.url, token=metrics_token).value(REQUESTS, route="/metrics") >= 3


@pytest.fixture
def admitted(upstream, container):
    """The app behind admission control (4 threads: 3 in flight at most, 1 per key), as
    ``synth-ai serve`` runs it, with its metrics watching the admission."""
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.admission import AdmissionControl
    from synth_ai.http.app import create_app

    admission = AdmissionControl(create_app(container), threads=4, reserve=1, per_key=1)
    container.metrics().watch_admission(admission)
    with BackgroundServer.start(admission, threads=4) as running:
        yield running


def test_an_open_stream_and_an_admission_refusal_show_while_the_stream_runs(upstream, admitted):
    upstream.default = Reply(text="x" * 200, chunk_delay=0.05)  # ~25 chunks, over a second
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    body = {"model": "synth-small", "messages": HELLO, "stream": True}
    with httpx.stream(
        "POST", admitted.url + CHAT, json=body, headers=headers, timeout=30
    ) as stream:
        lines = stream.iter_lines()
        assert next(line for line in lines if line.startswith("data: "))
        during = scrape(admitted.url)
        second = httpx.post(admitted.url + CHAT, json=body, headers=headers, timeout=10)
        assert second.status_code == 429
        for _ in lines:
            pass
    # Waitress closes the response just after its last byte: the slot frees a moment later.
    after = wait_for(
        lambda: (now := scrape(admitted.url)).value("synth_ai_http_open_requests") == 0 and now,
        timeout=10,
    )
    assert during.value("synth_ai_http_open_streams") == 1
    assert during.value("synth_ai_http_open_requests") == 1
    assert during.value("synth_ai_http_capacity") == 3
    assert after.value("synth_ai_http_open_streams") == 0
    refused = "synth_ai_admission_refusals_total"
    assert after.value(refused, reason="too_many_open_requests") == 1
    assert after.value(refused, reason="server_busy") == 0


@pytest.fixture
def broker_down(monkeypatch) -> None:
    """Set before ``backend`` builds the app (list it first): nothing listens on port 1."""
    monkeypatch.setenv("SYNTH_AI_BROKER_URL", "redis://127.0.0.1:1/0")


def test_a_broker_that_cannot_be_reached_is_reported_down_and_the_scrape_still_answers(
    broker_down, backend
):
    found = scrape(backend.url)
    assert found.value("synth_ai_metrics_source_up", source="broker") == 0
    assert found.labels("synth_ai_queue_depth", "queue") == set()
    assert found.value("synth_ai_metrics_source_up", source="sessions") == 1
    assert found.value("synth_ai_metrics_source_up", source="experiments") == 1
    assert found.labels("synth_ai_jobs", "state") == {
        "queued",
        "running",
        "completed",
        "failed",
        "canceled",
    }
