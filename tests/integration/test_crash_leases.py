"""A killed ``serve`` does not strand money: its requests' reservations are leases that lapse
when nobody renews them, and what they had streamed is charged."""

import threading
import time

import httpx
import pytest

from tests.support.redis_keys import drop_prefix
from tests.support.scripted_upstream import Reply, ScriptedUpstream
from tests.support.serve_process import ServeProcess

KEY = "sk-synth-crash-test"
LEASE = 2.0
STREAMS = 20
CHAT = "/api/synth-research/chat/completions"


@pytest.fixture
def upstream():
    upstream = ScriptedUpstream.start(threads=64)
    yield upstream
    upstream.close()


@pytest.fixture(params=["sqlite", "redis", "postgres"])
def home(request, tmp_path, redis_url, redis_prefix):
    if request.param == "postgres":
        from tests.support.postgres import schema_url

        url = schema_url(
            request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_schema")
        )
        (tmp_path / "config.toml").write_text(
            f'[store]\nbackend = "postgres"\npostgres_url = "{url}"\n'
        )
    if request.param == "redis":
        (tmp_path / "config.toml").write_text(
            f'[store]\nbackend = "redis"\nredis_url = "{redis_url}"\n'
            f'redis_prefix = "{redis_prefix}"\n'
        )
    yield tmp_path
    if request.param == "redis":
        drop_prefix(redis_url, redis_prefix)


def _serve(home, upstream):
    return ServeProcess(
        home,
        upstream.base_url,
        KEY,
        extra_env={"SYNTH_AI_SESSION_LEASE_SECONDS": str(LEASE)},
        threads=STREAMS + 8,
    )


def _session(server, sid):
    return httpx.get(
        f"{server.url}/api/v1/sessions/{sid}", headers={"Authorization": f"Bearer {KEY}"}
    ).json()


def test_killing_serve_mid_stream_releases_the_budget_within_one_lease(home, upstream):
    upstream.responder = lambda body: Reply(text="slow words " * 400, chunk_delay=0.2)
    server = _serve(home, upstream)
    auth = {"Authorization": f"Bearer {KEY}"}
    sid = httpx.post(
        f"{server.url}/api/v1/sessions",
        json={"limits": [{"metric_type": "cost_usd", "limit_value": 0.135}]},
        headers=auth,
    ).json()["session_id"]
    started = threading.Barrier(STREAMS + 1, timeout=60)

    def stream():
        try:
            with httpx.stream(
                "POST",
                server.url + CHAT,
                json={
                    "model": "synth-small",
                    "messages": [{"role": "user", "content": "go"}],
                    "stream": True,
                },
                headers=auth,
                timeout=60,
            ) as response:
                lines = response.iter_lines()
                next(lines)
                started.wait()
                for _ in lines:
                    pass
        except (httpx.HTTPError, threading.BrokenBarrierError):
            pass  # the server is killed under us

    threads = [threading.Thread(target=stream, daemon=True) for _ in range(STREAMS)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(LEASE)  # at least one renewal records what each stream has used so far
    held = _session(server, sid)
    assert held["reserved_usage"]["cost_usd"] > 0.1  # most of the budget is in flight
    server.process.kill()  # kill -9: nothing settles, nothing is released
    server.process.wait(timeout=10)
    server.stop()

    restarted = _serve(home, upstream)
    try:
        assert _session(restarted, sid)["reserved_usage"]["cost_usd"] > 0.1  # still held
        time.sleep(LEASE + 0.5)
        upstream.responder = lambda body: Reply(text="quick")
        answer = httpx.post(
            restarted.url + CHAT,
            json={"model": "synth-small", "messages": [{"role": "user", "content": "go"}]},
            headers={**auth, "X-Synth-Session-ID": sid},
            timeout=30,
        )
        assert answer.status_code == 200
        assert upstream.requests[-1]["max_completion_tokens"] == 4096  # the full default cap
        after = _session(restarted, sid)
        assert after["reserved_usage"]["cost_usd"] == 0
        ledger = httpx.get(
            f"{restarted.url}/api/v1/usage",
            params={"session_id": sid, "limit": 100},
            headers=auth,
        ).json()["data"]
        lapsed = [e for e in ledger if e["kind"] == "lapsed"]
        assert len(lapsed) == STREAMS  # each charged what it had streamed by its last renewal
        charged = sum(e["usage"]["cost_usd"] for e in lapsed)
        assert 0 < charged < held["reserved_usage"]["cost_usd"]
        assert after["current_usage"]["cost_usd"] == pytest.approx(
            charged + next(e for e in ledger if e["kind"] == "chat")["usage"]["cost_usd"]
        )
    finally:
        restarted.stop()
