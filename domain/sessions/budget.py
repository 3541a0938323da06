"""The session budget: the real ``MeterFactory`` behind every cost-incurring request.

``meter_for(principal, session_id=…, opt_out=…)`` gives the request a meter. ``reserve``
attaches the request to a session (the one named by ``X-Session-ID``, else the caller's current
one, created with the server's default limits when there is none), reserves the worst case
(``LimitExceeded`` → 429 before anything is spent) and returns a ``SessionCharge``; the route
settles the real usage on it exactly once. Opted-out requests (``X-No-Session: true``) reserve
nothing but still land in the org-level ledger when they settle.
"""

from __future__ import annotations

import threading
from typing import Any

from attrs import field, frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import InvalidInput, LimitExceeded
from synth_ai.domain.sessions.errors import ReservationNotFound
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Usage
from synth_ai.domain.sessions.pricing import PriceTable
from synth_ai.domain.sessions.service import SessionService


@frozen
class Metered:
    """Who is charged for what: the non-usage fields of a ledger entry."""

    model: str | None = None
    kind: str = "chat"
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict[str, Any] = field(factory=dict)


class SessionCharge:
    """One reservation (or, opted out, none) waiting for its real usage. Thread-safe and
    idempotent: the first ``settle`` counts, later ones do nothing."""

    def __init__(
        self,
        budget: Budget,
        principal: Principal,
        what: Metered,
        reservation_id: str | None,
        session_id: str | None,
        warnings: tuple[str, ...] = (),
    ):
        self._budget = budget
        self._principal = principal
        self._what = what
        self.reservation_id = reservation_id
        self.session_id = session_id
        self.warnings = list(warnings)
        # The output cap this reservation assumed (None when nothing was reserved). A route
        # whose request set no cap sends this one upstream, so the upstream cannot produce
        # more than was reserved.
        self.max_output_tokens: int | None = None
        self._lock = threading.Lock()
        self.settled = False

    def settle(self, usage: Usage) -> None:
        with self._lock:
            if self.settled:
                return
            self.settled = True
        self._budget.settle_usage(
            self._principal, self.reservation_id, self.session_id, self._what, usage
        )


class BudgetMeter:
    """The meter of one request; after ``reserve`` it knows the session used and any warnings."""

    def __init__(self, budget: Budget, principal: Principal, session_id: str | None, opt_out: bool):
        self._budget = budget
        self._principal = principal
        self._requested_session = session_id
        self.opt_out = opt_out
        self.session_id: str | None = None
        self.warnings: list[str] = []

    def reserve(
        self,
        *,
        model: str,
        prompt_tokens: int,
        max_output_tokens: int | None,
        choices: int = 1,
    ) -> SessionCharge:
        budget = self._budget
        max_out = max_output_tokens or budget.defaults.max_output_tokens
        amounts = Amounts(
            tokens=prompt_tokens + max_out * choices,
            cost_usd=budget.prices.worst_case(model, prompt_tokens, max_out * choices),
            api_calls=1,
        )
        charge = self.reserve_amounts(amounts, Metered(model=model))
        if charge.reservation_id is not None:
            charge.max_output_tokens = max_out
        return charge

    def reserve_usage(self, usage: Usage, what: Metered) -> SessionCharge:
        """Reserve non-token usage (GPU hours, API calls) priced with the GPU rate."""
        amounts = Amounts(
            tokens=usage.total_tokens,
            cost_usd=self._budget.prices.cost(what.model, usage, gpu_type=what.gpu_type),
            gpu_hours=usage.gpu_hours,
            api_calls=usage.api_calls,
        )
        return self.reserve_amounts(amounts, what)

    def reserve_amounts(self, amounts: Amounts, what: Metered) -> SessionCharge:
        try:
            charge = self._budget.reserve(
                self._principal, self._requested_session, self.opt_out, amounts, what
            )
        except LimitExceeded as refused:
            self.session_id = refused.extra.get("session_id")
            raise
        self.session_id = charge.session_id
        self.warnings.extend(charge.warnings)
        return charge


class Budget:
    """Reserve-then-settle over the caller's sessions: the use cases of metered requests."""

    def __init__(self, sessions: SessionService, prices: PriceTable):
        self.sessions = sessions
        self.store = sessions.store
        self.clock = sessions.clock
        self.ids = sessions.ids
        self.defaults = sessions.defaults
        self.prices = prices

    # -- MeterFactory -------------------------------------------------------------------------
    def meter_for(
        self, principal: Principal, *, session_id: str | None, opt_out: bool
    ) -> BudgetMeter:
        return BudgetMeter(self, principal, (session_id or "").strip() or None, opt_out)

    # -- reserve / settle ---------------------------------------------------------------------
    def reserve(
        self,
        principal: Principal,
        session_id: str | None,
        opt_out: bool,
        amounts: Amounts,
        what: Metered,
    ) -> SessionCharge:
        if opt_out:
            return SessionCharge(self, principal, what, None, None)
        session = (
            self.sessions.owned(principal, session_id, create=True)
            if session_id
            else self.sessions.current(principal)
        )
        reservation = Reservation(
            self.ids.new_id("res"),
            session.id,
            principal.org_id,
            principal.user_id,
            amounts,
            self.clock.now(),
            model=what.model,
            kind=what.kind,
            gpu_type=what.gpu_type,
            reference_type=what.reference_type,
            reference_id=what.reference_id,
        )
        now = self.clock.now()
        warnings = self.store.reserve(
            reservation, now, stale_before=now - self.defaults.reservation_ttl_seconds
        )
        return SessionCharge(self, principal, what, reservation.id, session.id, warnings)

    def settle_reservation(self, principal: Principal, reservation_id: str, usage: Usage) -> bool:
        """Settle a reservation made by an earlier request (a job reporting what it really used)."""
        held = self.store.get_reservation(reservation_id)
        if held is None or (held.org_id, held.user_id) != (principal.org_id, principal.user_id):
            raise ReservationNotFound(
                f"no open reservation {reservation_id!r} for this API key — it was "
                "already settled, or belongs to someone else",
                param="reservation_id",
            )
        what = Metered(
            model=held.model,
            kind=held.kind,
            gpu_type=held.gpu_type,
            reference_type=held.reference_type,
            reference_id=held.reference_id,
        )
        return self.settle_usage(principal, held.id, held.session_id, what, usage)

    def settle_usage(
        self,
        principal: Principal,
        reservation_id: str | None,
        session_id: str | None,
        what: Metered,
        usage: Usage,
    ) -> bool:
        actual = Amounts(
            tokens=usage.total_tokens,
            cost_usd=self.prices.cost(what.model, usage, gpu_type=what.gpu_type),
            gpu_hours=usage.gpu_hours,
            api_calls=usage.api_calls,
        )
        entry = LedgerEntry(
            self.ids.new_uuid(),
            principal.org_id,
            principal.user_id,
            actual,
            self.clock.now(),
            session_id=session_id,
            key_id=principal.key_id,
            model=what.model,
            kind=what.kind,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_tokens=usage.cached_tokens,
            reference_type=what.reference_type,
            reference_id=what.reference_id,
            metadata=dict(what.metadata),
        )
        if reservation_id is None:
            self.store.record(entry)
            return True
        return self.store.settle(reservation_id, actual, entry, self.clock.now())

    # -- usage reports from jobs and workers ---------------------------------------------------
    def reserve_reported(self, meter: BudgetMeter, usage: Usage, what: Metered) -> SessionCharge:
        """Reserve usage a job is about to incur (``LimitExceeded`` past a hard limit). Opted
        out, nothing is held and the usage is recorded at once."""
        _require_some(usage)
        charge = meter.reserve_usage(usage, what)
        if charge.reservation_id is None:
            charge.settle(usage)
        return charge

    def report(self, meter: BudgetMeter, usage: Usage, what: Metered) -> SessionCharge:
        """Charge usage already incurred: reserve and settle at once."""
        _require_some(usage)
        charge = meter.reserve_usage(usage, what)
        charge.settle(usage)
        return charge


def _require_some(usage: Usage) -> None:
    if not (usage.total_tokens or usage.gpu_hours or usage.api_calls):
        raise InvalidInput(
            "report some usage: gpu_hours, api_calls, input_tokens or output_tokens > 0"
        )
