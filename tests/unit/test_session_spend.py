"""A session's spend over time and its open reservations, as the dashboard reads them."""

from __future__ import annotations

import pytest
from synth_ai.domain.auth import Principal
from synth_ai.domain.sessions.errors import SessionNotFound
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Limit, Reservation
from synth_ai.domain.sessions.service import SessionService, StartSession
from synth_ai.domain.sessions.spend import SpendPoint, spend_series, spent_before

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.sessions import FakeSessionStore

ME = Principal("org_a", "user_a", "key_a")
STRANGER = Principal("org_b", "user_b", "key_b")


def entry(n, at, cost=0.0, tokens=0, calls=1, session_id="sess_1"):
    return LedgerEntry(
        f"led_{n}",
        "org_a",
        "user_a",
        Amounts(tokens=tokens, cost_usd=cost, api_calls=calls),
        at,
        session_id=session_id,
    )


def test_the_series_is_cumulative_and_oldest_first_whatever_order_the_ledger_gives():
    newest_first = [entry(3, 30.0, 0.3, 30), entry(2, 20.0, 0.2, 20), entry(1, 10.0, 0.1, 10)]
    series = spend_series(newest_first)
    assert [p.t for p in series] == [10.0, 20.0, 30.0]
    assert [p.amounts.cost_usd for p in series] == pytest.approx([0.1, 0.3, 0.6])
    assert [p.amounts.tokens for p in series] == [10, 30, 60]
    assert [p.amounts.api_calls for p in series] == [1, 2, 3]


def test_buckets_keep_one_point_per_bucket_that_had_spend_at_its_end():
    entries = [entry(1, 1.0, 0.1), entry(2, 59.0, 0.1), entry(3, 61.0, 0.1), entry(4, 200.0, 0.1)]
    series = spend_series(entries, bucket_s=60)
    assert [p.t for p in series] == [60.0, 120.0, 240.0]
    assert [p.amounts.api_calls for p in series] == [2, 3, 4]


def test_a_series_may_start_from_spend_it_did_not_read():
    series = spend_series([entry(1, 5.0, 0.5)], start=Amounts(cost_usd=1.0, api_calls=4))
    assert series == [SpendPoint(5.0, Amounts(cost_usd=1.5, api_calls=5))]
    assert spent_before(Amounts(cost_usd=1.5, api_calls=5), [entry(1, 5.0, 0.5)]) == Amounts(
        cost_usd=1.0, api_calls=4
    )


def test_no_ledger_is_an_empty_series_and_a_bucket_must_be_positive():
    assert spend_series([]) == []
    with pytest.raises(ValueError, match="bucket_s must be > 0"):
        spend_series([entry(1, 1.0)], bucket_s=0)


@pytest.fixture
def service():
    return SessionService(FakeSessionStore(), FakeClock(), SequentialIds())


def test_spend_reads_the_sessions_ledger_only(service):
    session = service.start(ME, StartSession(limits=(Limit("cost_usd", 5.0),)))
    service.store.record(entry(1, 10.0, 0.1, session_id=session.id))
    service.store.record(entry(2, 20.0, 0.2, session_id="another"))
    _, series, truncated = service.spend(ME, session.id)
    assert [p.t for p in series] == [10.0] and truncated is False


def test_reservations_lists_what_the_session_holds(service):
    session = service.start(ME, StartSession(limits=(Limit("cost_usd", 5.0),)))
    held = Reservation("res_1", session.id, "org_a", "user_a", Amounts(cost_usd=0.2), 1.0)
    service.store.reserve(held, 1.0)
    assert service.reservations(ME, session.id) == (service.show(ME, session.id), [held])


def test_another_orgs_caller_cannot_read_a_sessions_spend_or_reservations(service):
    session = service.start(ME, StartSession())
    with pytest.raises(SessionNotFound):
        service.spend(STRANGER, session.id)
    with pytest.raises(SessionNotFound):
        service.reservations(STRANGER, session.id)
