"""``ResponseStore`` in Redis, shared by several ``synth-ai serve`` replicas.

One JSON string per response under ``{prefix}response:{org}:{id}``, expiring after
``ttl_seconds`` (30 days by default) so stored conversations do not grow without bound.
"""

from __future__ import annotations

import redis
from synth_ai.adapters.redis.client import connect, reachable
from synth_ai.adapters.wire import responses as wire
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
        return cls(connect(url), **kwargs)

    def _key(self, org_id: str, response_id: str) -> str:
        return f"{self._prefix}response:{org_id}:{response_id}"

    def save(self, record: StoredResponse) -> None:
        with reachable(self._redis):
            self._redis.set(self._key(record.org_id, record.id), wire.dumps(record), ex=self._ttl)

    def get(self, org_id: str, response_id: str) -> StoredResponse | None:
        with reachable(self._redis):
            raw = self._redis.get(self._key(org_id, response_id))
        return None if raw is None else wire.loads(raw)
