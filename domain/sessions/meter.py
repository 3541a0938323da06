"""What one metered request holds: its ``BudgetMeter`` and, once reserved, its ``SessionCharge``.

The charge is settled exactly once with the real usage, never charged past what it reserved:
what an upstream reports beyond the reservation (it ignored the output cap, or its tokenizer
spent more than the prompt bound) is recorded as ``overrun`` on the ledger entry and logged,
not charged. It also reports its progress (what the request has used so far), which a lease
that lapses charges.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import LimitExceeded
from synth_ai.domain.sessions.model import METRICS, Amounts, Usage

if TYPE_CHECKING:
    from synth_ai.domain.sessions.budget import Budget


@frozen
class Metered:
    """Who is charged for what: the non-usage fields of a ledger entry."""

    model: str | None = None
    kind: str = "chat"
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict[str, Any] = field(factory=dict)


def held_to(actual: Amounts, ceiling: Amounts) -> tuple[Amounts, dict[str, Any]]:
    """``actual`` held to ``ceiling`` metric by metric, and what it reported beyond it."""
    held = Amounts(*(min(getattr(actual, m), getattr(ceiling, m)) for m in METRICS))
    over = {m: actual.get(m) - held.get(m) for m in METRICS if actual.get(m) > held.get(m)}
    return held, over


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
        self._ceiling: Amounts | None = None
        self.reservation_id = reservation_id
        self.session_id = session_id
        self.warnings = list(warnings)
        # The output cap the reservation holds (None when nothing was reserved): the route
        # sends it upstream and cuts the answer there.
        self.max_output_tokens: int | None = None
        self._lock = threading.Lock()
        self.settled = False
        self.used_so_far = Usage()

    def hold_to(self, ceiling: Amounts, max_output_tokens: int) -> None:
        """The most this charge may settle (what it reserved), and the output cap the route
        must enforce."""
        self._ceiling = ceiling
        self.max_output_tokens = max_output_tokens

    def progress(self, usage: Usage) -> None:
        """What the request has used so far; a lapsed lease is charged the last value."""
        self.used_so_far = usage

    def settle(self, usage: Usage) -> None:
        with self._lock:
            if self.settled:
                return
            self.settled = True
        what, charged = self._what, None
        if self._ceiling is not None:
            charged, over = held_to(self._budget.amounts(what, usage), self._ceiling)
            if over:
                self._budget.log_overrun(self.session_id, what.model, over)
                what = evolve(what, metadata={**what.metadata, "overrun": over})
        self._budget.forget(self)
        self._budget.settle_usage(
            self._principal, self.reservation_id, self.session_id, what, usage, charged=charged
        )

    def held_progress(self) -> Amounts:
        """``used_so_far`` priced and held to what was reserved (what a lapsed lease charges)."""
        progress = self._budget.amounts(self._what, self.used_so_far)
        return progress if self._ceiling is None else held_to(progress, self._ceiling)[0]


class BudgetMeter:
    """The meter of one request; after ``reserve`` it knows the session used and any warnings.

    ``session_id`` (``X-Synth-Session-ID``) must name one of the caller's sessions;
    ``session_hint`` (``X-Session-ID``, which clients such as opencode fill with their own
    chat id) selects a session only when it is one of the caller's, else it is ignored with a
    warning and the caller's current session pays."""

    def __init__(
        self,
        budget: Budget,
        principal: Principal,
        session_id: str | None,
        opt_out: bool,
        session_hint: str | None = None,
    ):
        self._budget = budget
        self._principal = principal
        self._requested_session = session_id
        self._hint = session_hint
        self.opt_out = opt_out
        self.session_id: str | None = None
        self.warnings: list[str] = []
        self.refused = False  # a hard limit refused this request (429, not worth retrying)

    def reserve(
        self,
        *,
        model: str,
        prompt_tokens: int,
        max_output_tokens: int | None,
        choices: int = 1,
    ) -> SessionCharge:
        return self._held(
            lambda session_id: self._budget.reserve_chat(
                self._principal,
                session_id,
                self.opt_out,
                model=model,
                prompt_tokens=prompt_tokens,
                max_output_tokens=max_output_tokens,
                choices=choices,
            )
        )

    def reserve_usage(self, usage: Usage, what: Metered) -> SessionCharge:
        """Reserve non-token usage (GPU hours, API calls) priced with the GPU rate."""
        amounts = self._budget.amounts(what, usage)
        return self._held(
            lambda session_id: self._budget.reserve(
                self._principal, session_id, self.opt_out, amounts, what, job=True
            )
        )

    def _held(self, reserve: Callable[[str | None], SessionCharge]) -> SessionCharge:
        session_id = self._requested_session or self._budget.hinted(self._principal, self._hint)
        if self._hint and not self._requested_session and session_id is None:
            self.warnings.append(
                f"X-Session-ID {self._hint!r} is not one of your sessions: ignored, your current "
                "session pays (send X-Synth-Session-ID to choose one)"
            )
        try:
            charge = reserve(session_id)
        except LimitExceeded as refused:
            self.refused = True
            self.session_id = refused.extra.get("session_id")
            raise
        self.session_id = charge.session_id
        self.warnings.extend(charge.warnings)
        return charge
