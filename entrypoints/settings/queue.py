"""``[queue]`` settings: broker, state store, worker concurrency, leases and the repair tick."""

from __future__ import annotations

import os

from attrs import evolve, frozen
from synth_ai.domain.errors import InvalidInput
from synth_ai.settings.config import Settings

DEFAULT_BROKER = "redis://localhost:6379/0"
DEFAULT_QUEUE = "synth-ai.jobs"


@frozen
class QueueSettings:
    broker_url: str = DEFAULT_BROKER
    queue_name: str = DEFAULT_QUEUE
    store: str = "sqlite"
    concurrency: int = 4
    lease_s: float = 15.0
    heartbeat_s: float = 2.0
    tick_s: float = 5.0
    max_attempts: int = 3
    drain_timeout_s: float = 30.0
    redispatch_after_s: float = 30.0
    # A worker's own /metrics (prometheus_client's HTTP server): off unless a port is given;
    # 0 picks a free port (logged).
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueSettings:
        section = settings.section("queue")
        try:
            values = cls(
                broker_url=os.environ.get("SYNTH_AI_BROKER_URL")
                or str(section.get("broker_url", DEFAULT_BROKER)),
                queue_name=os.environ.get("SYNTH_AI_QUEUE_NAME")
                or str(section.get("queue_name", DEFAULT_QUEUE)),
                store=str(section.get("store", settings.store)),
                concurrency=int(section.get("concurrency", 4)),
                lease_s=float(section.get("lease_s", 15.0)),
                heartbeat_s=float(section.get("heartbeat_s", 2.0)),
                tick_s=float(section.get("tick_s", 5.0)),
                max_attempts=int(section.get("max_attempts", 3)),
                drain_timeout_s=float(section.get("drain_timeout_s", 30.0)),
                redispatch_after_s=float(section.get("redispatch_after_s", 30.0)),
                metrics_port=_port_or_none(section.get("metrics_port")),
                metrics_host=str(section.get("metrics_host", "127.0.0.1")),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"bad value in [queue] of {settings.config_path}: {exc}") from exc
        if values.store not in ("sqlite", "redis", "postgres"):
            raise InvalidInput(
                f"[queue] store must be sqlite, redis or postgres, got {values.store!r}",
                param="queue.store",
            )
        if values.concurrency < 1:
            raise InvalidInput("[queue] concurrency must be at least 1", param="queue.concurrency")
        return values

    def with_broker(self, url: str | None) -> QueueSettings:
        return self if not url else evolve(self, broker_url=url)


def _port_or_none(value) -> int | None:
    if value is None or value == "":
        return None
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"metrics_port must be 0-65535 (0: a free port), got {port}")
    return port
