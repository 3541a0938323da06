"""Metering of cost-incurring requests: reserve the worst case first, settle the real usage after.

The metering middleware resolves the caller's session and puts a ``Meter`` on
``req.context.meter`` for every resource marked ``cost_incurring = True``. A route calls
``reserve`` before it spends (``LimitExceeded`` → 429 when a hard limit would be crossed) and
``settle`` on the returned ``Charge`` exactly once when the real usage is known, also after an
upstream failure or a client disconnect (settling twice is a no-op).
"""

from __future__ import annotations

from typing import Protocol

from synth_ai.domain.auth import Principal
from synth_ai.domain.sessions.model import LedgerEntry, Usage


class Charge(Protocol):
    session_id: str | None
    warnings: list[str]  # soft-limit warnings, sent back in a response header
    # The output cap the reservation holds (None: nothing reserved). It may be smaller than
    # the request asked for (what the remaining budget affords): the route sends it upstream
    # (``max_completion_tokens``) and cuts the answer there itself, since the reservation only
    # bounds the spend if no more output gets through.
    max_output_tokens: int | None

    def progress(self, usage: Usage) -> None:
        """What the request has used so far (charged if its process dies before settling)."""
        ...

    def settle(self, usage: Usage) -> None: ...


class Meter(Protocol):
    # After ``reserve``: the session charged (None when opted out) and soft-limit warnings,
    # which the middleware sends back as ``X-Session-ID`` and ``X-Session-Warning``.
    session_id: str | None
    warnings: list[str]

    def reserve(
        self,
        *,
        model: str,
        prompt_tokens: int,
        max_output_tokens: int | None,
        choices: int = 1,
    ) -> Charge:
        """Reserve the worst-case cost of one model call, or raise ``LimitExceeded``.
        ``choices`` answers (Chat Completions ``n``) may each produce ``max_output_tokens``."""
        ...


class MeterFactory(Protocol):
    """Builds the meter of one request (implemented by the session budget).

    ``session_id`` (``X-Synth-Session-ID``) must name one of the caller's sessions;
    ``session_hint`` (``X-Session-ID``) is used only when it does, else ignored with a warning."""

    def meter_for(
        self,
        principal: Principal,
        *,
        session_id: str | None,
        opt_out: bool,
        session_hint: str | None = None,
    ) -> Meter: ...


class SpendObserver(Protocol):
    """Told of each charge once it is settled into the ledger (``/metrics`` counts spend)."""

    def settled(self, entry: LedgerEntry) -> None: ...
