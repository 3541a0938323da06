"""The worker's side of the queue: consume with manual acks and reconnect when the broker drops.

``run`` owns the connection on one thread: Kombu connections are not thread-safe, so the
worker hands acks back through ``idle`` (called every ``poll`` seconds on this thread).
A lost connection is re-established with back-off; messages that were not acked on the old
connection are redelivered by the broker, and the store's claim drops the duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kombu import Consumer
from kombu.exceptions import OperationalError
from synth_ai.adapters.kombu_queue.broker import QUEUE_NAME, connect, job_queue, redact

Handler = Callable[[dict[str, Any], Any], None]


class KombuJobConsumer:
    def __init__(
        self,
        url: str,
        *,
        prefetch: int,
        queue_name: str = QUEUE_NAME,
        log: Callable[[str], None] = lambda line: None,
        poll: float = 0.05,
    ):
        self.url = url
        self.prefetch = prefetch
        self.queue_name = queue_name
        self.log = log
        self.poll = poll
        self.connected = False

    def run(
        self,
        handle: Handler,
        *,
        taking: Callable[[], bool],
        running: Callable[[], bool],
        idle: Callable[[], None],
    ) -> None:
        """Consume while ``taking()``; keep calling ``idle`` until ``running()`` is False."""
        delay = 0.5
        while running():
            connection = connect(self.url)
            try:
                connection.ensure_connection(max_retries=1, timeout=3)
                channel = connection.channel()
                channel.basic_qos(0, self.prefetch, False)
                consumer = Consumer(
                    channel,
                    queues=[job_queue(self.queue_name)],
                    callbacks=[handle],
                    accept=["json"],
                    no_ack=False,
                )
                consumer.consume()
                consuming = True
                if not self.connected:
                    self.log(f"connected to {redact(self.url)}")
                self.connected, delay = True, 0.5
                while running():
                    if consuming and not taking():
                        consumer.cancel()
                        consuming = False
                    if consuming:
                        try:
                            connection.drain_events(timeout=self.poll)
                        except TimeoutError:
                            pass
                    else:
                        time.sleep(self.poll)
                    idle()
            except (
                OperationalError,
                OSError,
                *connection.connection_errors,
                *connection.channel_errors,
            ) as exc:
                if self.connected:
                    self.log(f"lost the broker at {redact(self.url)} ({exc}); reconnecting")
                self.connected = False
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline and running():
                    idle()
                    time.sleep(self.poll)
                delay = min(delay * 2, 5.0)
            finally:
                try:
                    connection.release()
                except Exception:
                    pass
