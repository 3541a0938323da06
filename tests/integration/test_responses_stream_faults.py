"""Every started Responses stream ends with exactly one terminal event, whatever breaks
mid-stream, and its reservation never stays open: real Waitress, the real budget on a real
SQLite store, a scripted upstream that injects each fault after the stream has started."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import redis
from dependency_injector import providers

from tests.conftest import TEST_KEY
from tests.support.event_invariants import assert_event_contract
from tests.support.faulty_database import FaultyDatabase
from tests.support.redis_server import RedisServer
from tests.support.scripted_upstream import Reply

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
TEXT = "a long answer that streams in many small pieces " * 4
UPSTREAM_TIMEOUT = 1.5


@pytest.fixture
def api(settings, upstream, container):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import create_app

    settings.upstream_timeout = UPSTREAM_TIMEOUT
    database = FaultyDatabase(settings.sqlite_path)
    container.sqlite.override(providers.Object(database))
    with BackgroundServer.start(create_app(container), threads=8) as server:
        server.database = database
        server.http = httpx.Client(base_url=server.url, headers=AUTH, timeout=30)
        server.session_id = server.http.post("/api/v1/sessions", json={}).json()["session_id"]
        yield server
        server.http.close()


def _stream(api, on_event=None) -> list[dict]:
    events = []
    body = {"model": "synth-small", "input": "go", "stream": True}
    with api.http.stream("POST", "/api/v1/responses", json=body) as answer:
        assert answer.status_code == 200, answer.read()
        for line in answer.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if on_event:
                    on_event(events[-1])
    return events


def _settled(api) -> dict:
    """The session once nothing is reserved any more (the settle may come a moment later)."""
    deadline = time.monotonic() + 15
    while True:
        session = api.http.get(f"/api/v1/sessions/{api.session_id}").json()
        if all(v == 0 for v in session["reserved_usage"].values()):
            return session
        assert time.monotonic() < deadline, f"a reservation stays open: {session}"
        time.sleep(0.2)


FAULTS = {
    "the upstream connection drops": (Reply(text=TEXT, drop_after_chunks=4), "upstream_stream_cut"),
    "the upstream ends without [DONE]": (
        Reply(text=TEXT, cut_after_chunks=4),
        "upstream_stream_cut",
    ),
    "the upstream sends an error chunk": (
        Reply(
            text=TEXT,
            inject=b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n',
            inject_after=4,
        ),
        None,
    ),
    "the upstream sends a malformed chunk": (
        Reply(text=TEXT, inject=b'data: {"choices": [{"delta": \n\n', inject_after=4),
        "upstream_error",
    ),
    "the upstream sends a chunk of the wrong shape": (
        Reply(text=TEXT, inject=b'data: {"choices": [{"delta": "oops"}]}\n\n', inject_after=4),
        "server_error",
    ),
    "the upstream stalls past its timeout": (
        Reply(text=TEXT, stall_after=4, stall=UPSTREAM_TIMEOUT + 1.0),
        "upstream_timeout",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_stream_broken_mid_way_fails_with_one_terminal_event_and_releases_its_reservation(
    api, upstream, fault
):
    reply, code = FAULTS[fault]
    upstream.push(reply)
    events = _stream(api)
    assert any(e["type"] == "response.output_text.delta" for e in events)  # it had started
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.failed", terminal
    if code:
        assert terminal["response"]["error"]["code"] == code
    session = _settled(api)
    assert session["current_usage"]["api_calls"] == 1  # settled (charged), not just dropped


def test_a_database_that_refuses_writes_as_the_stream_ends_still_completes_it_and_settles_later(
    api, upstream
):
    upstream.push(Reply(text=TEXT, chunk_delay=0.05))

    def break_the_database(event):
        if event["type"] == "response.output_text.delta":
            api.database.fault = "read-only"  # the settle and the save of the response fail

    events = _stream(api, on_event=break_the_database)
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    assert terminal["response"]["output"][0]["content"][0]["text"] == TEXT
    api.database.fault = None
    session = _settled(api)  # the settle waited in the outbox, then was applied
    assert session["current_usage"]["api_calls"] == 1
    stored = api.http.get(f"/api/v1/responses/{terminal['response']['id']}")
    assert stored.status_code == 404  # it could not be stored, and nothing pretends it was


def test_a_client_that_goes_away_mid_stream_leaves_no_reservation_open(api, upstream):
    upstream.push(Reply(text=TEXT * 4, chunk_delay=0.05))
    body = {"model": "synth-small", "input": "go", "stream": True}
    with api.http.stream("POST", "/api/v1/responses", json=body) as answer:
        for line in answer.iter_lines():
            if "response.output_text.delta" in line:
                break  # hang up
    session = _settled(api)
    assert session["current_usage"]["api_calls"] == 1
    assert session["current_usage"]["tokens"] > 0  # what had streamed is charged


@pytest.fixture
def redis_api(settings, upstream, container, tmp_path):
    """The backend on a redis-server of the test's own, to make it refuse writes mid-stream."""
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import create_app

    redis_server = RedisServer.start(tmp_path / "redis")
    settings.store, settings.redis_url = "redis", redis_server.url
    try:
        with BackgroundServer.start(create_app(container), threads=8) as server:
            server.redis = redis.Redis.from_url(redis_server.url)
            server.http = httpx.Client(base_url=server.url, headers=AUTH, timeout=30)
            server.session_id = server.http.post("/api/v1/sessions", json={}).json()["session_id"]
            yield server
            server.http.close()
    finally:
        redis_server.stop()


def test_a_redis_that_refuses_writes_as_the_stream_ends_still_completes_it_and_settles_later(
    redis_api, upstream
):
    upstream.push(Reply(text=TEXT, chunk_delay=0.05))

    def fill_redis(event):
        if event["type"] == "response.output_text.delta":  # out of memory: writes refused
            redis_api.redis.config_set("maxmemory-policy", "noeviction")
            redis_api.redis.config_set("maxmemory", 1)

    events = _stream(redis_api, on_event=fill_redis)
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    redis_api.redis.config_set("maxmemory", 0)
    session = _settled(redis_api)  # the settle waited in the outbox, then was applied
    assert session["current_usage"]["api_calls"] == 1
