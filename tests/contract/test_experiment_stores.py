"""The ExperimentStore contract on the fake, on SQLite, on real Redis and on PostgreSQL."""

import os
import uuid

import pytest
from synth_ai.adapters.redis.experiments import RedisExperimentStore
from synth_ai.adapters.sqlite import Database
from synth_ai.adapters.sqlite.experiments import SqliteExperimentStore

from tests.contract.experiment_store_contract import ExperimentStoreContract
from tests.fakes.experiments import InMemoryExperimentStore
from tests.support.redis_keys import drop_prefix


class TestInMemoryExperimentStore(ExperimentStoreContract):
    def make_store(self):
        return InMemoryExperimentStore()


class TestSqliteExperimentStore(ExperimentStoreContract):
    @pytest.fixture(autouse=True)
    def _path(self, tmp_path):
        self.path = tmp_path / "synth.db"

    def make_store(self):
        return SqliteExperimentStore(Database(self.path))


class TestRedisExperimentStore(ExperimentStoreContract):
    @pytest.fixture(autouse=True)
    def _redis(self):
        self.url = os.environ.get("SYNTH_AI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
        self.prefix = f"test-exp-{uuid.uuid4().hex[:8]}:"
        yield
        drop_prefix(self.url, self.prefix)

    def make_store(self):
        return RedisExperimentStore.from_url(self.url, prefix=self.prefix)


class TestPostgresExperimentStore(ExperimentStoreContract):
    @pytest.fixture(autouse=True)
    def _postgres(self, postgres_url, postgres_schema):
        self.url, self.schema, self.opened = postgres_url, postgres_schema, []
        yield
        for database in self.opened:
            database.close()

    def make_store(self):
        from synth_ai.adapters.postgres import Database as PostgresDatabase
        from synth_ai.adapters.postgres.experiments import PostgresExperimentStore

        database = PostgresDatabase(self.url, schema=self.schema, max_size=8)
        self.opened.append(database)
        return PostgresExperimentStore(database)
