"""The ``Meter`` contract (reserve the worst case, then settle once), run on the fake and on the
real one: the ``Budget``'s meter over a session store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import pytest
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.sessions.budget import Budget
from synth_ai.domain.sessions.model import Limit, SessionDefaults, Usage
from synth_ai.domain.sessions.pricing import PriceTable
from synth_ai.domain.sessions.service import SessionService

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.responses import RecordingMeter
from tests.fakes.sessions import FakeSessionStore

CALL = {"model": "m", "prompt_tokens": 10, "max_output_tokens": 20}


class MeterContract(ABC):
    @abstractmethod
    def make_meter(self, *, refusing: bool) -> tuple[object, Callable[[], list[Usage]]]:
        """A meter of one request (with ``refusing``, every reservation crosses a hard limit)
        and a reader of the usage settled through it, from wherever it lands."""

    def test_a_granted_reservation_returns_a_charge_that_settles_once(self):
        meter, settled = self.make_meter(refusing=False)
        charge = meter.reserve(**CALL)
        assert isinstance(charge.warnings, list)
        charge.settle(Usage(input_tokens=10, output_tokens=5, api_calls=1))
        charge.settle(Usage(input_tokens=10, output_tokens=5, api_calls=1))  # a no-op
        assert settled() == [Usage(input_tokens=10, output_tokens=5, api_calls=1)]

    def test_a_reservation_past_a_hard_limit_is_refused_before_anything_is_spent(self):
        meter, settled = self.make_meter(refusing=True)
        with pytest.raises(LimitExceeded):
            meter.reserve(**CALL)
        assert settled() == []

    def test_after_reserving_the_meter_names_its_warnings(self):
        meter, _ = self.make_meter(refusing=False)
        meter.reserve(**CALL)
        assert isinstance(meter.warnings, list)


class TestRecordingMeter(MeterContract):
    def make_meter(self, *, refusing: bool):
        meter = RecordingMeter(refuse=LimitExceeded("no room") if refusing else None)
        return meter, lambda: list(meter.settled)


class TestBudgetMeter(MeterContract):
    principal = Principal("org_a", "user_a", "key_a")

    def make_meter(self, *, refusing: bool):
        store = FakeSessionStore()
        limits = (Limit("tokens", 1),) if refusing else (Limit("cost_usd", 1.0),)
        sessions = SessionService(
            store, FakeClock(), SequentialIds(), SessionDefaults(limits=limits)
        )
        meter = Budget(sessions, PriceTable()).meter_for(
            self.principal, session_id=None, opt_out=False
        )

        def settled() -> list[Usage]:
            return [
                Usage(
                    e.input_tokens, e.output_tokens, e.cached_tokens, api_calls=e.amounts.api_calls
                )
                for e in store.ledger("org_a")
            ]

        return meter, settled

    def test_the_meter_names_the_session_it_charged(self):
        meter, _ = self.make_meter(refusing=False)
        charge = meter.reserve(**CALL)
        assert meter.session_id == charge.session_id and charge.session_id.startswith("sess")
