"""Task-app benchmarks: time to healthy for ``InProcessTaskApp``, and ``/rollout`` throughput.

    python -m bench.bench_task_app [--runs 15] [--requests 300] [--concurrency 8]

Prints one JSON line per measurement. Each compares against a baseline measured in the same
run: a bare ``BackgroundServer`` start plus one GET (healthy time), and ``GET /health`` on the
same app (throughput), so the ratio shows what the task-app layer costs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_ai.adapters.waitress_host import BackgroundServer  # noqa: E402
from synth_ai.task_app.in_process import InProcessTaskApp  # noqa: E402
from synth_ai.task_app.loading import load_task_app  # noqa: E402

from tests.support.scripted_upstream import Reply, ScriptedUpstream  # noqa: E402

KEY = "bench-key"


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def bench_healthy(runs: int) -> dict:
    config = load_task_app(ROOT / "examples" / "arithmetic_task_app.py")
    enter, baseline = [], []
    for _ in range(runs):
        started = time.perf_counter()
        server = BackgroundServer.start(_hello, "127.0.0.1", 0, threads=16)
        _get(int(server.port), "/")
        baseline.append(time.perf_counter() - started)
        server.close()
        app = InProcessTaskApp(config=config, port=0, api_key=KEY)
        started = time.perf_counter()
        app.__enter__()
        enter.append(time.perf_counter() - started)
        app.__exit__(None, None, None)
    median, base = statistics.median(enter), statistics.median(baseline)
    return {
        "bench": "in_process_task_app_healthy",
        "runs": runs,
        "median_s": round(median, 4),
        "max_s": round(max(enter), 4),
        "baseline_median_s": round(base, 4),
        "ratio_to_baseline": round(median / base, 2),
        "target_s": 0.3,
        "meets_target": median < 0.3,
    }


def _throughput(url: str, requests: int, concurrency: int, call) -> float:
    import httpx

    clients = [
        httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=30)
        for _ in range(concurrency)
    ]
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            statuses = list(pool.map(lambda i: call(clients[i % concurrency], i), range(requests)))
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            client.close()
    bad = [s for s in statuses if s != 200]
    if bad:
        raise SystemExit(f"{len(bad)} requests failed: {bad[:5]}")
    return requests / elapsed


def bench_rollout(requests: int, concurrency: int) -> dict:
    upstream = ScriptedUpstream.start(threads=concurrency * 2)
    upstream.default = Reply(text="28")
    config = load_task_app(ROOT / "examples" / "arithmetic_task_app.py")
    body = {
        "run_id": "bench",
        "env": {"seed": 0},
        "policy": {"config": {"inference_url": upstream.base_url}},
    }
    try:
        with InProcessTaskApp(config=config, port=0, api_key=KEY, threads=concurrency * 2) as app:
            health = _throughput(
                app.url, requests, concurrency, lambda c, i: c.get("/health").status_code
            )
            rollout = _throughput(
                app.url,
                requests,
                concurrency,
                lambda c, i: c.post("/rollout", json=body).status_code,
            )
    finally:
        upstream.close()
    return {
        "bench": "rollout_requests_per_second",
        "requests": requests,
        "concurrency": concurrency,
        "rollout_rps": round(rollout, 1),
        "baseline_health_rps": round(health, 1),
        "ratio_to_baseline": round(rollout / health, 3),
        "note": "each rollout also makes one policy call to a local scripted upstream",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("ENVIRONMENT_API_KEY", KEY)
    print(json.dumps(bench_healthy(args.runs)), flush=True)
    print(json.dumps(bench_rollout(args.requests, args.concurrency)), flush=True)


if __name__ == "__main__":
    main()
