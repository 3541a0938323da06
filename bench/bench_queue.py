"""The experiment queue against a bare Celery task on the same Redis, in the same run.

Two measurements, each for both systems:
- ``dispatch_latency_s``: submit → job start, one job at a time, each waited for until its
  outcome is stored (p50, p99). Ours: from the ``submit`` call (validation and the experiment
  stored) to the store's claim time (the job is running, its state persisted); Celery: from
  ``apply_async`` to the time the task body starts, then ``.get()``.
- ``drain_jobs_per_s``: no-op jobs finished per second with their outcome stored. Ours:
  ``--experiments`` experiments of no-op jobs at parallelism 8 on one worker process of
  ``--concurrency`` threads; Celery: as many tasks with a Redis result backend, threads pool.

The two systems run in interleaved rounds (latency, then drain, each system in turn) so both
see the same machine load; latencies are pooled over the rounds, drain rates are the median
round. Celery is installed in its own venv under the git-ignored ``.cache/`` (never a project
dependency). Prints one JSON line per measurement, then the ratios.

    .venv/bin/python -m bench.bench_queue [--rounds 4] [--latency 50] [--drain 500] [--store sqlite|redis]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELERY_VENV = ROOT / ".cache" / "bench-queue-celery"
CELERY_VERSION = "5.7.0"


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def emit(**fields) -> dict:
    print(json.dumps({"bench": "queue", **fields}), flush=True)
    return fields


def ensure_celery() -> Path:
    python = CELERY_VENV / "bin" / "python"
    probe = [
        str(python),
        "-c",
        f"import celery,sys; sys.exit(celery.__version__ != '{CELERY_VERSION}')",
    ]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(CELERY_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"celery[redis]=={CELERY_VERSION}"], check=True
    )
    return python


class CeleryBaseline:
    """The Celery side in its own venv and process, driven one round at a time."""

    def __init__(self, broker: str, concurrency: int):
        python = ensure_celery()
        env = {
            **os.environ,
            "BENCH_BROKER": broker,
            "BENCH_CELERY_QUEUE": f"bench-celery-{uuid.uuid4().hex[:6]}",
        }
        self.process = subprocess.Popen(
            [
                str(python),
                str(ROOT / "bench" / "celery_side.py"),
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if "ready" not in self._answer():
            raise SystemExit("the Celery baseline did not start")

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the Celery baseline exited")
        return json.loads(line)

    def _ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer()

    def latencies(self, n: int) -> list[float]:
        return self._ask(f"latency {n}")["latencies"]

    def drain(self, n: int) -> float:
        return self._ask(f"drain {n}")["jobs_per_s"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


class OurQueue:
    def __init__(self, broker: str, store: str, concurrency: int):
        self.folder = Path(tempfile.mkdtemp(prefix="bench-queue-"))
        self.home = self.folder / "home"
        self.home.mkdir()
        self.prefix = f"bench-queue-{uuid.uuid4().hex[:8]}:"
        (self.home / "config.toml").write_text(
            f'[queue]\nstore = "{store}"\n[store]\nredis_prefix = "{self.prefix}"\n', "utf-8"
        )
        (self.folder / "noop.toml").write_text("[noop]\n", "utf-8")
        self.queue_name = f"bench-synth-{uuid.uuid4().hex[:6]}"
        self.broker = broker
        self.store = store
        self.env = {
            "SYNTH_AI_HOME": str(self.home),
            "SYNTH_AI_BROKER_URL": broker,
            "SYNTH_AI_QUEUE_NAME": self.queue_name,
            "SYNTH_AI_REDIS_URL": broker,
        }
        os.environ.update(self.env)
        from dependency_injector import providers
        from synth_ai.container import create_container

        from bench.queue_worker import NoopRunner

        self.container = create_container()
        runners = dict(self.container.job_runners())
        runners["noop"] = NoopRunner()
        self.container.job_runners.override(providers.Object(runners))
        self.experiments = self.container.experiments()
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "bench.queue_worker", "--concurrency", str(concurrency)],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not self.experiments.store.workers():
            if time.monotonic() > deadline or self.worker.poll() is not None:
                raise SystemExit("the bench worker did not start")
            time.sleep(0.05)

    def submit(self, jobs: int, parallelism: int):
        from synth_ai.domain.experiments.model import JobSpec
        from synth_ai.domain.experiments.submission import ExperimentRequest

        request = ExperimentRequest(
            name="bench",
            parallelism=parallelism,
            jobs=tuple(JobSpec("noop", "noop.toml") for _ in range(jobs)),
        )
        return self.experiments.submit(
            request, org_id="bench", base_dir=self.folder, source="bench"
        )

    def latencies(self, n: int) -> list[float]:
        store = self.experiments.store
        latencies = []
        for _ in range(n):
            sent = time.time()
            job_id = self.submit(1, 1).jobs[0].job_id
            # Like Celery's ``apply_async(...).get()``: wait for the outcome before the next one.
            while (job := store.job(job_id)).finished_at is None:
                time.sleep(0.0005)
            latencies.append(job.started_at - sent)
        return latencies

    def wait_done(self, experiment_id: str, timeout: float = 600) -> None:
        store = self.experiments.store
        deadline = time.monotonic() + timeout
        while not store.get(experiment_id).terminal:
            if time.monotonic() > deadline:
                raise SystemExit(f"{experiment_id} did not finish")
            time.sleep(0.01)

    def drain(self, total: int, experiments: int) -> float:
        per = total // experiments
        begin = time.perf_counter()
        ids = [self.submit(per, 8).experiment.experiment_id for _ in range(experiments)]
        for experiment_id in ids:
            self.wait_done(experiment_id)
        elapsed = time.perf_counter() - begin
        done = sum(
            1 for e in ids for j in self.experiments.store.jobs(e) if j.status == "completed"
        )
        return done / elapsed

    def close(self) -> None:
        self.worker.terminate()
        self.worker.wait(timeout=60)
        from tests.support.queue import delete_queue
        from tests.support.redis_keys import drop_prefix

        delete_queue(self.broker, self.queue_name)
        drop_prefix(self.broker, self.prefix)
        shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds per system")
    parser.add_argument("--latency", type=int, default=50, help="jobs per latency round")
    parser.add_argument("--drain", type=int, default=500, help="jobs per drain round")
    parser.add_argument("--experiments", type=int, default=5, help="experiments per drain round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--store", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument(
        "--broker", default=os.environ.get("SYNTH_AI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    ours = OurQueue(args.broker, args.store, args.concurrency)
    celery = CeleryBaseline(args.broker, args.concurrency)
    latency = {"synth-ai": [], "celery": []}
    drain = {"synth-ai": [], "celery": []}
    try:
        ours.wait_done(ours.submit(1, 1).experiment.experiment_id)  # warm
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            latency["synth-ai"] += ours.latencies(args.latency)
            latency["celery"] += celery.latencies(args.latency)
            drain["synth-ai"].append(ours.drain(args.drain, args.experiments))
            drain["celery"].append(celery.drain(args.drain))
    finally:
        ours.close()
        celery.close()
    for system in ("synth-ai", "celery"):
        values = latency[system]
        emit(
            system=system,
            store=args.store if system == "synth-ai" else "redis-results",
            measure="dispatch_latency_s",
            n=len(values),
            p50=statistics.median(values),
            p99=percentile(values, 0.99),
        )
        emit(
            system=system,
            measure="drain_jobs_per_s",
            n=args.drain * args.rounds,
            jobs_per_s=statistics.median(drain[system]),
            rounds=[round(r, 1) for r in drain[system]],
        )
    emit(
        measure="ratio",
        dispatch_p50_ours_over_celery=statistics.median(latency["synth-ai"])
        / statistics.median(latency["celery"]),
        dispatch_p99_ours_over_celery=percentile(latency["synth-ai"], 0.99)
        / percentile(latency["celery"], 0.99),
        drain_ours_over_celery=statistics.median(drain["synth-ai"])
        / statistics.median(drain["celery"]),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
