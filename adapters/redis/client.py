"""The one Redis client every Redis adapter shares (one connection pool per process), and the
one message a person sees when Redis cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from synth_ai.domain.errors import ServiceUnavailable


def connect(url: str) -> redis.Redis:
    """A client on ``url``; nothing connects until the first command."""
    return redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def where(client: redis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"


@contextmanager
def reachable(client: redis.Redis) -> Iterator[None]:
    """Turns a connection failure inside the block into ``ServiceUnavailable`` that says what to do."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise ServiceUnavailable(
            f"Redis is not reachable at {where(client)} ({exc}) — start redis-server or set "
            "SYNTH_AI_REDIS_URL ([store] redis_url), or choose the sqlite store ([store] backend / "
            '[queue] store = "sqlite")',
            code="store_unavailable",
        ) from exc
