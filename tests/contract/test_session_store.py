"""The ``SessionStore`` contract, run on the fake, SQLite, Redis and PostgreSQL.

Each subclass provides ``make_store()``. Stores shared between processes (SQLite, Redis, PostgreSQL) get it
from ``SharedStoreContract``, whose one factory ``store_spec()`` is a picklable recipe that
``open_store`` turns back into a store, also inside a spawned process.
"""

from __future__ import annotations

import multiprocessing
import threading
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor

import pytest
from attrs import evolve
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.sessions.errors import SessionIdTaken, SessionNotActive, SessionNotFound
from synth_ai.domain.sessions.model import (
    ACTIVE,
    ENDED,
    EXPIRED,
    HARD,
    LIMIT_EXCEEDED,
    SOFT,
    Amounts,
    LedgerEntry,
    Limit,
    Reservation,
    Session,
)
from synth_ai.domain.sessions.rules import end, increase_limit

from tests.fakes.sessions import FakeSessionStore
from tests.support.redis_keys import drop_prefix

NOW = 1_700_000_000.0


ONE_DOLLAR = (Limit("cost_usd", 1.0),)
NOTHING = Amounts()


def make_session(
    session_id="sess_1", *, limits=ONE_DOLLAR, org="org_a", user="user_a", created_at=NOW, **kwargs
) -> Session:
    return Session(session_id, org, user, created_at, limits=limits, **kwargs)


def reservation(session_id, n, amounts) -> Reservation:
    return Reservation(
        f"res_{session_id}_{n}", session_id, "org_a", "user_a", amounts, NOW, model="m"
    )


def entry(n, session_id="sess_1", amounts=NOTHING, org="org_a") -> LedgerEntry:
    return LedgerEntry(
        f"led_{session_id}_{n}",
        org,
        "user_a",
        amounts,
        NOW,
        session_id=session_id,
        model="m",
        input_tokens=1,
        output_tokens=2,
    )


def reserve_and_settle(spec, session_id: str, worker: int, attempts: int, cost: float) -> int:
    """Runs in a spawned process: reserve then settle ``attempts`` times; returns successes."""
    store = open_store(spec)
    granted = 0
    for n in range(attempts):
        res = reservation(session_id, f"p{worker}_{n}", Amounts(cost_usd=cost, api_calls=1))
        try:
            store.reserve(res, NOW)
        except LimitExceeded:
            continue
        granted += 1
        store.settle(
            res.id, Amounts(cost_usd=cost, api_calls=1), entry(f"p{worker}_{n}", session_id), NOW
        )
    return granted


def claim(spec, session_id: str, org: str, worker: int) -> bool:
    """Runs in a spawned process: try to create ``session_id`` in ``org``; True if it won."""
    store = open_store(spec)
    try:
        store.create(make_session(session_id, org=org, user=f"user_{worker}"), make_active=False)
    except SessionIdTaken:
        return False
    return True


OPENED: list = []  # PostgreSQL pools opened in this process, closed after each test


def open_store(spec):
    kind = spec[0]
    if kind == "sqlite":
        from synth_ai.adapters.sqlite import Database, SqliteSessionStore

        return SqliteSessionStore(Database(spec[1]))
    if kind == "postgres":
        from synth_ai.adapters.postgres import Database as PostgresDatabase
        from synth_ai.adapters.postgres import PostgresSessionStore

        database = PostgresDatabase(spec[1], schema=spec[2], max_size=4)
        OPENED.append(database)
        return PostgresSessionStore(database)
    from synth_ai.adapters.redis.sessions import RedisSessionStore

    return RedisSessionStore.from_url(spec[1], prefix=spec[2])


class SessionStoreContract(ABC):
    @abstractmethod
    def make_store(self):
        """A new, empty store."""

    @pytest.fixture
    def store(self):
        return self.make_store()

    def test_a_created_session_reads_back_unchanged(self, store):
        session = make_session(
            limits=(Limit("tokens", 100, HARD, "lim_1"), Limit("cost_usd", 2.5, SOFT)),
            metadata={"purpose": "eval", "n": 3},
            expires_at=NOW + 60,
            session_type="codex",
        )
        store.create(session)
        assert store.get("org_a", "sess_1") == session
        assert store.get("org_a", "sess_nope") is None

    def test_a_session_id_is_claimed_once_per_org_and_another_org_may_hold_the_same(self, store):
        mine = store.create(make_session("run-1", metadata={"owner": "a"}))
        with pytest.raises(SessionIdTaken):
            store.create(make_session("run-1", user="user_b", metadata={"owner": "thief"}))
        assert store.get("org_a", "run-1") == mine
        theirs = store.create(make_session("run-1", org="org_b", metadata={"owner": "b"}))
        assert store.get("org_b", "run-1") == theirs and store.get("org_a", "run-1") == mine
        assert [s.metadata for s in store.list("org_b")] == [{"owner": "b"}]
        assert store.get("org_c", "run-1") is None

    def test_concurrent_creators_of_one_id_from_many_threads_have_exactly_one_winner(self, store):
        def attempt(n):
            try:
                store.create(make_session("run-x", user=f"user_{n}"), make_active=n % 2 == 0)
            except SessionIdTaken:
                return False
            return True

        with ThreadPoolExecutor(8) as pool:
            won = list(pool.map(attempt, range(16)))
        assert won.count(True) == 1
        assert len(store.list("org_a")) == 1

    def test_making_a_session_active_ends_the_previous_current_one(self, store):
        store.create(make_session("sess_1"))
        store.create(make_session("sess_2", created_at=NOW + 1))
        assert store.get("org_a", "sess_1").status == ENDED
        assert (
            store.current_or_create("org_a", "user_a", make_session("sess_3"), NOW + 2).id
            == "sess_2"
        )

    def test_a_session_not_made_active_leaves_the_current_one_alone(self, store):
        store.create(make_session("sess_1"))
        store.create(make_session("sess_2", created_at=NOW + 1), make_active=False)
        assert (
            store.current_or_create("org_a", "user_a", make_session("sess_3"), NOW + 2).id
            == "sess_1"
        )

    def test_current_or_create_creates_once_and_then_returns_the_same_session(self, store):
        first = store.current_or_create("org_a", "user_a", make_session("sess_1"), NOW)
        again = store.current_or_create("org_a", "user_a", make_session("sess_2"), NOW)
        other_user = store.current_or_create(
            "org_a", "user_b", make_session("sess_3", user="user_b"), NOW
        )
        assert (first.id, again.id, other_user.id) == ("sess_1", "sess_1", "sess_3")

    def test_current_reads_the_current_session_without_creating_one(self, store):
        assert store.current("org_a", "user_a", NOW) is None
        store.create(make_session("sess_1", expires_at=NOW + 10))
        assert store.current("org_a", "user_a", NOW).id == "sess_1"
        assert store.current("org_a", "user_a", NOW + 10) is None
        assert store.get("org_a", "sess_1").status == EXPIRED

    def test_concurrent_first_requests_share_one_current_session(self, store):
        def attempt(n):
            return store.current_or_create("org_a", "user_a", make_session(f"sess_{n}"), NOW).id

        with ThreadPoolExecutor(8) as pool:
            ids = set(pool.map(attempt, range(16)))
        assert len(ids) == 1

    def test_an_expired_current_session_is_replaced_by_a_new_one(self, store):
        store.create(make_session("sess_1", expires_at=NOW + 10))
        replaced = store.current_or_create("org_a", "user_a", make_session("sess_2"), NOW + 11)
        assert replaced.id == "sess_2"
        assert store.get("org_a", "sess_1").status == EXPIRED

    def test_list_is_newest_first_and_filters_by_user_and_status(self, store):
        store.create(make_session("sess_1"))
        store.create(make_session("sess_2", created_at=NOW + 1))
        store.create(make_session("sess_3", user="user_b", created_at=NOW + 2))
        store.create(make_session("sess_x", org="org_other", created_at=NOW + 3))
        assert [s.id for s in store.list("org_a")] == ["sess_3", "sess_2", "sess_1"]
        assert [s.id for s in store.list("org_a", user_id="user_a")] == ["sess_2", "sess_1"]
        assert [s.id for s in store.list("org_a", status=ENDED)] == ["sess_1"]
        assert [s.id for s in store.list("org_a", limit=1, offset=1)] == ["sess_2"]

    def test_listing_by_status_counts_a_session_past_expires_at_as_expired(self, store):
        store.create(make_session("sess_1", expires_at=NOW + 10))
        store.create(
            make_session("sess_2", created_at=NOW + 1, expires_at=NOW + 10), make_active=False
        )
        store.create(make_session("sess_3", user="user_b", created_at=NOW + 2))
        later = NOW + 11
        assert [s.id for s in store.list("org_a", status=ACTIVE, now=later)] == ["sess_3"]
        assert [s.id for s in store.list("org_a", status=EXPIRED, now=later)] == [
            "sess_2",
            "sess_1",
        ]
        assert [s.id for s in store.list("org_a", status=EXPIRED, now=later, offset=1)] == [
            "sess_1"
        ]
        assert [s.id for s in store.list("org_a", status=ACTIVE, now=NOW)] == [
            "sess_3",
            "sess_2",
            "sess_1",
        ]

    def test_update_applies_a_change_atomically_and_ending_frees_the_current_slot(self, store):
        store.create(make_session("sess_1"))
        ended = store.update("org_a", "sess_1", lambda s: end(s, NOW + 5))
        assert ended.status == ENDED and store.get("org_a", "sess_1").ended_at == NOW + 5
        assert (
            store.current_or_create("org_a", "user_a", make_session("sess_2"), NOW).id == "sess_2"
        )
        with pytest.raises(SessionNotFound):
            store.update("org_a", "sess_nope", lambda s: s)

    def test_reservation_is_refused_when_it_would_cross_the_hard_limit(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(cost_usd=0.6)), NOW)
        with pytest.raises(LimitExceeded) as refused:
            store.reserve(reservation("sess_1", 2, Amounts(cost_usd=0.6)), NOW)
        body = refused.value.body()["error"]
        assert (body["type"], body["session_id"], body["metric"], body["limit"]) == (
            "usage_limit_reached",
            "sess_1",
            "cost_usd",
            1.0,
        )
        assert store.get("org_a", "sess_1").reserved.cost_usd == pytest.approx(0.6)
        assert (
            store.get("org_a", "sess_1").status == ACTIVE
        )  # room may come back when the 0.6 settles

    def test_settling_replaces_the_reservation_with_the_real_usage_once(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(cost_usd=0.5, tokens=100, api_calls=1)), NOW)
        assert store.get_reservation("res_sess_1_1").amounts.cost_usd == 0.5
        actual = Amounts(cost_usd=0.1, tokens=30, api_calls=1)
        assert store.settle("res_sess_1_1", actual, entry(1, amounts=actual), NOW) is True
        assert store.settle("res_sess_1_1", actual, entry(2, amounts=actual), NOW) is False
        session = store.get("org_a", "sess_1")
        assert session.used == actual and session.reserved == Amounts()
        assert store.get_reservation("res_sess_1_1") is None
        assert [e.id for e in store.ledger("org_a", session_id="sess_1")] == ["led_sess_1_1"]

    def test_open_reservations_are_counted_per_org_until_they_settle(self, store):
        assert store.open_reservations() == {}
        store.create(make_session())
        store.create(make_session("sess_2"), make_active=False)
        store.create(make_session("sess_9", org="org_b", user="user_b"))
        small = Amounts(cost_usd=0.1, api_calls=1)
        store.reserve(reservation("sess_1", 1, small), NOW)
        store.reserve(reservation("sess_2", 1, small), NOW)
        store.reserve(Reservation("res_b", "sess_9", "org_b", "user_b", small, NOW, model="m"), NOW)
        assert store.open_reservations() == {"org_a": 2, "org_b": 1}
        store.settle("res_sess_1_1", small, entry(1, amounts=small), NOW)
        store.settle("res_b", small, entry(2, "sess_9", small, org="org_b"), NOW)
        assert store.open_reservations() == {"org_a": 1}

    def test_settled_usage_reaching_a_hard_limit_marks_the_session_limit_exceeded(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(cost_usd=1.0)), NOW)
        store.settle("res_sess_1_1", Amounts(cost_usd=1.0), entry(1), NOW)
        assert store.get("org_a", "sess_1").status == LIMIT_EXCEEDED
        with pytest.raises(LimitExceeded):
            store.reserve(reservation("sess_1", 2, Amounts(cost_usd=0.0, api_calls=1)), NOW)
        raised = store.update("org_a", "sess_1", lambda s: increase_limit(s, "cost_usd", 1.0))
        assert raised.status == ACTIVE
        store.reserve(reservation("sess_1", 3, Amounts(cost_usd=0.5)), NOW)

    def test_an_upstream_overrun_is_charged_in_full_and_refuses_the_next_request(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(cost_usd=0.2)), NOW)
        store.reserve(reservation("sess_1", 2, Amounts(cost_usd=0.2)), NOW)
        # The first answer cost far more than its reservation (the upstream ignored the cap).
        store.settle("res_sess_1_1", Amounts(cost_usd=0.9), entry(1), NOW)
        session = store.get("org_a", "sess_1")
        assert session.used.cost_usd == pytest.approx(0.9) and session.status == ACTIVE
        with pytest.raises(LimitExceeded):  # 0.9 used + 0.2 in flight leaves no room
            store.reserve(reservation("sess_1", 3, Amounts(cost_usd=0.05)), NOW)
        store.settle("res_sess_1_2", Amounts(cost_usd=0.2), entry(2), NOW)
        session = store.get("org_a", "sess_1")
        assert session.status == LIMIT_EXCEEDED and session.exceeded_metric == "cost_usd"
        assert session.used.cost_usd == pytest.approx(1.1) and session.reserved == Amounts()
        with pytest.raises(LimitExceeded) as refused:
            store.reserve(reservation("sess_1", 4, Amounts(cost_usd=0.0, api_calls=1)), NOW)
        assert refused.value.body()["error"]["used"] == pytest.approx(1.1)
        assert store.get_reservation("res_sess_1_4") is None
        raised = store.update("org_a", "sess_1", lambda s: increase_limit(s, "cost_usd", 0.05))
        assert raised.status == LIMIT_EXCEEDED  # 1.1 used is still past 1.05

    def test_a_refused_request_leaves_the_session_active_for_the_next_one(self, store):
        store.create(make_session())
        with pytest.raises(LimitExceeded):
            store.reserve(reservation("sess_1", 1, Amounts(cost_usd=1.5)), NOW)
        session = store.get("org_a", "sess_1")
        assert (session.status, session.exceeded_metric, session.reserved) == (
            ACTIVE,
            None,
            Amounts(),
        )
        store.reserve(reservation("sess_1", 2, Amounts(cost_usd=0.5)), NOW)

    def test_a_renewed_lease_is_kept_and_a_lapsed_one_is_released_charging_its_progress(
        self, store
    ):
        store.create(make_session())
        held = evolve(reservation("sess_1", 1, Amounts(cost_usd=0.6)), expires_at=NOW + 60)
        store.reserve(held, NOW, stale_before=NOW)
        progress = Amounts(tokens=40, cost_usd=0.1, api_calls=1)
        assert store.renew(held.id, NOW + 120, progress) is True
        with pytest.raises(LimitExceeded):  # still held at NOW + 100: the lease was renewed
            store.reserve(
                reservation("sess_1", 2, Amounts(cost_usd=0.6)), NOW + 100, stale_before=NOW + 100
            )
        store.reserve(
            reservation("sess_1", 3, Amounts(cost_usd=0.6)), NOW + 121, stale_before=NOW + 121
        )
        session = store.get("org_a", "sess_1")
        assert session.used == progress and session.reserved.cost_usd == pytest.approx(0.6)
        [lapsed] = [e for e in store.ledger("org_a", session_id="sess_1") if e.kind == "lapsed"]
        assert lapsed.amounts == progress and lapsed.metadata == {"reservation_id": held.id}
        assert store.renew(held.id, NOW + 200, progress) is False
        assert store.settle(held.id, Amounts(cost_usd=0.6), entry(1), NOW + 122) is False

    def test_lapsed_leases_can_be_released_before_sizing_a_request(self, store):
        store.create(make_session())
        held = evolve(reservation("sess_1", 1, Amounts(cost_usd=0.9)), expires_at=NOW + 60)
        store.reserve(held, NOW, stale_before=NOW)
        assert store.release_lapsed("org_a", "sess_1", NOW + 30).reserved.cost_usd == pytest.approx(
            0.9
        )
        assert store.release_lapsed("org_a", "sess_1", NOW + 61).reserved == Amounts()
        assert store.get_reservation(held.id) is None
        assert store.release_lapsed("org_a", "sess_nope", NOW) is None

    def test_a_lapsed_lease_without_progress_is_released_uncharged(self, store):
        store.create(make_session())
        held = evolve(reservation("sess_1", 1, Amounts(cost_usd=0.9)), expires_at=NOW + 60)
        store.reserve(held, NOW, stale_before=NOW)
        store.reserve(
            reservation("sess_1", 2, Amounts(cost_usd=0.9)), NOW + 61, stale_before=NOW + 61
        )
        assert store.get("org_a", "sess_1").used == Amounts()
        assert store.ledger("org_a", session_id="sess_1") == []

    def test_a_reservation_left_unsettled_past_its_ttl_is_released_by_the_next_one(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(cost_usd=0.9)), NOW)
        with pytest.raises(LimitExceeded):
            store.reserve(
                reservation("sess_1", 2, Amounts(cost_usd=0.5)), NOW + 10, stale_before=NOW - 60
            )
        later = Reservation(
            "res_sess_1_3", "sess_1", "org_a", "user_a", Amounts(cost_usd=0.5), NOW + 100
        )
        store.reserve(later, NOW + 100, stale_before=NOW + 50)
        session = store.get("org_a", "sess_1")
        assert session.reserved.cost_usd == pytest.approx(0.5) and session.used == Amounts()
        assert store.get_reservation("res_sess_1_1") is None
        assert store.settle("res_sess_1_1", Amounts(cost_usd=0.9), entry(1), NOW + 101) is False
        assert store.settle("res_sess_1_3", Amounts(cost_usd=0.4), entry(3), NOW + 101) is True
        assert store.get("org_a", "sess_1").reserved == Amounts()

    def test_held_reservations_lists_what_a_session_holds_oldest_first_until_settled(self, store):
        store.create(make_session(limits=(Limit("cost_usd", 5.0),)))
        store.create(make_session("sess_2", limits=(Limit("cost_usd", 5.0),)), make_active=False)
        store.create(make_session("sess_1", org="org_b", user="user_b"))
        later = evolve(reservation("sess_1", 1, Amounts(cost_usd=0.3)), created_at=NOW + 5)
        first = evolve(
            reservation("sess_1", 2, Amounts(cost_usd=0.2, tokens=40)),
            expires_at=NOW + 60,
            progress=Amounts(tokens=7),
        )
        store.reserve(later, NOW + 5)
        store.reserve(first, NOW + 5)
        store.reserve(reservation("sess_2", 1, Amounts(cost_usd=0.1)), NOW)
        assert store.held_reservations("org_a", "sess_1") == [first, later]
        assert store.held_reservations("org_b", "sess_1") == []  # same id, another org
        assert store.held_reservations("org_a", "sess_nope") == []
        store.renew(first.id, NOW + 90, Amounts(tokens=20))
        renewed = store.held_reservations("org_a", "sess_1")[0]
        assert (renewed.expires_at, renewed.progress) == (NOW + 90, Amounts(tokens=20))
        store.settle(later.id, Amounts(cost_usd=0.1), entry(1), NOW + 6)
        assert [r.id for r in store.held_reservations("org_a", "sess_1")] == [first.id]
        store.release_lapsed("org_a", "sess_1", NOW + 1000)
        assert store.held_reservations("org_a", "sess_1") == []

    def test_soft_limits_allow_the_reservation_and_return_a_warning(self, store):
        store.create(make_session(limits=(Limit("tokens", 10, SOFT),)))
        assert store.reserve(reservation("sess_1", 1, Amounts(tokens=5)), NOW) == ()
        warnings = store.reserve(reservation("sess_1", 2, Amounts(tokens=8)), NOW)
        assert len(warnings) == 1 and "soft tokens limit 10" in warnings[0]

    def test_reserving_on_an_ended_or_expired_or_unknown_session_is_refused(self, store):
        store.create(make_session("sess_1"))
        store.update("org_a", "sess_1", lambda s: end(s, NOW))
        with pytest.raises(SessionNotActive):
            store.reserve(reservation("sess_1", 1, Amounts(api_calls=1)), NOW)
        store.create(make_session("sess_2", expires_at=NOW + 1))
        with pytest.raises(SessionNotActive, match="expired"):
            store.reserve(reservation("sess_2", 1, Amounts(api_calls=1)), NOW + 2)
        assert store.get("org_a", "sess_2").status == EXPIRED
        with pytest.raises(SessionNotFound):
            store.reserve(reservation("sess_nope", 1, Amounts(api_calls=1)), NOW)

    def test_the_ledger_keeps_entries_without_a_session_and_filters_them(self, store):
        store.create(make_session())
        store.reserve(reservation("sess_1", 1, Amounts(api_calls=1)), NOW)
        store.settle(
            "res_sess_1_1", Amounts(api_calls=1), entry(1, amounts=Amounts(api_calls=1)), NOW
        )
        store.record(entry(2, session_id=None, amounts=Amounts(tokens=7, api_calls=1)))
        store.record(entry(3, session_id=None, org="org_other"))
        assert [e.id for e in store.ledger("org_a")] == ["led_None_2", "led_sess_1_1"]
        only = store.ledger("org_a", no_session=True)
        assert [e.id for e in only] == ["led_None_2"] and only[0].amounts.tokens == 7
        assert only[0].input_tokens == 1 and only[0].model == "m"

    def test_concurrent_reservations_from_many_threads_never_cross_the_hard_limit(self, store):
        store.create(make_session(limits=(Limit("cost_usd", 1.0), Limit("api_calls", 1000))))
        granted = []
        lock = threading.Lock()

        def attempt(n):
            res = reservation("sess_1", n, Amounts(cost_usd=0.03, api_calls=1))
            try:
                store.reserve(res, NOW)
            except LimitExceeded:
                return
            with lock:
                granted.append(res.id)
            store.settle(res.id, Amounts(cost_usd=0.03, api_calls=1), entry(n), NOW)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(attempt, range(80)))
        session = store.get("org_a", "sess_1")
        assert len(granted) == 33
        assert session.used.cost_usd <= 1.0 + 1e-9
        assert session.used.api_calls == 33 and session.reserved == Amounts()


class SharedStoreContract(SessionStoreContract):
    @abstractmethod
    def store_spec(self):
        """A picklable recipe for ``open_store`` (also used inside spawned processes)."""

    def make_store(self):
        return open_store(self.store_spec())

    def test_concurrent_creators_of_one_id_from_many_processes_have_one_winner_per_org(self):
        spec = self.store_spec()
        ctx = multiprocessing.get_context("spawn")
        attempts = [(spec, "run-p", org, w) for org in ("org_a", "org_b") for w in range(4)]
        with ctx.Pool(4) as pool:
            won = pool.starmap(claim, attempts)
        assert won[:4].count(True) == 1 and won[4:].count(True) == 1
        store = open_store(spec)
        assert {store.get(org, "run-p").org_id for org in ("org_a", "org_b")} == {
            "org_a",
            "org_b",
        }

    def test_concurrent_reservations_from_many_processes_never_cross_the_hard_limit(self):
        spec = self.store_spec()
        store = open_store(spec)
        store.create(make_session("sess_p", limits=(Limit("cost_usd", 1.0),)))
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(4) as pool:
            granted = pool.starmap(
                reserve_and_settle, [(spec, "sess_p", w, 15, 0.03) for w in range(4)]
            )
        session = store.get("org_a", "sess_p")
        assert sum(granted) == 33
        assert session.used.cost_usd <= 1.0 + 1e-9 and session.used.api_calls == 33
        assert session.status == ACTIVE and session.reserved == Amounts()  # $0.01 left


# -- the implementations ---------------------------------------------------------------------


class TestFakeSessionStore(SessionStoreContract):
    def make_store(self):
        return FakeSessionStore()


class TestSqliteSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _path(self, tmp_path):
        self.path = str(tmp_path / "sessions.db")

    def store_spec(self):
        return ("sqlite", self.path)


class TestRedisSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url, redis_prefix):
        self.url, self.prefix = redis_url, redis_prefix
        yield
        drop_prefix(redis_url, redis_prefix)

    def store_spec(self):
        return ("redis", self.url, self.prefix)


class TestPostgresSessionStore(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _postgres(self, postgres_url, postgres_schema):
        self.url, self.schema = postgres_url, postgres_schema
        yield
        while OPENED:
            OPENED.pop().close()

    def store_spec(self):
        return ("postgres", self.url, self.schema)


def test_a_refusal_by_the_redis_script_is_never_overruled_by_the_python_rule(
    redis_url, redis_prefix
):
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
