"""Admission control through real Waitress: streams never take the threads /health needs."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.conftest import OTHER_KEY, TEST_KEY
from tests.support.scripted_upstream import Reply

THREADS, RESERVE, PER_KEY = 8, 2, 3  # 6 requests in flight at most, 3 per key


@pytest.fixture
def server(upstream, container):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.admission import AdmissionControl
    from synth_ai.http.app import create_app

    admission = AdmissionControl(
        create_app(container), threads=THREADS, reserve=RESERVE, per_key=PER_KEY
    )
    with BackgroundServer.start(admission, threads=THREADS) as running:
        running.admission = admission
        yield running


def open_stream(url: str, key: str, opened: threading.Barrier | None, results: list):
    body = {"model": "synth-small", "input": "work slowly", "stream": True}
    headers = {"Authorization": f"Bearer {key}", "X-No-Session": "true"}
    with httpx.stream("POST", f"{url}/v1/responses", json=body, headers=headers, timeout=30) as r:
        lines = r.iter_lines()
        if r.status_code == 200:
            for line in lines:
                if line.startswith("event: response.output_text.delta"):
                    break
        if opened is not None:
            opened.wait()
        results.append(
            (r.status_code, sum(1 for line in lines if line.startswith("event: response.")))
        )


def test_streams_past_capacity_or_the_key_cap_are_refused_while_health_answers(upstream, server):
    upstream.default = Reply(text="x" * 200, chunk_delay=0.05)  # ~25 chunks, over a second
    opened = threading.Barrier(THREADS - RESERVE + 1, timeout=20)
    results: list = []
    keys = [TEST_KEY] * PER_KEY + [OTHER_KEY] * (THREADS - RESERVE - PER_KEY)
    streams = [
        threading.Thread(target=open_stream, args=(server.url, key, opened, results))
        for key in keys
    ]
    for stream in streams:
        stream.start()
    opened.wait()  # capacity is now full: 3 streams of one key, 3 of the other
    assert server.admission.active == THREADS - RESERVE
    headers = {"Authorization": f"Bearer {TEST_KEY}", "X-No-Session": "true"}
    body = {"model": "synth-small", "input": "one more"}
    over_key = httpx.post(f"{server.url}/v1/responses", json=body, headers=headers)
    assert over_key.status_code == 503  # capacity is checked first: the server is full
    assert over_key.headers["Retry-After"] == "1"
    assert over_key.json()["error"]["code"] == "server_busy"
    for _ in range(20):  # answered by the reserved threads (bench/bench_health.py times it)
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    for stream in streams:
        stream.join(30)
    assert [status for status, _ in results] == [200] * len(keys)
    assert server.admission.active == 0


def test_one_key_may_not_hold_more_than_its_share_of_open_requests(upstream, server):
    upstream.default = Reply(text="x" * 200, chunk_delay=0.05)
    opened = threading.Barrier(PER_KEY + 1, timeout=20)
    results: list = []
    streams = [
        threading.Thread(target=open_stream, args=(server.url, TEST_KEY, opened, results))
        for _ in range(PER_KEY)
    ]
    for stream in streams:
        stream.start()
    opened.wait()
    headers = {"Authorization": f"Bearer {TEST_KEY}", "X-No-Session": "true"}
    refused = httpx.post(f"{server.url}/api/v1/me", headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "too_many_open_requests"
    other = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert other.status_code == 200
    for stream in streams:
        stream.join(30)
    again = httpx.get(f"{server.url}/api/v1/me", headers=headers)
    assert again.status_code == 200
