"""The SessionStore contract run on the fake and on SQLite (Redis: test_redis_session_store)."""

import pytest

from tests.contract.session_store_contract import SessionStoreContract, SharedStoreContract
from tests.fakes import FakeSessionStore


class TestFakeSessionStore(SessionStoreContract):
    def make_store(self):
        return FakeSessionStore()


class TestSqliteSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _path(self, tmp_path):
        self.path = str(tmp_path / "sessions.db")

    def store_spec(self):
        return ("sqlite", self.path)
