"""Sessions with budgets: the values (limits, amounts, sessions, reservations, the ledger).

A session belongs to one (org, user). It holds limits on four metrics (``tokens``,
``cost_usd``, ``gpu_hours``, ``api_calls``), each ``hard`` (refuse) or ``soft`` (warn), the
usage settled so far (``used``) and the worst-case usage of requests still in flight
(``reserved``). The rules that change a session live in ``rules.py``; the use cases that
drive them over a store in ``budget.py`` (metered requests) and ``service.py`` (sessions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast, overload

from attrs import Attribute, field, frozen, validators
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.errors import BudgetExceeded, SessionNotActive

METRICS = ("tokens", "cost_usd", "gpu_hours", "api_calls")
HARD, SOFT = "hard", "soft"
KINDS = (HARD, SOFT)
ACTIVE, ENDED, LIMIT_EXCEEDED, EXPIRED = "active", "ended", "limit_exceeded", "expired"
STATUSES = (ACTIVE, ENDED, LIMIT_EXCEEDED, EXPIRED)
# Statuses that keep the (org, user) "current session" slot: a limit_exceeded session stays
# current (and refuses) until its limit is increased or it is ended.
CURRENT = (ACTIVE, LIMIT_EXCEEDED)
EPSILON = 1e-9  # float slack when comparing dollar and hour sums
# A session id a client may choose: it must fit in one URL path segment.
SESSION_ID_PATTERN = r"^(?!\.+$)[A-Za-z0-9_.:-]{1,128}$"


def check_metric(instance: object, attribute: Attribute[str] | None, value: str) -> None:
    if value not in METRICS:
        raise InvalidInput(
            f"unknown metric {value!r} — use one of {', '.join(METRICS)}", param="metric_type"
        )


_Number = TypeVar("_Number", bound=float)


def _non_negative(instance: object, attribute: Attribute[_Number], value: _Number) -> None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidInput(
            f"{attribute.name} must be a finite number >= 0, got {value!r}", param=attribute.name
        )


@frozen
class Amounts:
    """A quantity of each metric (usage, reservation or request)."""

    tokens: int = field(default=0, validator=_non_negative)
    cost_usd: float = field(default=0.0, validator=_non_negative)
    gpu_hours: float = field(default=0.0, validator=_non_negative)
    api_calls: int = field(default=0, validator=_non_negative)

    def get(self, metric: str) -> float:
        return cast(float, getattr(self, metric))

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(*(_round(getattr(self, m) + getattr(other, m)) for m in METRICS))

    def minus(self, other: Amounts) -> Amounts:
        """Subtraction clamped at zero (a reservation is never released twice)."""
        return Amounts(*(_round(max(0, getattr(self, m) - getattr(other, m))) for m in METRICS))

    def as_dict(self) -> dict[str, float]:
        return {m: getattr(self, m) for m in METRICS}


@frozen
class Limit:
    metric: str = field(validator=check_metric)
    value: float = field(validator=_non_negative)
    kind: str = field(default=HARD, validator=validators.in_(KINDS))
    limit_id: str = ""
    warning_threshold: float | None = None
    created_at: float = 0.0


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _limits(items: Iterable[Limit]) -> tuple[Limit, ...]:
    return tuple(items)


@frozen
class Session:
    id: str
    org_id: str
    user_id: str
    created_at: float
    limits: tuple[Limit, ...] = field(default=(), converter=_limits)
    status: str = field(default=ACTIVE, validator=validators.in_(STATUSES))
    used: Amounts = field(factory=Amounts)
    reserved: Amounts = field(factory=Amounts)
    session_type: str = "api_call"
    metadata: dict[str, Any] = field(factory=dict)
    api_key_id: str | None = None
    expires_at: float | None = None
    ended_at: float | None = None
    exceeded_metric: str | None = None
    exceeded_at: float | None = None

    def hard_limit(self, metric: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.metric == metric and lim.kind == HARD), None)


@frozen
class Refusal:
    """Why a reservation was refused; ``error()`` is what the caller sees (429)."""

    session_id: str
    metric: str
    limit: float
    used: float
    requested: float
    reserved: float = 0.0

    def error(self) -> BudgetExceeded:
        return BudgetExceeded(
            f"session {self.session_id} has reached its hard {self.metric} limit of {fmt_number(self.limit)} "
            f"(used {fmt_number(self.used)}, in flight {fmt_number(self.reserved)}, this request needs up to "
            f"{fmt_number(self.requested)}) — raise it with 'synth-ai session increase --metric {self.metric} "
            f"--by N' or start a new session with 'synth-ai session start'",
            session_id=self.session_id,
            metric=self.metric,
            limit=self.limit,
            used=self.used,
        )


@frozen
class Decision:
    """The outcome of a reservation: the session to save, and a refusal or soft warnings."""

    session: Session
    refusal: Refusal | None = None
    inactive: SessionNotActive | None = None
    warnings: tuple[str, ...] = ()

    def raise_if_refused(self) -> None:
        if self.inactive is not None:
            raise self.inactive
        if self.refusal is not None:
            raise self.refusal.error()


@overload
def _round(value: int) -> int: ...
@overload
def _round(value: float) -> float: ...
def _round(value: float) -> float:
    """Sums of dollars and hours are kept to 10 decimals, so releasing every reservation
    returns ``reserved`` to exactly zero (the Redis scripts round the same way)."""
    return value if isinstance(value, int) else round(value, 10)


def fmt_number(value: float) -> str:
    return f"{value:.6g}"


@frozen
class Usage:
    """Metered usage of one request, in the units limits are expressed in."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    gpu_hours: float = 0.0
    api_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @classmethod
    def from_openai(cls, usage: Mapping[str, Any] | None, *, api_calls: int = 1) -> Usage:
        """From a Chat Completions or Responses ``usage`` object (either naming)."""
        usage = usage or {}
        details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
        return cls(
            input_tokens=int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0),
            output_tokens=int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0),
            cached_tokens=int((details or {}).get("cached_tokens", 0) or 0),
            api_calls=api_calls,
        )


@frozen
class Reservation:
    """The worst-case amounts one request holds on a session until it settles."""

    id: str
    session_id: str
    org_id: str
    user_id: str
    amounts: Amounts
    created_at: float
    model: str | None = None
    kind: str = "chat"  # chat | usage_report
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    key_id: str | None = None
    # A lease: the request renews it while it runs; once it lapses (the process died) the next
    # reservation on the session releases it, charging ``progress`` (what the request had
    # reported using at its last renewal). None: held until ``created_at`` is stale.
    expires_at: float | None = None
    progress: Amounts = field(factory=Amounts)

    def expiry(self) -> float:
        return self.created_at if self.expires_at is None else self.expires_at


@frozen
class LedgerEntry:
    """One settled charge. Every cost-incurring request gets one, with or without a session
    (``session_id`` is None for ``X-No-Session`` requests): the org-level usage ledger."""

    id: str
    org_id: str
    user_id: str
    amounts: Amounts
    created_at: float
    session_id: str | None = None
    key_id: str | None = None
    model: str | None = None
    kind: str = "chat"
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict[str, Any] = field(factory=dict)


@frozen
class PendingSettle:
    """A settle the session store could not take (it was unreachable), kept in the outbox
    until it can: the reservation to release (None for an ``X-No-Session`` charge), what to
    charge, and the ledger entry to append."""

    entry: LedgerEntry
    actual: Amounts
    reservation_id: str | None = None

    @property
    def id(self) -> str:
        return self.entry.id


@frozen
class SessionDefaults:
    """What an automatically created session gets ([session] in config.toml)."""

    limits: tuple[Limit, ...] = (Limit("cost_usd", 20.0),)
    max_output_tokens: int = 4096  # the cap when a request gives no max_tokens
    # A request is refused only when its prompt and this much output no longer fit.
    min_output_tokens: int = 16
    session_type: str = "api_call"
    # Requests hold their reservation on a lease they renew while they run; a lease nobody
    # renews (the process died) lapses after this long and is released by the next reservation.
    lease_seconds: float = 60.0
    # A reservation made through the usage API (a job that settles later) is held this long.
    reservation_ttl_seconds: float = 6 * 3600
