"""One contract for every ``ResponseStore``: the fake, SQLite, Redis and PostgreSQL."""

from abc import ABC, abstractmethod

import pytest
from synth_ai.domain.responses.record import StoredResponse

from tests.fakes.responses import InMemoryResponseStore


def record(response_id="resp_1", org="org_a", **overrides) -> StoredResponse:
    values = dict(
        id=response_id,
        org_id=org,
        created_at=1_700_000_000.5,
        response={
            "id": response_id,
            "object": "response",
            "status": "completed",
            "output": [{"type": "message", "content": [{"type": "output_text", "text": "é ✓"}]}],
        },
        input_items=({"type": "message", "role": "user", "content": "hi"},),
        output_items=({"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},),
    )
    values.update(overrides)
    return StoredResponse(**values)


class ResponseStoreContract(ABC):
    @abstractmethod
    def make_store(self):
        """A new, empty store."""

    @pytest.fixture
    def store(self):
        return self.make_store()

    def test_a_saved_response_reads_back_equal(self, store):
        saved = record()
        store.save(saved)
        assert store.get("org_a", "resp_1") == saved

    def test_an_unknown_id_is_none(self, store):
        assert store.get("org_a", "resp_missing") is None

    def test_another_org_cannot_read_it(self, store):
        store.save(record())
        assert store.get("org_b", "resp_1") is None

    def test_saving_again_replaces_the_record(self, store):
        store.save(record())
        store.save(record(response={"id": "resp_1", "status": "failed"}))
        assert store.get("org_a", "resp_1").response["status"] == "failed"

    def test_history_is_input_then_output(self, store):
        store.save(record())
        assert [i["type"] for i in store.get("org_a", "resp_1").history()] == [
            "message",
            "function_call",
        ]


class TestInMemoryResponseStore(ResponseStoreContract):
    def make_store(self):
        return InMemoryResponseStore()


class TestSqliteResponseStore(ResponseStoreContract):
    @pytest.fixture(autouse=True)
    def _database(self, tmp_path):
        from synth_ai.adapters.sqlite import Database

        self.db = Database(tmp_path / "synth.db")
        yield
        self.db.close()

    def make_store(self):
        from synth_ai.adapters.sqlite.responses import SqliteResponseStore

        return SqliteResponseStore(self.db)

    def test_an_unusable_database_file_is_service_unavailable_naming_it(self, tmp_path):
        from synth_ai.adapters.sqlite import Database
        from synth_ai.adapters.sqlite.responses import SqliteResponseStore
        from synth_ai.domain.errors import ServiceUnavailable

        (tmp_path / "synth.db").mkdir()  # a directory where the database file should be
        store = SqliteResponseStore(Database(tmp_path / "synth.db"))
        for attempt in (lambda: store.save(record()), lambda: store.get("org_a", "resp_1")):
            with pytest.raises(ServiceUnavailable, match="synth.db"):
                attempt()


class TestRedisResponseStore(ResponseStoreContract):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url, redis_prefix):
        from synth_ai.adapters.redis.client import connect

        self.client, self.prefix = connect(redis_url), redis_prefix
        yield
        for key in self.client.scan_iter(f"{redis_prefix}*"):
            self.client.delete(key)
        self.client.close()

    def make_store(self):
        from synth_ai.adapters.redis.responses import RedisResponseStore

        return RedisResponseStore(self.client, prefix=self.prefix, ttl_seconds=60)

    def test_records_expire_after_the_ttl(self, store, redis_url, redis_prefix):
        import redis

        store.save(record())
        ttl = redis.Redis.from_url(redis_url).ttl(f"{redis_prefix}response:org_a:resp_1")
        assert 0 < ttl <= 60


class TestPostgresResponseStore(ResponseStoreContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url, postgres_schema):
        from synth_ai.adapters.postgres import Database

        self.db = Database(postgres_url, schema=postgres_schema, max_size=2)
        yield
        self.db.close()

    def make_store(self):
        from synth_ai.adapters.postgres.responses import PostgresResponseStore

        return PostgresResponseStore(self.db)

    def test_a_failing_database_is_service_unavailable(self, store, postgres_url, postgres_schema):
        import psycopg
        from synth_ai.domain.errors import ServiceUnavailable

        store.get("org_a", "resp_1")  # opens the pool and migrates
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {postgres_schema}.responses")
        for attempt in (lambda: store.save(record()), lambda: store.get("org_a", "resp_1")):
            with pytest.raises(ServiceUnavailable, match="PostgreSQL"):
                attempt()
