"""``JobQueue`` on Kombu: publish "run job X" messages, check the broker answers."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from synth_ai.adapters.kombu_queue.broker import (
    QUEUE_NAME,
    connect,
    down_message,
    job_queue,
)
from synth_ai.domain.experiments.errors import BrokerUnavailable
from synth_ai.domain.experiments.model import Job

RETRY_POLICY = {"max_retries": 5, "interval_start": 0, "interval_step": 0.5, "interval_max": 2}


class KombuJobQueue:
    def __init__(self, url: str, queue_name: str = QUEUE_NAME):
        self.url = url
        self._lock = threading.Lock()
        self._connection = None
        self._producer = None
        self._queue = job_queue(queue_name)

    def check(self) -> None:
        with self._lock:
            try:
                self._connect().ensure_connection(max_retries=1, timeout=3)
            except Exception as exc:
                self._reset()
                raise BrokerUnavailable(down_message(self.url, exc)) from exc

    def publish(self, jobs: Sequence[Job]) -> None:
        if not jobs:
            return
        with self._lock:
            try:
                connection = self._connect()
                if self._producer is None:
                    self._producer = connection.Producer(serializer="json")
                publish = connection.ensure(self._producer, self._producer.publish, **RETRY_POLICY)
                for job in jobs:
                    publish(
                        {"job_id": job.job_id, "experiment_id": job.experiment_id},
                        # The default exchange routes by queue name: one round trip on Redis
                        # (a named exchange costs a binding lookup per message).
                        exchange="",
                        routing_key=self._queue.name,
                        declare=[self._queue],
                        delivery_mode=2,
                    )
            except Exception as exc:
                self._reset()
                raise BrokerUnavailable(down_message(self.url, exc)) from exc

    def _connect(self):
        if self._connection is None:
            self._connection = connect(self.url)
        return self._connection

    def _reset(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:
                pass
        self._connection = None
        self._producer = None

    def close(self) -> None:
        with self._lock:
            self._reset()
