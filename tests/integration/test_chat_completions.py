"""``/api/synth-research/chat/completions`` through real Waitress, metered by the session guard,
against the scripted upstream on 127.0.0.1."""

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import OTHER_KEY
from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply

CHAT = "/api/synth-research/chat/completions"
HELLO = [{"role": "user", "content": "hello"}]


def session_of(client, response):
    return client.get(f"/api/v1/sessions/{response.headers['X-Session-ID']}").json()


def sse(response) -> list:
    events = []
    for line in response.text.splitlines():
        if line.startswith("data: "):
            data = line[6:]
            events.append(data if data == "[DONE]" else json.loads(data))
    return events


def test_a_completion_is_charged_to_an_automatic_session_at_the_model_price(upstream, backend):
    upstream.push(Reply(text="hi", usage={"prompt_tokens": 1000, "completion_tokens": 500}))
    client = backend.client()
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "hi"
    assert upstream.requests[0]["model"] == "gpt-4.1-mini"
    session = session_of(client, response)
    assert session["status"] == "active" and session["limits"][0]["limit_value"] == 20.0
    assert session["current_usage"]["tokens"] == 1500 and session["current_usage"]["api_calls"] == 1
    assert session["current_usage"]["cost_usd"] == pytest.approx((1000 * 0.40 + 500 * 1.60) / 1e6)
    assert session["reserved_usage"]["cost_usd"] == 0
    records = client.get(f"/api/v1/sessions/{session['session_id']}/usage").json()
    assert {r["metric_type"] for r in records} == {"tokens", "cost_usd", "api_calls"}


def test_the_v1_alias_serves_the_same_route(upstream, backend):
    response = backend.client().post(
        "/api/synth-research/v1/chat/completions", json={"model": "synth-small", "messages": HELLO}
    )
    assert response.status_code == 200 and response.headers["X-Session-ID"].startswith("sess_")


def test_a_streamed_completion_is_relayed_and_settled_from_the_upstream_usage(upstream, backend):
    upstream.push(
        Reply(text="streaming words", usage={"prompt_tokens": 10, "completion_tokens": 20})
    )
    client = backend.client()
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response)
    assert events[-1] == "[DONE]"
    assert (
        "".join(c["choices"][0]["delta"].get("content") or "" for c in events[:-1] if c["choices"])
        == "streaming words"
    )
    assert not any(c.get("usage") for c in events[:-1])  # not asked for: not forwarded
    assert upstream.requests[0]["stream_options"] == {"include_usage": True}
    assert session_of(client, response)["current_usage"]["tokens"] == 30


def test_a_client_that_asks_for_usage_gets_the_usage_chunk(upstream, backend):
    response = backend.client().post(
        CHAT,
        json={
            "model": "synth-small",
            "messages": HELLO,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    assert any(c.get("usage") for c in sse(response)[:-1])


def test_usage_is_estimated_at_four_characters_a_token_when_the_upstream_reports_none(
    upstream, backend
):
    upstream.push(
        Reply(text="x" * 400, include_usage=False), Reply(text="y" * 80, include_usage=False)
    )
    client = backend.client()
    plain = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert "usage" not in plain.json()
    used = session_of(client, plain)["current_usage"]["tokens"]
    assert used == 100 + 2 + 4  # 400 chars out, '"hello"' in, 4 framing
    streamed = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "stream": True})
    assert session_of(client, streamed)["current_usage"]["tokens"] == used + 20 + 2 + 4


def test_a_request_whose_prompt_does_not_fit_is_refused_with_429_and_the_session_stays_active(
    upstream, backend
):
    client = backend.client()
    sid = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 40}]}
    ).json()["session_id"]
    long_prompt = [{"role": "user", "content": "x" * 200}]  # a bound of 216 tokens
    response = client.post(CHAT, json={"model": "synth-small", "messages": long_prompt})
    assert response.status_code == 429
    error = response.json()["error"]
    assert (
        error["type"],
        error["code"],
        error["session_id"],
        error["metric"],
        error["limit"],
        error["used"],
    ) == ("usage_limit_reached", "usage_limit_reached", sid, "tokens", 40.0, 0)
    assert response.headers["X-Session-ID"] == sid
    assert response.headers["x-should-retry"] == "false"  # the openai SDK would retry a 429
    assert upstream.requests == []
    assert client.get(f"/api/v1/sessions/{sid}").json()["status"] == "active"
    small = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})  # 21 + 19 out
    assert small.status_code == 200 and small.headers["X-Session-ID"] == sid
    assert upstream.requests[0]["max_completion_tokens"] == 19


def test_a_request_asking_more_output_than_the_budget_affords_gets_the_affordable_cap(
    upstream, backend
):
    client = backend.client()
    sid = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 100}]}
    ).json()["session_id"]
    response = client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO, "max_tokens": 1_000_000}
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Session-ID"] == sid
    assert upstream.requests[0]["max_completion_tokens"] == 100 - 21  # the prompt bound is 21
    assert client.get(f"/api/v1/sessions/{sid}").json()["status"] == "active"


def test_x_session_id_selects_a_session_of_yours_and_an_unknown_one_is_ignored_with_a_warning(
    upstream, backend
):
    client = backend.client()
    chosen = client.post("/api/v1/sessions", json={"make_active": False}).json()["session_id"]
    response = client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO}, headers={"X-Session-ID": chosen}
    )
    assert response.headers["X-Session-ID"] == chosen
    opencode = client.post(
        CHAT, json={"model": "m", "messages": HELLO}, headers={"X-Session-ID": "ses_opencode1"}
    )
    assert opencode.status_code == 200 and opencode.headers["X-Session-ID"] != chosen
    assert "'ses_opencode1' is not one of your sessions" in opencode.headers["X-Session-Warning"]
    strict = client.post(
        CHAT, json={"model": "m", "messages": HELLO}, headers={"X-Synth-Session-ID": "sess_nope"}
    )
    assert strict.status_code == 404 and "sess_nope" in strict.json()["error"]["message"]


def test_another_users_session_named_in_x_session_id_is_never_charged(upstream, backend):
    theirs = backend.client(OTHER_KEY).post("/api/v1/sessions", json={}).json()["session_id"]
    client = backend.client()
    response = client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO}, headers={"X-Session-ID": theirs}
    )
    assert response.status_code == 200 and response.headers["X-Session-ID"] != theirs
    assert "user_other" not in response.text
    refused = client.post(
        CHAT,
        json={"model": "synth-small", "messages": HELLO},
        headers={"X-Synth-Session-ID": theirs},
    )
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "session_not_found"
    untouched = backend.client(OTHER_KEY).get(f"/api/v1/sessions/{theirs}").json()
    assert untouched["current_usage"]["api_calls"] == untouched["reserved_usage"]["api_calls"] == 0


def test_x_synth_session_id_wins_over_x_session_id(upstream, backend):
    client = backend.client()
    chosen = client.post("/api/v1/sessions", json={"make_active": False}).json()["session_id"]
    response = client.post(
        CHAT,
        json={"model": "synth-small", "messages": HELLO},
        headers={"X-Synth-Session-ID": chosen, "X-Session-ID": "opencode-chat-123"},
    )
    assert response.status_code == 200 and response.headers["X-Session-ID"] == chosen
    assert client.get(f"/api/v1/sessions/{chosen}").json()["current_usage"]["api_calls"] == 1


def test_past_expires_at_a_session_is_expired_listed_so_and_replaced_by_a_new_one(
    upstream, backend
):
    client = backend.client()
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    sid = client.post("/api/v1/sessions", json={"expires_at": soon}).json()["session_id"]
    first = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert first.headers["X-Session-ID"] == sid
    time.sleep(1.1)
    assert client.get("/api/v1/sessions", params={"status": "active"}).json() == []
    expired = client.get("/api/v1/sessions", params={"status": "expired"}).json()
    assert [s["session_id"] for s in expired] == [sid]
    pinned = client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO}, headers={"X-Session-ID": sid}
    )
    assert pinned.status_code == 400 and "expired" in pinned.json()["error"]["message"]
    fresh = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert fresh.status_code == 200 and fresh.headers["X-Session-ID"] != sid
    assert client.get(f"/api/v1/sessions/{sid}").json()["current_usage"]["api_calls"] == 1


def test_x_no_session_requests_are_not_tracked_but_land_in_the_org_ledger(upstream, backend):
    upstream.push(Reply(text="free", usage={"prompt_tokens": 3, "completion_tokens": 4}))
    client = backend.client()
    response = client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO}, headers={"X-No-Session": "true"}
    )
    assert response.status_code == 200 and "X-Session-ID" not in response.headers
    assert client.get("/api/v1/sessions").json() == []
    ledger = client.get("/api/v1/usage", params={"no_session": "true"}).json()["data"]
    assert (
        len(ledger) == 1 and ledger[0]["session_id"] is None and ledger[0]["usage"]["tokens"] == 7
    )
    assert ledger[0]["user_id"] == "user_test" and ledger[0]["model"] == "synth-small"


def test_an_upstream_failure_releases_the_reservation_and_is_not_charged(upstream, backend):
    upstream.push(
        Reply(status=500, error={"message": "boom"}), Reply(status=500, error={"message": "boom"})
    )
    client = backend.client()
    failed = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert failed.status_code == 502 and "boom" in failed.json()["error"]["message"]
    streamed = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "stream": True})
    assert streamed.status_code == 502
    session = session_of(client, failed)
    assert session["reserved_usage"]["cost_usd"] == 0 and session["current_usage"]["api_calls"] == 0


def test_a_stream_cut_by_the_upstream_ends_with_an_error_event_and_is_settled(upstream, backend):
    upstream.push(Reply(text="partial answer text", include_usage=False, cut_after_chunks=2))
    client = backend.client()
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "stream": True})
    events = sse(response)
    assert events[-1]["error"]["code"] == "upstream_stream_cut"
    session = session_of(client, response)
    assert session["reserved_usage"]["tokens"] == 0 and session["current_usage"]["tokens"] > 0


def test_a_client_that_disconnects_mid_stream_is_settled_and_the_upstream_stream_closed(
    upstream, backend
):
    upstream.push(
        Reply(
            text="word " * 200,
            chunk_delay=0.02,
            usage={"prompt_tokens": 5, "completion_tokens": 50},
        )
    )
    client = backend.client()
    sid = client.post("/api/v1/sessions", json={}).json()["session_id"]
    with httpx.Client(
        base_url=backend.url, headers={"Authorization": f"Bearer {backend.api_key}"}
    ) as raw:
        with raw.stream(
            "POST", CHAT, json={"model": "synth-small", "messages": HELLO, "stream": True}
        ) as response:
            for _ in response.iter_lines():
                break  # leave after the first event
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        session = client.get(f"/api/v1/sessions/{sid}").json()
        if session["reserved_usage"]["tokens"] == 0 and upstream.open_streams == 0:
            break
        time.sleep(0.05)
    assert session["reserved_usage"] == {
        "tokens": 0,
        "cost_usd": 0.0,
        "gpu_hours": 0.0,
        "api_calls": 0,
    }
    assert session["current_usage"]["tokens"] > 0
    assert upstream.open_streams == 0


def test_a_soft_limit_warns_in_a_header_but_lets_the_request_through(upstream, backend):
    client = backend.client()
    client.post(
        "/api/v1/sessions",
        json={"limits": [{"metric_type": "api_calls", "limit_value": 0, "limit_type": "soft"}]},
    )
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert response.status_code == 200
    assert "soft api_calls limit" in response.headers["X-Session-Warning"]


def test_bad_chat_requests_are_refused_before_anything_is_reserved(upstream, backend):
    client = backend.client()
    for body, param in (
        ({"messages": HELLO}, "model"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": HELLO, "max_tokens": -1}, "max_tokens"),
    ):
        response = client.post(CHAT, json=body)
        assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert client.get("/api/v1/sessions").json() == []


def test_models_lists_the_aliases_with_their_prices(upstream, backend):
    data = backend.client().get("/api/synth-research/v1/models").json()["data"]
    small = next(m for m in data if m["id"] == "synth-small")
    assert small["upstream_model"] == "gpt-4.1-mini"
    assert small["pricing"] == {
        "input_per_million": 0.40,
        "output_per_million": 1.60,
        "cached_per_million": 0.10,
    }


def test_without_an_upstream_the_routes_answer_503_saying_how_to_configure_one(backend):
    client = backend.client()
    for response in (
        client.post(CHAT, json={"model": "synth-small", "messages": HELLO}),
        client.get("/api/synth-research/v1/models"),
    ):
        assert response.status_code == 503
        assert "SYNTH_AI_UPSTREAM_URL" in response.json()["error"]["message"]
    assert client.get("/api/v1/sessions").json() == []


@pytest.fixture
def short_upstream_timeout(settings):
    """Set before ``backend``: the app builds the chat provider (and its timeout) up front."""
    settings.upstream_timeout = 0.3


@pytest.mark.parametrize(
    ("reply", "status", "kind"),
    [
        (Reply(status=429, error={"message": "slow down"}), 429, "rate_limit_error"),
        (
            Reply(status=400, error={"message": "maximum context length is 8192 tokens"}),
            400,
            "invalid_request_error",
        ),
        (Reply(status=401, error={"message": "bad key"}), 502, "upstream_error"),
        (Reply(delay=0.8), 504, "upstream_error"),
    ],
)
def test_upstream_failures_reach_the_client_as_named_errors_and_cost_nothing(
    short_upstream_timeout, upstream, backend, reply, status, kind
):
    upstream.push(reply)
    client = backend.client()
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO})
    assert response.status_code == status
    error = response.json()["error"]
    assert (
        error["type"] == kind
        and error["type"] != "usage_limit_reached"
        and "upstream" in error["message"]
    )
    session = session_of(client, response)
    assert session["current_usage"]["cost_usd"] == 0 and session["reserved_usage"]["cost_usd"] == 0
