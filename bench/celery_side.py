"""The Celery baseline of bench_queue, run in the bench's own venv (Celery is no project dep).

A bare Celery task on the same Redis (its own queue and result keys): submit → task start
latency, one at a time, and the drain rate of no-op tasks with results stored in Redis.
bench_queue drives it round by round over stdin (``latency N`` / ``drain N``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

from celery import Celery

QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "bench-celery")
app = Celery(
    "bench_celery",
    broker=os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/0"),
    backend=os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/0"),
)
app.conf.update(
    task_default_queue=QUEUE,
    worker_prefetch_multiplier=1,
    task_acks_late=True,  # ack after the task ran, like the queue under test
    result_expires=600,
    broker_connection_retry_on_startup=True,
)


@app.task(name="bench.noop")
def noop(sent_at: float) -> float:
    return time.time()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def latency_round(n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        sent = time.time()
        started = noop.apply_async((sent,)).get(timeout=30)
        latencies.append(started - sent)
    return latencies


def drain_round(n: int) -> float:
    begin = time.perf_counter()
    results = [noop.apply_async((time.time(),)) for _ in range(n)]
    for result in results:
        result.get(timeout=120)
    return n / (time.perf_counter() - begin)


def main() -> int:
    """Starts a Celery worker, then answers ``latency N`` / ``drain N`` lines on stdin with one
    JSON line each, so the driver can interleave rounds with the queue under test."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_side",
            "worker",
            "-Q",
            QUEUE,
            "-c",
            str(args.concurrency),
            "--pool",
            "threads",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            "-n",
            f"bench-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=os.path.dirname(os.path.abspath(__file__)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        noop.apply_async((time.time(),)).get(timeout=60)  # warm: the worker is up
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command, _, count = line.strip().partition(" ")
            if command == "latency":
                print(json.dumps({"latencies": latency_round(int(count))}), flush=True)
            elif command == "drain":
                print(json.dumps({"jobs_per_s": drain_round(int(count))}), flush=True)
            else:
                break
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
