"""The session guard: the real ``MeterFactory`` behind every cost-incurring request.

``meter_for(principal, session_id=…, opt_out=…)`` gives the request a meter. ``reserve``
attaches the request to a session (the one named by ``X-Session-ID``, else the caller's current
one, created with the server's default limits when there is none), reserves the worst case
(``LimitExceeded`` → 429 before anything is spent) and returns a ``SessionCharge``; the route
settles the real usage on it exactly once. Opted-out requests (``X-No-Session: true``) reserve
nothing but still land in the org-level ledger when they settle.
"""

from __future__ import annotations

import threading

from attrs import field, frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import LimitExceeded, NotFound, SessionNotFound
from synth_ai.domain.sessions.ledger import LedgerEntry, Reservation
from synth_ai.domain.sessions.model import Amounts, Limit, Session
from synth_ai.domain.sessions.pricing import PriceTable
from synth_ai.domain.sessions.usage import Usage
from synth_ai.ports.clock import Clock, IdGenerator
from synth_ai.ports.sessions import SessionStore


class ReservationNotFound(NotFound):
    code = "reservation_not_found"


@frozen
class SessionDefaults:
    """What an automatically created session gets ([session] in config.toml)."""

    limits: tuple[Limit, ...] = (Limit("cost_usd", 20.0),)
    max_output_tokens: int = 4096  # reserved when a request gives no max_tokens
    session_type: str = "api_call"
    # A reservation older than this was left by a request that died without settling (a
    # crashed process); the next reservation on its session releases it, uncharged.
    reservation_ttl_seconds: float = 6 * 3600


@frozen
class Metered:
    """Who is charged for what: the non-usage fields of a ledger entry."""

    model: str | None = None
    kind: str = "chat"
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict = field(factory=dict)


class SessionCharge:
    """One reservation (or, opted out, none) waiting for its real usage. Thread-safe and
    idempotent: the first ``settle`` counts, later ones do nothing."""

    def __init__(
        self,
        guard: SessionGuard,
        principal: Principal,
        what: Metered,
        reservation_id: str | None,
        session_id: str | None,
        warnings: tuple[str, ...] = (),
    ):
        self._guard = guard
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
        self._guard.settle_usage(
            self._principal, self.reservation_id, self.session_id, self._what, usage
        )


class GuardedMeter:
    """The meter of one request; after ``reserve`` it knows the session used and any warnings."""

    def __init__(
        self, guard: SessionGuard, principal: Principal, session_id: str | None, opt_out: bool
    ):
        self._guard = guard
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
        guard = self._guard
        max_out = max_output_tokens or guard.defaults.max_output_tokens
        amounts = Amounts(
            tokens=prompt_tokens + max_out * choices,
            cost_usd=guard.prices.worst_case(model, prompt_tokens, max_out * choices),
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
            cost_usd=self._guard.prices.cost(what.model, usage, gpu_type=what.gpu_type),
            gpu_hours=usage.gpu_hours,
            api_calls=usage.api_calls,
        )
        return self.reserve_amounts(amounts, what)

    def reserve_amounts(self, amounts: Amounts, what: Metered) -> SessionCharge:
        try:
            charge = self._guard.reserve(
                self._principal, self._requested_session, self.opt_out, amounts, what
            )
        except LimitExceeded as refused:
            self.session_id = refused.extra.get("session_id")
            raise
        self.session_id = charge.session_id
        self.warnings.extend(charge.warnings)
        return charge


class SessionGuard:
    def __init__(
        self,
        store: SessionStore,
        prices: PriceTable,
        clock: Clock,
        ids: IdGenerator,
        defaults: SessionDefaults | None = None,
    ):
        self.store = store
        self.prices = prices
        self.clock = clock
        self.ids = ids
        self.defaults = defaults or SessionDefaults()

    # -- MeterFactory -------------------------------------------------------------------------
    def meter_for(
        self, principal: Principal, *, session_id: str | None, opt_out: bool
    ) -> GuardedMeter:
        return GuardedMeter(self, principal, (session_id or "").strip() or None, opt_out)

    # -- sessions -----------------------------------------------------------------------------
    def new_session(
        self, principal: Principal, *, limits: tuple[Limit, ...] | None = None, **fields
    ) -> Session:
        now = self.clock.now()
        chosen = self.defaults.limits if limits is None else limits
        limits = tuple(
            Limit(
                lim.metric,
                lim.value,
                lim.kind,
                lim.limit_id or self.ids.new_uuid(),
                lim.warning_threshold,
                lim.created_at or now,
            )
            for lim in chosen
        )
        fields.setdefault("session_type", self.defaults.session_type)
        return Session(
            fields.pop("session_id", None) or self.ids.new_id("sess"),
            principal.org_id,
            principal.user_id,
            now,
            limits=limits,
            api_key_id=principal.key_id,
            **fields,
        )

    def current(self, principal: Principal) -> Session:
        """The caller's current session, created with the default limits when there is none."""
        return self.store.current_or_create(
            principal.org_id, principal.user_id, self.new_session(principal), self.clock.now()
        )

    def owned(self, principal: Principal, session_id: str, *, create: bool = False) -> Session:
        """A session of the caller's; ``current`` names the current one (created when ``create``).
        Sessions of other users are 'not found'."""
        if session_id == "current":
            if create:
                return self.current(principal)
            session = self.store.current(principal.org_id, principal.user_id, self.clock.now())
            if session is None:
                raise SessionNotFound(
                    "you have no current session — one starts with your next request, or run "
                    "'synth-ai session start'",
                    param="session_id",
                )
            return session
        session = self.store.get(session_id)
        if session is None or (session.org_id, session.user_id) != (
            principal.org_id,
            principal.user_id,
        ):
            raise SessionNotFound(
                f"no session {session_id!r} for this API key — list yours with "
                "'synth-ai session list' (GET /api/v1/sessions)",
                param="session_id",
            )
        return session

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
            self.owned(principal, session_id, create=True)
            if session_id
            else self.current(principal)
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
