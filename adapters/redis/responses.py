"""``ResponseStore`` in Redis, shared by several ``synth-ai serve`` replicas.

One JSON string per response under ``{prefix}response:{org}:{id}``, expiring after
``ttl_seconds`` (30 days by default) so stored conversations do not grow without bound.
"""

from __future__ import annotations

import json

import redis
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.responses.record import StoredResponse

DEFAULT_TTL = 30 * 24 * 3600


class RedisResponseStore:
    def __init__(
        self, client: redis.Redis, *, prefix: str = "synth:", ttl_seconds: int = DEFAULT_TTL
    ):
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    @classmethod
    def from_url(cls, url: str, **kwargs) -> RedisResponseStore:
        return cls(redis.Redis.from_url(url, socket_connect_timeout=5), **kwargs)

    def _key(self, org_id: str, response_id: str) -> str:
        return f"{self._prefix}response:{org_id}:{response_id}"

    def save(self, record: StoredResponse) -> None:
        data = json.dumps(
            {
                "id": record.id,
                "org_id": record.org_id,
                "created_at": record.created_at,
                "response": record.response,
                "input_items": list(record.input_items),
                "output_items": list(record.output_items),
            }
        )
        with _reachable(self._redis):
            self._redis.set(self._key(record.org_id, record.id), data, ex=self._ttl)

    def get(self, org_id: str, response_id: str) -> StoredResponse | None:
        with _reachable(self._redis):
            raw = self._redis.get(self._key(org_id, response_id))
        if raw is None:
            return None
        data = json.loads(raw)
        return StoredResponse(
            id=data["id"],
            org_id=data["org_id"],
            response=data["response"],
            input_items=tuple(data["input_items"]),
            output_items=tuple(data["output_items"]),
            created_at=data["created_at"],
        )


class _reachable:
    def __init__(self, client: redis.Redis):
        self._client = client

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            kwargs = self._client.connection_pool.connection_kwargs
            where = f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
            raise ServiceUnavailable(
                f"Redis is not reachable at {where} ({exc}) — start redis-server "
                "or set SYNTH_AI_REDIS_URL"
            ) from exc
        return False
