"""The session budget: the real ``MeterFactory`` behind every cost-incurring request.

``meter_for(principal, session_id=…, opt_out=…)`` gives the request a meter. ``reserve``
attaches the request to a session (the one named by ``X-Synth-Session-ID`` or an
``X-Session-ID`` of the caller's, else the caller's current one, created with the server's
default limits when there is none) and reserves the worst case before anything is spent:

- the prompt's upper bound (``tokens.prompt_bound``) plus an output cap of
  ``min(requested or [session] max_output_tokens, what the remaining budget affords)``; the
  request is refused (``LimitExceeded`` → 429) only when not even the prompt and
  ``min_output_tokens`` fit, and a refusal never changes the session;
- on a lease of ``lease_seconds``, renewed while the request runs (with what it has used so
  far), so a request whose process died stops holding budget within one lease.

The route settles the real usage on the returned ``SessionCharge`` exactly once. Opted-out
requests (``X-No-Session: true``) reserve nothing but still land in the org-level ledger.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import InvalidInput, LimitExceeded
from synth_ai.domain.sessions import rules
from synth_ai.domain.sessions.errors import ReservationNotFound, SessionNotFound
from synth_ai.domain.sessions.meter import BudgetMeter, Metered, SessionCharge
from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Reservation, Session, Usage
from synth_ai.domain.sessions.pricing import MILLION, ModelPrice, PriceTable
from synth_ai.domain.sessions.service import SessionService
from synth_ai.domain.sessions.tokens import FRAMING_PER_MESSAGE, FRAMING_PER_REQUEST
from synth_ai.ports.clock import Ticker
from synth_ai.ports.metering import SpendObserver

__all__ = ["Budget", "BudgetMeter", "Metered", "SessionCharge"]

log = logging.getLogger(__name__)

# The smallest prompt a request can have: the framing of one message holding one byte.
TINY_PROMPT = FRAMING_PER_REQUEST + FRAMING_PER_MESSAGE + 1
# A reservation the store refused may have lost a race with another request of the same
# session: the affordable cap is computed again from a fresh read, this many times.
ATTEMPTS = 8


class Budget:
    """Reserve-then-settle over the caller's sessions: the use cases of metered requests."""

    def __init__(
        self,
        sessions: SessionService,
        prices: PriceTable,
        *,
        ticker: Ticker | None = None,
        observer: SpendObserver | None = None,
    ):
        self.sessions = sessions
        self.store = sessions.store
        self.clock = sessions.clock
        self.ids = sessions.ids
        self.defaults = sessions.defaults
        self.prices = prices
        self._live: dict[str, SessionCharge] = {}
        self._live_lock = threading.Lock()
        self._ticker = ticker  # renews the leases of running requests; None: nobody renews
        self._renewing = False
        self._observer = observer  # told of every settled charge (spend metrics)

    # -- MeterFactory -------------------------------------------------------------------------
    def meter_for(
        self,
        principal: Principal,
        *,
        session_id: str | None,
        opt_out: bool,
        session_hint: str | None = None,
    ) -> BudgetMeter:
        return BudgetMeter(
            self,
            principal,
            (session_id or "").strip() or None,
            opt_out,
            (session_hint or "").strip() or None,
        )

    def hinted(self, principal: Principal, hint: str | None) -> str | None:
        """``hint`` when it names one of the caller's sessions (or ``current``), else None."""
        if not hint:
            return None
        if hint == "current":
            return hint
        try:
            return self.sessions.owned(principal, hint).id
        except SessionNotFound:
            return None

    # -- reserve ------------------------------------------------------------------------------
    def reserve_chat(
        self,
        principal: Principal,
        session_id: str | None,
        opt_out: bool,
        *,
        model: str,
        prompt_tokens: int,
        max_output_tokens: int | None,
        choices: int = 1,
    ) -> SessionCharge:
        """Reserve one model call: the prompt bound plus the largest output cap (at most the
        one asked for) that the session can still afford."""
        what = Metered(model=model)
        wanted = max_output_tokens or self.defaults.max_output_tokens
        if opt_out:
            return SessionCharge(self, principal, what, None, None)
        price = self.prices.price_for(model)
        fixed = Amounts(
            tokens=prompt_tokens, cost_usd=prompt_tokens * price.input / MILLION, api_calls=1
        )
        per_token = Amounts(tokens=choices, cost_usd=choices * price.output / MILLION)
        minimum = min(wanted, self.defaults.min_output_tokens)
        for attempt in range(ATTEMPTS):
            session = self._session(principal, session_id)
            now = self.clock.now()
            affordable = rules.affordable_output(
                rules.effective(session, now), fixed, per_token, wanted
            )
            if affordable < wanted and session.reserved != Amounts():
                # Room may be held by leases that lapsed (a killed process): free it first.
                session = self.store.release_lapsed(session.org_id, session.id, now) or session
                affordable = rules.affordable_output(
                    rules.effective(session, now), fixed, per_token, wanted
                )
            cap = max(affordable, minimum)  # below the minimum: let the store refuse it
            amounts = Amounts(
                tokens=prompt_tokens + cap * choices,
                cost_usd=self.prices.worst_case(model, prompt_tokens, cap * choices),
                api_calls=1,
            )
            try:
                charge = self._hold(
                    principal, session.id, amounts, what, lease=self.defaults.lease_seconds
                )
            except LimitExceeded:
                if affordable < minimum:
                    self._mark_if_used_up(session, price, minimum)
                    raise
                if attempt == ATTEMPTS - 1:
                    raise
                continue  # another request took the room meanwhile: size it again
            charge.hold_to(amounts, cap)
            self._keep(charge)
            return charge
        raise AssertionError("unreachable")

    def _mark_if_used_up(self, session: Session, price: ModelPrice, minimum: int) -> None:
        """After a refusal: a session whose limit cannot fit even the smallest request any
        more is ``limit_exceeded`` (its limit is used up); one large request never is."""
        fixed = Amounts(
            tokens=TINY_PROMPT, cost_usd=TINY_PROMPT * price.input / MILLION, api_calls=1
        )
        per_token = Amounts(tokens=1, cost_usd=price.output / MILLION)
        now = self.clock.now()

        def mark(s: Session) -> Session:
            return rules.mark_used_up(s, fixed, per_token, minimum, now)

        current = self.store.get(session.org_id, session.id)
        if current is not None and mark(current) != current:  # write only when it changes
            self.store.update(session.org_id, session.id, mark)

    def reserve(
        self,
        principal: Principal,
        session_id: str | None,
        opt_out: bool,
        amounts: Amounts,
        what: Metered,
        *,
        job: bool = False,
    ) -> SessionCharge:
        """Reserve fixed ``amounts`` (a job's usage). A job's reservation is held until it
        settles or ``reservation_ttl_seconds`` pass."""
        if opt_out:
            return SessionCharge(self, principal, what, None, None)
        session = self._session(principal, session_id)
        lease = self.defaults.reservation_ttl_seconds if job else self.defaults.lease_seconds
        return self._hold(principal, session.id, amounts, what, lease=lease)

    def _session(self, principal: Principal, session_id: str | None) -> Session:
        if session_id:
            return self.sessions.owned(principal, session_id, create=True)
        return self.sessions.current(principal)

    def _hold(
        self,
        principal: Principal,
        session_id: str,
        amounts: Amounts,
        what: Metered,
        *,
        lease: float,
    ) -> SessionCharge:
        now = self.clock.now()
        reservation = Reservation(
            self.ids.new_id("res"),
            session_id,
            principal.org_id,
            principal.user_id,
            amounts,
            now,
            model=what.model,
            kind=what.kind,
            gpu_type=what.gpu_type,
            reference_type=what.reference_type,
            reference_id=what.reference_id,
            key_id=principal.key_id,
            expires_at=now + lease,
        )
        warnings = self.store.reserve(reservation, now, stale_before=now)
        return SessionCharge(self, principal, what, reservation.id, session_id, warnings)

    # -- settle -------------------------------------------------------------------------------
    def amounts(self, what: Metered, usage: Usage) -> Amounts:
        return Amounts(
            tokens=usage.total_tokens,
            cost_usd=self.prices.cost(what.model, usage, gpu_type=what.gpu_type),
            gpu_hours=usage.gpu_hours,
            api_calls=usage.api_calls,
        )

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
        *,
        charged: Amounts | None = None,
    ) -> bool:
        """Settle ``usage`` (charging ``charged`` instead when given: the usage held to what
        was reserved); the ledger entry keeps the token counts the upstream reported."""
        actual = self.amounts(what, usage) if charged is None else charged
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
            settled = True
        else:
            settled = self.store.settle(reservation_id, actual, entry, self.clock.now())
        if settled and self._observer is not None:
            self._observer.settled(entry)
        return settled

    def log_overrun(self, session_id: str | None, model: str | None, over: dict[str, Any]) -> None:
        log.warning(
            "upstream reported more than session %s reserved for %s (not charged): %s",
            session_id,
            model,
            over,
        )

    # -- leases -------------------------------------------------------------------------------
    def _keep(self, charge: SessionCharge) -> None:
        assert charge.reservation_id is not None  # only held charges are kept
        with self._live_lock:
            self._live[charge.reservation_id] = charge
            if self._ticker is not None and not self._renewing:
                self._renewing = True
                self._ticker.every(
                    max(0.05, self.defaults.lease_seconds / 3), self.renew_leases, "synth-ai-leases"
                )

    def forget(self, charge: SessionCharge) -> None:
        with self._live_lock:
            self._live.pop(charge.reservation_id or "", None)

    def renew_leases(self) -> int:
        """Extend the lease of every request still running here, with what each has used so
        far (charged if this process dies before it settles). Returns how many were renewed."""
        with self._live_lock:
            live = list(self._live.values())
        until = self.clock.now() + self.defaults.lease_seconds
        renewed = 0
        for charge in live:
            assert charge.reservation_id is not None  # only held charges are kept
            try:
                if self.store.renew(charge.reservation_id, until, charge.held_progress()):
                    renewed += 1
                else:
                    self.forget(charge)  # settled or released meanwhile
            except Exception:  # noqa: BLE001 - a store hiccup must not stop the keeper
                log.exception("could not renew the lease of %s", charge.reservation_id)
        return renewed

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
