"""200 concurrent requests through real Waitress against a hard cost limit, on every store.

Settled spend must stay within the limit, and every refused request must have received a
well-formed 429 ``usage_limit_reached``.
"""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from synth_ai.adapters.waitress_host import BackgroundServer
from synth_ai.container import create_container
from synth_ai.http.app import build_app

from tests.conftest import TEST_KEY
from tests.support.redis_keys import drop_prefix
from tests.support.scripted_upstream import Reply, ScriptedUpstream

LIMIT_USD = 0.01
REQUESTS = 200


@pytest.fixture(params=["sqlite", "redis", "postgres"])
def store_settings(request, settings):
    if request.param == "postgres":
        from tests.support.postgres import schema_url

        url = request.getfixturevalue("postgres_url")
        schema = request.getfixturevalue("postgres_schema")
        settings.store, settings.postgres_url = "postgres", schema_url(url, schema)
        yield settings
    elif request.param == "redis":
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        settings.store, settings.redis_url = "redis", url
        settings.document = {"store": {"redis_prefix": prefix}}
        yield settings
        drop_prefix(url, prefix)
    else:
        yield settings


@pytest.fixture
def loaded_backend(store_settings):
    upstream = ScriptedUpstream.start(threads=48)
    # Every answer uses exactly the max_tokens it was allowed and a prompt within the estimate.
    upstream.responder = lambda body: Reply(
        text="ok",
        delay=0.005,
        usage={"prompt_tokens": 5, "completion_tokens": body["max_completion_tokens"]},
    )
    store_settings.upstream_url = upstream.base_url
    store_settings.model_aliases = {"synth-small": "gpt-4.1-mini"}
    container = create_container(store_settings)
    app, _ = build_app(container)
    server = BackgroundServer.start(app, "127.0.0.1", 0, threads=48)
    yield server, upstream
    server.close()
    upstream.close()
    container.shutdown_resources()


def test_two_hundred_concurrent_requests_never_settle_past_a_hard_cost_limit(loaded_backend):
    server, upstream = loaded_backend
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    with httpx.Client(
        base_url=server.url, headers=headers, timeout=60, limits=httpx.Limits(max_connections=48)
    ) as client:
        sid = client.post(
            "/api/v1/sessions",
            json={"limits": [{"metric_type": "cost_usd", "limit_value": LIMIT_USD}]},
        ).json()["session_id"]

        def fire(n):
            body = {
                "model": "synth-small",
                "messages": [{"role": "user", "content": f"q{n}"}],
                "max_tokens": 100,
                "stream": n % 2 == 0,
            }
            response = client.post("/api/synth-research/chat/completions", json=body)
            return response.status_code, response.json() if response.status_code != 200 or not body[
                "stream"
            ] else None

        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(fire, range(REQUESTS)))
        session = client.get(f"/api/v1/sessions/{sid}").json()
        ledger = client.get("/api/v1/usage", params={"session_id": sid, "limit": 1000}).json()[
            "data"
        ]

    statuses = [status for status, _ in results]
    ok, refused = statuses.count(200), statuses.count(429)
    assert ok + refused == REQUESTS, sorted(set(statuses))
    assert ok > 0 and refused > 0
    for _, body in (r for r in results if r[0] == 429):
        error = body["error"]
        assert error["type"] == "usage_limit_reached" and error["code"] == "usage_limit_reached"
        assert (
            error["session_id"] == sid
            and error["metric"] == "cost_usd"
            and error["limit"] == LIMIT_USD
        )
        assert isinstance(error["used"], float) and error["used"] <= LIMIT_USD and error["message"]
    assert session["current_usage"]["cost_usd"] <= LIMIT_USD
    assert session["current_usage"]["api_calls"] == ok == len(ledger) == len(upstream.requests)
    assert session["reserved_usage"]["cost_usd"] == 0
    assert sum(entry["usage"]["cost_usd"] for entry in ledger) == pytest.approx(
        session["current_usage"]["cost_usd"]
    )
