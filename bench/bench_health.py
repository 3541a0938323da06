"""``/health`` latency while many slow Responses streams are open on ``synth-ai serve``.

    .venv/bin/python -m bench.bench_health [--streams 256] [--probes 200] [--threads 64 296]

For each ``--threads`` value: a real ``synth-ai serve`` subprocess on a slow scripted upstream
(one chunk every 0.5 s). First ``--probes`` sequential ``GET /health`` with nothing open (the
same-run baseline), then ``--streams`` streaming ``POST /v1/responses`` at once, and, while the
admitted ones are open, the probes again. Prints one JSON line per run: how many streams
were open and how many admission control refused (503 + Retry-After), ``/health`` p50/p99 in
ms, and the p99 ratio to the baseline. Goal: p99 < 50 ms with 256 streams open.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from synth_ai.adapters.waitress_host import BackgroundServer, find_free_port

from tests.support.scripted_upstream import Reply, ScriptedUpstream

KEY = "sk-synth-bench-health"


def probe(url: str, count: int) -> list[float]:
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            assert client.get(f"{url}/health").status_code == 200
            times.append((time.perf_counter() - started) * 1000)
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def stream(url: str, ready: threading.Semaphore, outcome: list, stop: threading.Event) -> None:
    body = {"model": "synth-small", "input": "work slowly", "stream": True}
    headers = {"Authorization": f"Bearer {KEY}", "X-No-Session": "true"}
    try:
        with httpx.stream(
            "POST", f"{url}/v1/responses", json=body, headers=headers, timeout=120
        ) as response:
            outcome.append(response.status_code)
            released = False
            for line in response.iter_lines():  # keep reading: a dropped reader ends the stream
                if not released and line.startswith("event: response.output_text.delta"):
                    ready.release()
                    released = True
                if stop.is_set():
                    break
            if not released:
                ready.release()
    except httpx.HTTPError:
        outcome.append("error")
        ready.release()


def serve(home: Path, threads: int, upstream: str) -> tuple[subprocess.Popen, str]:
    port = find_free_port()
    (home / "config.toml").write_text(
        f'[server]\nmax_requests_per_key = 100000\n[[server.api_keys]]\nkey = "{KEY}"\n'
    )
    env = {**os.environ, "SYNTH_AI_HOME": str(home), "SYNTH_AI_UPSTREAM_URL": upstream}
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(port), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"synth-ai serve did not start on {url}")


def run(threads: int, streams: int, probes: int, upstream: ScriptedUpstream) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        process, url = serve(Path(tmp), threads, upstream.base_url)
        try:
            baseline = probe(url, probes)
            ready, stop, outcome = threading.Semaphore(0), threading.Event(), []
            clients = [
                threading.Thread(target=stream, args=(url, ready, outcome, stop), daemon=True)
                for _ in range(streams)
            ]
            for client in clients:
                client.start()
            for _ in clients:
                ready.acquire(timeout=120)
            loaded = probe(url, probes)
            open_streams = upstream.open_streams
            stop.set()
        finally:
            process.terminate()
            process.wait(30)
    return {
        "measurement": "health_under_open_streams",
        "threads": threads,
        "streams_attempted": streams,
        "streams_admitted": outcome.count(200),
        "streams_open_upstream": open_streams,
        "refused_503": outcome.count(503),
        "other_outcomes": sorted({str(o) for o in outcome} - {"200", "503"}),
        "probes": probes,
        "baseline_p99_ms": round(p99(baseline), 2),
        "p50_ms": round(statistics.median(loaded), 2),
        "p99_ms": round(p99(loaded), 2),
        "p99_ratio": round(p99(loaded) / p99(baseline), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=256)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--threads", type=int, nargs="+", default=[64, 296])
    args = parser.parse_args()
    upstream = ScriptedUpstream()
    upstream.server = BackgroundServer.start(
        upstream, threads=args.streams + 16, connection_limit=args.streams * 4
    )
    upstream.default = Reply(text="x" * 480, chunk_delay=0.5)  # 60 chunks: ~30 s per stream
    try:
        for threads in args.threads:
            print(json.dumps(run(threads, args.streams, args.probes, upstream)), flush=True)
    finally:
        upstream.close()


if __name__ == "__main__":
    main()
