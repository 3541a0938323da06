"""``/health`` of Redis: a PING with a short timeout, on a client of its own."""

from __future__ import annotations

import threading

from synth_ai.ports.health import HealthReport


class RedisHealth:
    name = "redis"

    def __init__(self, url: str, timeout: float = 0.5):
        self._url = url
        self._timeout = timeout
        self._client = None
        self._lock = threading.Lock()

    def check(self) -> HealthReport:
        try:
            with self._lock:
                if self._client is None:
                    import redis

                    self._client = redis.Redis.from_url(
                        self._url,
                        socket_timeout=self._timeout,
                        socket_connect_timeout=self._timeout,
                    )
            self._client.ping()
        except Exception as exc:  # noqa: BLE001 - health never raises
            return HealthReport(self.name, False, f"redis not reachable ({type(exc).__name__})")
        return HealthReport(self.name, True, "redis ok")
