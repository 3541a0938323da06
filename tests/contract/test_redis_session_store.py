"""The SessionStore contract on real Redis (Lua reserve/settle/create), threads and processes."""

import pytest
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.sessions.model import Amounts

from tests.contract.session_store_contract import (
    NOW,
    SharedStoreContract,
    make_session,
    open_store,
    reservation,
)
from tests.support.redis_keys import drop_prefix


class TestRedisSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url, redis_prefix):
        self.url, self.prefix = redis_url, redis_prefix
        yield
        drop_prefix(redis_url, redis_prefix)

    def store_spec(self):
        return ("redis", self.url, self.prefix)


def test_a_refusal_by_the_script_is_never_overruled_by_the_python_rule(redis_url, redis_prefix):
    """The Lua verdict is what holds budget: if the Python rule disagrees (it would grant),
    the request must still be refused rather than run without a reservation."""
    store = open_store(("redis", redis_url, redis_prefix))
    try:
        store.create(make_session())

        def refusing(keys, args):  # a script that refuses a session with plenty of room
            return [b"refused", store._redis.get(keys[0])]

        store._reserve = refusing
        with pytest.raises(LimitExceeded, match="could not reserve"):
            store.reserve(reservation("sess_1", 1, Amounts(cost_usd=0.1)), NOW)
    finally:
        drop_prefix(redis_url, redis_prefix)
