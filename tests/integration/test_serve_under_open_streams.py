"""Long-lived agent streams each hold a Waitress thread; /health must still answer meanwhile."""

import threading

import httpx

from tests.support.scripted_upstream import Reply

OPEN_STREAMS = 6  # the backend fixture runs 16 threads


def test_health_answers_while_several_response_streams_are_open(upstream, backend):
    upstream.default = Reply(
        text="x" * 400, chunk_delay=0.05
    )  # ~50 chunks: a few seconds per stream
    started = threading.Barrier(OPEN_STREAMS + 1, timeout=20)
    finished = []

    def open_stream():
        body = {"model": "synth-small", "input": "work slowly", "stream": True}
        with backend.client().stream(
            "POST", "/api/v1/responses", json=body, headers={"X-No-Session": "true"}
        ) as r:
            lines = r.iter_lines()
            for line in lines:
                if line.startswith("event: response.output_text.delta"):
                    break
            started.wait()
            finished.append(
                sum(1 for line in lines if line.startswith("event: response.completed"))
            )

    streams = [threading.Thread(target=open_stream) for _ in range(OPEN_STREAMS)]
    for stream in streams:
        stream.start()
    started.wait()  # every stream is mid-flight now
    assert upstream.open_streams == OPEN_STREAMS
    health = httpx.get(f"{backend.url}/health", timeout=2.0)
    assert health.status_code == 200 and health.json()["healthy"] is True
    for stream in streams:
        stream.join(30)
    assert finished == [1] * OPEN_STREAMS
