"""The budget and session use cases on fakes: reserve the worst case, settle the real usage."""

from __future__ import annotations

import pytest
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Conflict, Forbidden, InvalidInput, LimitExceeded
from synth_ai.domain.sessions.budget import Budget, Metered
from synth_ai.domain.sessions.errors import ReservationNotFound, SessionNotFound
from synth_ai.domain.sessions.model import ENDED, LIMIT_EXCEEDED, Limit, SessionDefaults, Usage
from synth_ai.domain.sessions.pricing import ModelPrice, PriceTable
from synth_ai.domain.sessions.service import Page, SessionService, StartSession

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.sessions import FakeSessionStore

ALICE = Principal("org_a", "alice", "key_a")
BOB = Principal("org_a", "bob", "key_b")
# $1 per million tokens in and out: a token costs a micro-dollar.
PRICES = PriceTable(prices={"m": ModelPrice(1.0, 1.0)}, default=ModelPrice(1.0, 1.0))


@pytest.fixture
def store():
    return FakeSessionStore()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sessions(store, clock):
    defaults = SessionDefaults(limits=(Limit("cost_usd", 0.001),), max_output_tokens=100)
    return SessionService(store, clock, SequentialIds(), defaults)


@pytest.fixture
def budget(sessions):
    return Budget(sessions, PRICES)


def test_a_first_request_creates_the_callers_current_session_with_the_default_limits(budget, store):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    charge = meter.reserve(model="m", prompt_tokens=50, max_output_tokens=None)
    session = store.get("org_a", charge.session_id)
    assert session.limits[0].metric == "cost_usd" and session.limits[0].value == 0.001
    assert session.reserved.tokens == 150 and session.reserved.cost_usd == pytest.approx(150e-6)
    assert charge.max_output_tokens == 100  # the default cap it assumed, to send upstream


def test_settling_replaces_the_worst_case_with_the_real_usage_in_the_ledger(budget, store):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    charge = meter.reserve(model="m", prompt_tokens=50, max_output_tokens=100)
    charge.settle(Usage(input_tokens=40, output_tokens=10, api_calls=1))
    session = store.get("org_a", charge.session_id)
    assert session.reserved.cost_usd == 0 and session.used.cost_usd == pytest.approx(50e-6)
    [entry] = store.ledger("org_a", session_id=session.id)
    assert (entry.input_tokens, entry.output_tokens, entry.model) == (40, 10, "m")


def test_a_request_that_would_cross_the_hard_limit_is_refused_naming_the_session(budget):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    with pytest.raises(LimitExceeded, match="hard cost_usd limit"):
        meter.reserve(model="m", prompt_tokens=2000, max_output_tokens=1000)
    assert meter.session_id is not None and meter.session_id.startswith("sess")


def test_an_opted_out_request_reserves_nothing_but_lands_in_the_org_ledger(budget, store):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=True)
    charge = meter.reserve(model="m", prompt_tokens=10**6, max_output_tokens=10**6)
    charge.settle(Usage(input_tokens=3, output_tokens=4, api_calls=1))
    assert charge.session_id is None and store.sessions == {}
    [entry] = store.ledger("org_a", no_session=True)
    assert entry.amounts.tokens == 7


def test_another_users_session_is_not_found_not_forbidden(budget, sessions):
    bobs = sessions.start(BOB, StartSession())
    meter = budget.meter_for(ALICE, session_id=bobs.id, opt_out=False)
    with pytest.raises(SessionNotFound):
        meter.reserve(model="m", prompt_tokens=1, max_output_tokens=1)


def test_a_job_settles_its_own_reservation_and_nobody_elses(budget):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    what = Metered(model=None, kind="usage_report", gpu_type="H100")
    charge = meter.reserve_usage(Usage(gpu_hours=0.0001, api_calls=1), what)
    with pytest.raises(ReservationNotFound):
        budget.settle_reservation(BOB, charge.reservation_id, Usage(api_calls=1))
    assert budget.settle_reservation(ALICE, charge.reservation_id, Usage(api_calls=1))


def test_a_usage_report_must_report_some_usage(budget):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    with pytest.raises(InvalidInput, match="report some usage"):
        budget.report(meter, Usage(), Metered(kind="usage_report"))


def test_starting_a_session_with_a_chosen_id_twice_is_a_conflict(sessions):
    sessions.start(ALICE, StartSession(session_id="my-run"))
    with pytest.raises(Conflict, match="already exists"):
        sessions.start(ALICE, StartSession(session_id="my-run"))


def test_a_session_cannot_be_started_for_another_org_or_already_expired(sessions, clock):
    with pytest.raises(Forbidden):
        sessions.start(ALICE, StartSession(org_id="org_b"))
    with pytest.raises(InvalidInput, match="in the past"):
        sessions.start(ALICE, StartSession(expires_at=clock.now() - 1))


def test_ending_the_current_session_frees_its_slot_for_the_next_request(sessions, budget):
    started = sessions.start(ALICE, StartSession())
    assert sessions.end(ALICE, "current").status == ENDED
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    meter.reserve(model="m", prompt_tokens=1, max_output_tokens=1)
    assert meter.session_id != started.id


def test_increasing_a_limit_reactivates_a_session_that_used_it_up(sessions, budget, store):
    meter = budget.meter_for(ALICE, session_id=None, opt_out=False)
    charge = meter.reserve(model="m", prompt_tokens=500, max_output_tokens=500)
    charge.settle(Usage(input_tokens=500, output_tokens=500, api_calls=1))
    assert store.get("org_a", charge.session_id).status == LIMIT_EXCEEDED
    changed, raised = sessions.increase_limit(ALICE, "current", "cost_usd", 0.001)
    assert changed.status == "active" and raised.value == pytest.approx(0.002)


def test_listing_shows_only_the_callers_sessions_newest_first(sessions, clock):
    first = sessions.start(ALICE, StartSession())
    clock.advance(1)
    second = sessions.start(ALICE, StartSession(make_active=False))
    sessions.start(BOB, StartSession())
    assert [s.id for s in sessions.list(ALICE, None, Page())] == [second.id, first.id]
    with pytest.raises(InvalidInput, match="status must be one of"):
        sessions.list(ALICE, "paused", Page())


class RecordingObserver:
    """A ``SpendObserver`` that keeps what it was told."""

    def __init__(self):
        self.entries = []

    def settled(self, entry):
        self.entries.append(entry)


def test_the_spend_observer_hears_each_settled_charge_exactly_once(sessions, store):
    observer = RecordingObserver()
    budget = Budget(sessions, PRICES, observer=observer)
    charge = budget.meter_for(ALICE, session_id=None, opt_out=False).reserve(
        model="m", prompt_tokens=50, max_output_tokens=100
    )
    assert observer.entries == []  # a reservation is not spend
    charge.settle(Usage(input_tokens=40, output_tokens=10, api_calls=1))
    charge.settle(Usage(input_tokens=40, output_tokens=10, api_calls=1))
    opted_out = budget.meter_for(BOB, session_id=None, opt_out=True)
    opted_out.reserve(model="m", prompt_tokens=5, max_output_tokens=5).settle(
        Usage(input_tokens=5, output_tokens=5, api_calls=1)
    )
    assert [(e.org_id, e.model, e.amounts.tokens) for e in observer.entries] == [
        ("org_a", "m", 50),
        ("org_a", "m", 10),
    ]
    assert observer.entries[0].amounts.cost_usd == pytest.approx(50e-6)
