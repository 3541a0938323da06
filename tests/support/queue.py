"""Helpers for queue tests: brokers, command-job experiments, a worker on a thread, a ledger.

Every test uses a queue name of its own, so tests on a shared broker never take each other's
messages, and deletes it afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

REDIS_URL = os.environ.get("SYNTH_AI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
AMQP_URL = os.environ.get("SYNTH_AI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = {"redis": REDIS_URL, "amqp": AMQP_URL}

# A job command that appends "start"/"end" with times to $LEDGER, sleeping $NAP seconds between.
LEDGER_JOB = (
    f'{sys.executable} -c "import os,time,json;'
    "f=lambda e: open(os.environ['LEDGER'],'a').write(json.dumps([os.environ['SYNTH_AI_JOB_ID'],e,time.time(),os.getpid()])+chr(10));"
    "f('start');print('ran',os.environ['SYNTH_AI_JOB_ID'],flush=True);"
    "time.sleep(float(os.environ.get('NAP','0.3')));f('end');"
    "open(os.environ['SYNTH_AI_RESULT_FILE'],'w').write(json.dumps({'pid':os.getpid()}))\""
)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def unique_queue() -> str:
    return f"synth-ai.test.{uuid.uuid4().hex[:10]}"


def delete_queue(url: str, name: str) -> None:
    from kombu import Connection
    from synth_ai.adapters.kombu_queue.broker import job_queue

    try:
        with Connection(url, connect_timeout=2) as conn:
            job_queue(name)(conn.default_channel).delete()
    except Exception:
        pass


def write_experiment(
    folder: Path, *, jobs: int, parallelism: int, nap: float = 0.3, command: str | None = None
) -> Path:
    """An experiment file of ``jobs`` command jobs writing to ``folder/ledger.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "job.toml").write_text(
        "[command]\nrun = " + json.dumps(command or LEDGER_JOB) + "\n", encoding="utf-8"
    )
    (folder / "job.env").write_text(f"LEDGER={folder / 'ledger.jsonl'}\nNAP={nap}\n")
    document = {
        "name": "ledger",
        "parallelism": parallelism,
        "jobs": [
            {"job_type": "command", "config_path": "job.toml", "env_path": "job.env"}
            for _ in range(jobs)
        ],
    }
    path = folder / "experiment.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def read_ledger(folder: Path) -> list[list]:
    path = folder / "ledger.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def max_concurrent(entries: list[list]) -> int:
    running, peak = 0, 0
    for _, event, _, _ in sorted(entries, key=lambda e: (e[2], e[1] == "start")):
        running += 1 if event == "start" else -1
        peak = max(peak, running)
    return peak


def overlapping_runs_of_one_job(entries: list[list]) -> list[str]:
    """Job ids that had two runs alive at the same time."""
    bad = []
    by_job: dict[str, list] = {}
    for entry in entries:
        by_job.setdefault(entry[0], []).append(entry)
    for job_id, events in by_job.items():
        if max_concurrent(events) > 1:
            bad.append(job_id)
    return bad


class ThreadWorker:
    """A real ``Worker`` on a thread (the in-process runner ``experiment run`` uses)."""

    def __init__(self, experiments, url: str, queue_name: str, workdirs: Path, concurrency=2):
        from synth_ai.adapters.kombu_queue import KombuJobConsumer
        from synth_ai.worker import Worker

        self.worker = Worker(
            experiments=experiments,
            consumer=KombuJobConsumer(url, prefetch=concurrency, queue_name=queue_name),
            concurrency=concurrency,
            workdirs=workdirs,
            broker=url,
            home=str(workdirs),
            heartbeat_s=0.3,
            tick_s=0.5,
            drain_timeout_s=10,
            log=lambda line: None,
        )
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.worker.stop(now=True)
        self.thread.join(timeout=20)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")


QUEUE_CONFIG = """[queue]
lease_s = 3
heartbeat_s = 0.5
tick_s = 1
max_attempts = 3
drain_timeout_s = 15
redispatch_after_s = 5
"""


class QueueHome:
    """An isolated home for CLI tests: fast leases, a queue name of its own, a broker URL."""

    def __init__(self, home: Path, broker: str):
        self.home = home
        self.broker = broker
        self.queue_name = unique_queue()
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(QUEUE_CONFIG, encoding="utf-8")
        self.env = {
            "SYNTH_AI_HOME": str(home),
            "SYNTH_AI_BROKER_URL": broker,
            "SYNTH_AI_QUEUE_NAME": self.queue_name,
        }

    def worker_pids(self) -> list[int]:
        from synth_ai.adapters.system.worker_pids import WorkerPids

        return WorkerPids(self.home / "queue").ours()

    def close(self) -> None:
        import signal

        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 20
        while self.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        delete_queue(self.broker, self.queue_name)
