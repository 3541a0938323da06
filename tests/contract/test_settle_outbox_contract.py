"""One contract for every ``SettleOutbox``: the fake and the SQLite file under the home."""

from abc import ABC, abstractmethod

import pytest
from synth_ai.adapters.sqlite.settle_outbox import SqliteSettleOutbox
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, PendingSettle

from tests.fakes.sessions import InMemorySettleOutbox


def pending(entry_id="e1", created_at=1_700_000_000.25, reservation_id="res_1") -> PendingSettle:
    entry = LedgerEntry(
        entry_id,
        "org_a",
        "user_a",
        Amounts(tokens=120, cost_usd=0.0015, api_calls=1),
        created_at,
        session_id="sess_1",
        model="synth-small",
        input_tokens=100,
        output_tokens=20,
        metadata={"overrun": {"tokens": 3}},
    )
    return PendingSettle(entry, Amounts(tokens=117, cost_usd=0.0014, api_calls=1), reservation_id)


class SettleOutboxContract(ABC):
    @abstractmethod
    def make_outbox(self):
        """A new, empty outbox."""

    @pytest.fixture
    def outbox(self):
        return self.make_outbox()

    def test_an_empty_outbox_has_nothing_pending(self, outbox):
        assert outbox.pending() == []

    def test_a_kept_settle_reads_back_equal(self, outbox):
        kept = pending()
        outbox.put(kept)
        assert outbox.pending() == [kept]

    def test_a_settle_without_a_reservation_reads_back_equal(self, outbox):
        kept = pending(reservation_id=None)
        outbox.put(kept)
        assert outbox.pending() == [kept]

    def test_settles_come_back_oldest_first_and_within_the_limit(self, outbox):
        outbox.put(pending("late", created_at=30.0))
        outbox.put(pending("early", created_at=10.0))
        outbox.put(pending("middle", created_at=20.0))
        assert [p.id for p in outbox.pending()] == ["early", "middle", "late"]
        assert [p.id for p in outbox.pending(1)] == ["early"]

    def test_putting_the_same_settle_twice_keeps_it_once(self, outbox):
        outbox.put(pending())
        outbox.put(pending())
        assert len(outbox.pending()) == 1

    def test_a_removed_settle_is_gone_and_removing_it_again_is_harmless(self, outbox):
        outbox.put(pending("a"))
        outbox.put(pending("b", created_at=2e9))
        outbox.remove("a")
        outbox.remove("a")
        assert [p.id for p in outbox.pending()] == ["b"]


class TestInMemorySettleOutbox(SettleOutboxContract):
    def make_outbox(self):
        return InMemorySettleOutbox()


class TestSqliteSettleOutbox(SettleOutboxContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path

    def make_outbox(self):
        return SqliteSettleOutbox(self.folder / "settle-outbox.db")

    def test_what_was_kept_survives_a_new_process_opening_the_file(self):
        SqliteSettleOutbox(self.folder / "settle-outbox.db").put(pending())
        assert SqliteSettleOutbox(self.folder / "settle-outbox.db").pending() == [pending()]
