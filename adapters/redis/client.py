"""The one Redis client every Redis adapter shares (one connection pool per process), and the
one message a person sees when Redis cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from synth_ai.domain.errors import ServiceUnavailable


def connect(url: str) -> redis.Redis:
    """A client on ``url``; nothing connects until the first command. A Redis that hangs
    (paused, overloaded, a dead peer) fails a command after ``socket_timeout`` seconds instead
    of holding the request forever (no adapter uses blocking commands on this client)."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=5, socket_timeout=5, health_check_interval=30
    )


def where(client: redis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"


# Redis answers but will not write: out of memory (maxmemory, noeviction), a read-only replica,
# or snapshots failing on its disk (MISCONF). Like an unreachable Redis, a 503 for now.
_REFUSING = (redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError)


@contextmanager
def reachable(client: redis.Redis) -> Iterator[None]:
    """Turns a connection failure inside the block, or a Redis that refuses writes, into
    ``ServiceUnavailable`` that says what to do."""
    try:
        yield
    except redis.ResponseError as exc:
        if not isinstance(exc, _REFUSING) and not str(exc).startswith("MISCONF"):
            raise
        raise ServiceUnavailable(
            f"Redis at {where(client)} refuses writes ({exc}) — free memory or raise maxmemory, "
            "point SYNTH_AI_REDIS_URL ([store] redis_url) at the primary, or fix its disk",
            code="store_unavailable",
        ) from exc
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise ServiceUnavailable(
            f"Redis is not reachable at {where(client)} ({exc}) — start redis-server or set "
            "SYNTH_AI_REDIS_URL ([store] redis_url), or choose the sqlite store ([store] backend / "
            '[queue] store = "sqlite")',
            code="store_unavailable",
        ) from exc
