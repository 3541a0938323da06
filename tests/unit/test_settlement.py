"""Settles the session store cannot take wait in the outbox and are applied once it is back."""

from __future__ import annotations

import logging

import pytest
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.sessions.budget import Budget
from synth_ai.domain.sessions.model import Amounts, Limit, SessionDefaults, Usage
from synth_ai.domain.sessions.pricing import ModelPrice, PriceTable
from synth_ai.domain.sessions.service import SessionService

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.sessions import FakeSessionStore, InMemorySettleOutbox

ALICE = Principal("org_a", "alice", "key_a")
PRICES = PriceTable(prices={}, default=ModelPrice(1.0, 1.0))
USED = Usage(input_tokens=40, output_tokens=10, api_calls=1)


class FlakyStore(FakeSessionStore):
    """The fake store, unreachable for settles while ``down``."""

    def __init__(self):
        super().__init__()
        self.down = False
        self.attempts = 0

    def settle(self, reservation_id, actual, entry, now):
        self.attempts += 1
        if self.down:
            raise ServiceUnavailable("Redis is not reachable at redis://127.0.0.1:1/0")
        return super().settle(reservation_id, actual, entry, now)

    def record(self, entry):
        if self.down:
            raise ServiceUnavailable("Redis is not reachable at redis://127.0.0.1:1/0")
        super().record(entry)


@pytest.fixture
def store():
    return FlakyStore()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def outbox():
    return InMemorySettleOutbox()


@pytest.fixture
def budget(store, clock, outbox):
    defaults = SessionDefaults(limits=(Limit("cost_usd", 1.0),), max_output_tokens=100)
    return Budget(SessionService(store, clock, SequentialIds(), defaults), PRICES, outbox=outbox)


def _charge(budget):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    return meter.reserve(model="m", prompt_tokens=50, max_output_tokens=100)


def test_a_settle_the_store_cannot_take_waits_in_the_outbox_and_says_so(
    budget, store, outbox, caplog
):
    charge = _charge(budget)
    store.down = True
    with caplog.at_level(logging.WARNING):
        charge.settle(USED)  # no error: the answer it paid for still reaches the client
    assert [p.reservation_id for p in outbox.pending()] == [charge.reservation_id]
    assert "waits in memory" in caplog.text and charge.reservation_id in caplog.text
    assert store.get("org_a", charge.session_id).reserved != Amounts()  # still held meanwhile


def test_the_outbox_is_applied_once_when_the_store_is_back(budget, store, outbox, caplog):
    charge = _charge(budget)
    store.down = True
    charge.settle(USED)
    store.down = False
    with caplog.at_level(logging.WARNING):
        assert budget.settlement.replay() == 1
    assert budget.settlement.replay() == 0
    session = store.get("org_a", charge.session_id)
    assert session.reserved == Amounts() and session.used.tokens == 50
    assert [e.kind for e in store.ledger("org_a", session_id=session.id)] == ["chat"]
    assert outbox.pending() == [] and "from the outbox after the store came back" in caplog.text


def test_a_replayed_settle_of_a_reservation_settled_meanwhile_is_not_charged_twice(
    budget, store, outbox, clock, caplog
):
    charge = _charge(budget)
    store.down = True
    charge.settle(USED)
    store.down = False
    pending = outbox.pending()[0]
    store.settle(pending.reservation_id, pending.actual, pending.entry, clock.now())  # it got there
    with caplog.at_level(logging.WARNING):
        budget.settlement.replay()
    assert len(store.ledger("org_a", session_id=charge.session_id)) == 1
    assert outbox.pending() == [] and "nothing charged twice" in caplog.text


def test_replays_back_off_while_the_store_stays_unreachable(budget, store, outbox, clock):
    charge = _charge(budget)
    store.down = True
    charge.settle(USED)
    tries = store.attempts
    budget.settlement.replay()  # fails: next try in 2 s
    budget.settlement.replay()  # too early: not tried
    assert store.attempts == tries + 1
    clock.advance(2.5)
    budget.settlement.replay()
    assert store.attempts == tries + 2 and len(outbox.pending()) == 1


def test_an_opted_out_charge_is_kept_and_recorded_later_too(budget, store, outbox):
    charge = budget.meter_for(ALICE, session_id=None, opt_out=True).reserve(
        model="m", prompt_tokens=50, max_output_tokens=100
    )
    store.down = True
    charge.settle(USED)
    store.down = False
    budget.settlement.replay()
    [entry] = store.ledger("org_a", no_session=True)
    assert entry.input_tokens == 40


def test_a_settle_neither_the_store_nor_the_outbox_takes_is_logged_whole_not_raised(
    budget, store, outbox, caplog
):
    charge = _charge(budget)
    store.down, outbox.refuse = True, True
    with caplog.at_level(logging.ERROR):
        charge.settle(USED)
    assert "LOST settle" in caplog.text and charge.reservation_id in caplog.text
