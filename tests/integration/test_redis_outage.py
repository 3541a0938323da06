"""A Redis outage after a request reserved and its upstream answered: the client still gets
the answer, the settle waits in the outbox under the home, and once Redis is back it is
applied exactly once — no reservation is left open, and the log says what happened.

The test runs its own redis-server on a free port (never the shared one) and either freezes it
(SIGSTOP: a hung Redis, commands time out) or stops it and starts it again on the same port.
"""

from __future__ import annotations

import pytest

from tests.support.redis_outage import ANSWER, DEFERRED, RedisOutage
from tests.support.scripted_upstream import ScriptedUpstream


@pytest.fixture
def rig(tmp_path):
    upstream = ScriptedUpstream.start()
    try:
        rig = RedisOutage(tmp_path, upstream)
        yield rig
        rig.close()
    finally:
        upstream.close()


@pytest.mark.parametrize("outage", ["paused", "stopped"])
def test_an_answer_produced_during_a_redis_outage_reaches_the_client_and_is_charged_once_after(
    outage, rig
):
    sid = rig.start_session(limit_usd=5)
    answer = rig.ask_during_outage(sid, outage)

    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == ANSWER
    assert DEFERRED in rig.log() and "settle-outbox.db" in rig.log(), rig.log()

    rig.restore(outage)
    session = rig.session(sid)
    assert all(value == 0 for value in session["reserved_usage"].values()), session
    charges = rig.charges(sid)
    assert [e["kind"] for e in charges] == ["chat"]  # charged exactly once
    assert charges[0]["output_tokens"] > 0
    assert session["current_usage"]["tokens"] == charges[0]["usage"]["tokens"]
    assert session["current_usage"]["api_calls"] == 1
