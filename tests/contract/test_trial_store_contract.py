"""One contract for every ``TrialStore`` (the interceptor's side): in memory, Redis and
PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from synth_ai.adapters.in_memory import InMemoryTrialStore
from synth_ai.ports.optimisation import Exchange, Trial


def trial(trial_id: str = "trial_1") -> Trial:
    return Trial(
        trial_id,
        "org_a",
        "user_a",
        "key_a",
        "opt_session",
        [{"role": "system", "content": "Answer in words."}],
        model="synth-small",
    )


class TrialStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    def test_a_trial_reads_back_with_its_owner_session_prefix_and_model(self, store):
        store.put(trial())

        found = store.get("trial_1")

        assert found == trial()

    def test_calls_are_counted_per_rollout_with_their_last_exchanges(self, store):
        store.put(trial())
        for n in range(10):
            store.record("trial_1", "s1", Exchange([{"role": "user", "content": str(n)}], f"a{n}"))
        store.record("trial_1", "s2", None, refused=True)

        rollouts = store.get("trial_1").rollouts

        assert rollouts["s1"].calls == 10 and not rollouts["s1"].refused
        assert [e.output for e in rollouts["s1"].exchanges] == [f"a{n}" for n in range(2, 10)]
        assert rollouts["s1"].exchanges[-1].messages == [{"role": "user", "content": "9"}]
        assert (rollouts["s2"].calls, rollouts["s2"].refused, rollouts["s2"].exchanges) == (
            1,
            True,
            (),
        )

    def test_concurrent_calls_are_all_counted(self, store):
        store.put(trial())
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: store.record("trial_1", "s1", None), range(200)))

        assert store.get("trial_1").rollouts["s1"].calls == 200

    def test_a_popped_trial_is_gone_and_calls_to_an_unknown_one_are_ignored(self, store):
        store.put(trial())
        store.record("trial_1", "s1", None)

        popped = store.pop("trial_1")
        store.record("trial_1", "s1", None)

        assert popped.rollouts["s1"].calls == 1
        assert store.get("trial_1") is None and store.pop("trial_1") is None


class TestInMemoryTrialStore(TrialStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryTrialStore()


class TestPostgresTrialStore(TrialStoreContract):
    @pytest.fixture
    def store(self, postgres_url, postgres_schema):
        from synth_ai.adapters.postgres import Database
        from synth_ai.adapters.postgres.trials import PostgresTrialStore

        database = Database(postgres_url, schema=postgres_schema, max_size=8)
        yield PostgresTrialStore(database)
        database.close()


class TestRedisTrialStore(TrialStoreContract):
    @pytest.fixture
    def store(self, redis_url, redis_prefix):
        import redis
        from synth_ai.adapters.redis.trials import RedisTrialStore

        client = redis.Redis.from_url(redis_url)
        yield RedisTrialStore(client, prefix=redis_prefix, ttl_seconds=60)
        for key in client.scan_iter(f"{redis_prefix}*"):
            client.delete(key)
        client.close()

    def test_every_key_of_a_trial_expires(self, store, redis_url, redis_prefix):
        import redis

        store.put(trial())
        store.record("trial_1", "s1", Exchange([], "x"))

        client = redis.Redis.from_url(redis_url)
        ttls = [client.ttl(key) for key in client.scan_iter(f"{redis_prefix}trial:*")]
        client.close()
        assert len(ttls) == 3 and all(0 < ttl <= 60 for ttl in ttls)
