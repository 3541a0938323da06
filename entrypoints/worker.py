"""The queue worker: consume job messages, run up to ``concurrency`` jobs, keep leases alive.

Threads: the consumer loop owns the broker connection (acks happen there); each job runs on a
pool thread; the heartbeat thread renews leases, notices cancels, records this worker and,
every ``tick_s``, runs the repair tick if it is the cluster's scheduler.
A message is acked only after its job's outcome is stored (or the job was handed back).
SIGTERM: stop taking jobs, let running ones finish for up to ``drain_timeout_s``, hand back the
rest, exit 0. SIGINT (``queue stop --now``, Ctrl-C): hand back running jobs at once, exit 0.
"""

from __future__ import annotations

import os
import queue as queue_module
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from synth_ai.domain.experiments.context import StoreJobContext
from synth_ai.domain.experiments.model import Job
from synth_ai.domain.experiments.service import Experiments
from synth_ai.ports.experiments import WorkerRecord
from synth_ai.ports.jobs import JobOutcome
from synth_ai.worker_stats import WorkerStats


class Worker:
    def __init__(
        self,
        *,
        experiments: Experiments,
        consumer,
        concurrency: int,
        workdirs: Path,
        broker: str,
        home: str,
        heartbeat_s: float = 2.0,
        tick_s: float = 5.0,
        drain_timeout_s: float = 30.0,
        log: Callable[[str], None] | None = None,
    ):
        self.experiments = experiments
        self.store = experiments.store
        self.consumer = consumer
        self.concurrency = concurrency
        self.workdirs = workdirs
        self.broker = broker
        self.home = home
        self.heartbeat_s = heartbeat_s
        self.tick_s = tick_s
        self.drain_timeout_s = drain_timeout_s
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.worker_id = f"{self.host}:{self.pid}:{experiments.ids.new_id('w')[-8:]}"
        self.started_at = experiments.clock.now()
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="job")
        self._lock = threading.Lock()
        self._running: dict[str, StoreJobContext] = {}
        self._in_hand = 0  # messages received and not yet acked
        self._acks: queue_module.SimpleQueue = queue_module.SimpleQueue()
        self._taking = True
        self._drain_deadline: float | None = None
        self._done = threading.Event()
        self.stats = WorkerStats(concurrency=concurrency, running=lambda: len(self._running))

    # -- lifecycle --------------------------------------------------------------------------------
    def log(self, line: str) -> None:
        self._log(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} worker {self.pid}: {line}")

    def stop(self, *, now: bool = False) -> None:
        """Stop taking jobs; ``now`` hands running jobs back at once instead of draining."""
        self._taking = False
        if self._drain_deadline is None:
            self._drain_deadline = time.monotonic() + (0 if now else self.drain_timeout_s)
            self.log("stopping: " + ("handing back running jobs" if now else "draining"))
        if now:
            self._drain_deadline = time.monotonic()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        signal.signal(signal.SIGINT, lambda *_: self.stop(now=True))

    def run(self) -> int:
        self.log(
            f"started: concurrency {self.concurrency}, broker {self.broker}, id {self.worker_id}"
        )
        self._beat()
        beat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beat.start()
        try:
            self.consumer.run(
                self._on_message, taking=lambda: self._taking, running=self._active, idle=self._idle
            )
        finally:
            self._done.set()
            beat.join(timeout=self.heartbeat_s + 5)
            self._pool.shutdown(wait=True)
            self._idle()
            self.store.remove_worker(self.worker_id)
            self.log("stopped")
        return 0

    def _active(self) -> bool:
        if self._taking:
            return True
        with self._lock:
            busy = bool(self._running) or self._in_hand > 0
        if busy and self._drain_deadline is not None and time.monotonic() >= self._drain_deadline:
            self._hand_back_all()
        return busy

    # -- messages and jobs ------------------------------------------------------------------------
    def _on_message(self, body, message) -> None:
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if not job_id or not self._taking:
            if job_id and not self._taking:
                message.requeue()
            else:
                message.ack()
            return
        with self._lock:
            self._in_hand += 1
        self._pool.submit(self._run, job_id, message)

    def _run(self, job_id: str, message) -> None:
        try:
            job = self.experiments.claim(job_id, self.worker_id) if self._taking else None
            if job is not None:
                self._run_claimed(job)
        except Exception as exc:  # the store went away mid-job: the lease will expire
            self.log(f"job {job_id}: {type(exc).__name__}: {exc}")
        finally:
            self._acks.put(message)

    def _run_claimed(self, job: Job) -> None:
        workdir = self.workdirs / job.job_id
        try:
            ctx = self.experiments.open_context(job, workdir)
        except Exception as exc:
            self.stats.finished(job.job_type, "failed", "failed", {})
            self.store.finish(
                job.job_id,
                self.worker_id,
                "failed",
                f"cannot prepare the job: {exc}",
                {},
                self.experiments.clock.now(),
            )
            self.experiments.dispatch(job.experiment_id)
            return
        with self._lock:
            self._running[job.job_id] = ctx
        if not self._taking and self._drain_deadline is not None:
            if time.monotonic() >= self._drain_deadline:
                ctx.cancel(hand_back=True)
        self.log(f"job {job.job_id} ({job.job_type}) attempt {job.attempts} started")
        try:
            outcome = self.experiments.execute(job, ctx)
        except Exception as exc:
            outcome = JobOutcome("failed", f"worker error: {exc}")
        with self._lock:
            self._running.pop(job.job_id, None)
        settled = self.experiments.settle(job, self.worker_id, ctx, outcome)
        self.stats.finished(job.job_type, settled, outcome.status, outcome.result)
        self.log(f"job {job.job_id} {settled}" + (f": {outcome.reason}" if outcome.reason else ""))

    def _idle(self) -> None:
        while True:
            try:
                message = self._acks.get_nowait()
            except queue_module.Empty:
                return
            with self._lock:
                self._in_hand -= 1
            try:
                message.ack()
            except Exception:
                pass  # the connection it came on is gone; the broker redelivers, claim drops it

    def _hand_back_all(self) -> None:
        with self._lock:
            contexts = list(self._running.values())
        for ctx in contexts:
            if not ctx.handed_back:
                ctx.cancel(hand_back=True)

    # -- heartbeat, cancels, the tick -------------------------------------------------------------
    def _heartbeat_loop(self) -> None:
        next_tick = 0.0
        while not self._done.wait(self.heartbeat_s):
            try:
                self._beat()
                if time.monotonic() >= next_tick and self._taking:
                    next_tick = time.monotonic() + self.tick_s
                    report = self.experiments.tick(self.worker_id, ttl=self.tick_s * 2)
                    if report.requeued or report.failed or report.republished:
                        self.log(
                            f"tick: {report.requeued} re-queued, {report.failed} failed, "
                            f"{report.republished} re-published"
                        )
            except Exception as exc:
                self.log(f"heartbeat: {type(exc).__name__}: {exc}")

    def _beat(self) -> None:
        with self._lock:
            contexts = dict(self._running)
        now = self.experiments.clock.now()
        flagged = self.store.renew(
            self.worker_id, contexts, now, self.experiments.policy.lease_seconds
        )
        for job_id in flagged:
            if job_id in contexts and not contexts[job_id].cancelled():
                self.log(f"job {job_id}: cancel requested")
                contexts[job_id].cancel()
        for ctx in contexts.values():
            ctx.flush()
        self.store.heartbeat_worker(
            WorkerRecord(
                worker_id=self.worker_id,
                host=self.host,
                pid=self.pid,
                concurrency=self.concurrency,
                broker=self.broker,
                home=self.home,
                running=tuple(sorted(contexts)),
                started_at=self.started_at,
                heartbeat_at=now,
            )
        )
        self.stats.beat(now)


def main(argv: list[str] | None = None) -> int:
    """``python -m synth_ai.worker`` — what ``synth-ai queue start --background`` runs."""
    from synth_ai.cli.main import cli

    args = ["queue", "start", *(sys.argv[1:] if argv is None else argv)]
    try:
        cli.main(args=args, prog_name="synth-ai", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
