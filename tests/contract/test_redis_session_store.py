"""The SessionStore contract on real Redis (Lua reserve/settle/create), threads and processes."""

import pytest

from tests.contract.session_store_contract import SharedStoreContract
from tests.support.redis_keys import drop_prefix


class TestRedisSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url, redis_prefix):
        self.url, self.prefix = redis_url, redis_prefix
        yield
        drop_prefix(redis_url, redis_prefix)

    def store_spec(self):
        return ("redis", self.url, self.prefix)
