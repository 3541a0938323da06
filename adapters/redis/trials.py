"""``TrialStore`` in Redis: interceptor trials shared by several ``synth-ai serve`` replicas.

A trial is one JSON string (owner, session, prefix, model) under ``{prefix}trial:{id}``; its
rollouts' counters live in the hash ``{prefix}trial:{id}:calls`` (``calls:<tag>``,
``refused:<tag>``) and each rollout's last exchanges in the list
``{prefix}trial:{id}:x:<tag>``. Counting a call is atomic (``HINCRBY``), so replicas serving
the same trial at once never lose one. Every key expires after ``ttl_seconds``.
"""

from __future__ import annotations

import json

import redis
from synth_ai.adapters.redis.client import connect, reachable
from synth_ai.ports.optimisation import Exchange, RolloutCalls, Trial

DEFAULT_TTL = 6 * 3600
MAX_EXCHANGES = 8


class RedisTrialStore:
    def __init__(
        self, client: redis.Redis, *, prefix: str = "synth:", ttl_seconds: int = DEFAULT_TTL
    ):
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    @classmethod
    def from_url(cls, url: str, **kwargs) -> RedisTrialStore:
        return cls(connect(url), **kwargs)

    def _key(self, trial_id: str, *rest: str) -> str:
        return ":".join([f"{self._prefix}trial", trial_id, *rest])

    def put(self, trial: Trial) -> None:
        data = {
            "trial_id": trial.trial_id,
            "org_id": trial.org_id,
            "user_id": trial.user_id,
            "key_id": trial.key_id,
            "session_id": trial.session_id,
            "prefix": trial.prefix,
            "model": trial.model,
        }
        with reachable(self._redis):
            self._redis.set(self._key(trial.trial_id), json.dumps(data), ex=self._ttl)

    def get(self, trial_id: str) -> Trial | None:
        with reachable(self._redis):
            raw = self._redis.get(self._key(trial_id))
            if raw is None:
                return None
            counters = self._redis.hgetall(self._key(trial_id, "calls"))
            tags = {k.decode().split(":", 1)[1] for k in counters}
            exchanges = {
                tag: self._redis.lrange(self._key(trial_id, "x", tag), 0, -1) for tag in tags
            }
        data = json.loads(raw)
        rollouts = {
            tag: RolloutCalls(
                int(counters.get(f"calls:{tag}".encode(), 0)),
                bool(int(counters.get(f"refused:{tag}".encode(), 0))),
                tuple(
                    Exchange(e["messages"], e["output"])
                    for e in (json.loads(item) for item in exchanges[tag])
                ),
            )
            for tag in tags
        }
        return Trial(
            data["trial_id"],
            data["org_id"],
            data["user_id"],
            data["key_id"],
            data["session_id"],
            data["prefix"],
            rollouts,
            data.get("model"),
        )

    def record(
        self, trial_id: str, rollout: str, exchange: Exchange | None, *, refused: bool = False
    ) -> None:
        calls = self._key(trial_id, "calls")
        with reachable(self._redis):
            if not self._redis.exists(self._key(trial_id)):
                return
            pipe = self._redis.pipeline()
            pipe.hincrby(calls, f"calls:{rollout}", 1)
            if refused:
                pipe.hset(calls, f"refused:{rollout}", 1)
            pipe.expire(calls, self._ttl)
            if exchange is not None:
                key = self._key(trial_id, "x", rollout)
                item = {"messages": exchange.messages, "output": exchange.output}
                pipe.rpush(key, json.dumps(item))
                pipe.ltrim(key, -MAX_EXCHANGES, -1)
                pipe.expire(key, self._ttl)
            pipe.execute()

    def pop(self, trial_id: str) -> Trial | None:
        trial = self.get(trial_id)
        if trial is None:
            return None
        keys = [self._key(trial_id), self._key(trial_id, "calls")]
        keys += [self._key(trial_id, "x", tag) for tag in trial.rollouts]
        with reachable(self._redis):
            self._redis.delete(*keys)
        return trial
