"""Sessions on the wire, in the shapes of the public synth-ai client (``AgentSession``).

One converter for every side of the wire: the HTTP routes unstructure ``SessionOut`` /
``LimitOut`` / ``UsageRecordOut`` / ``LedgerEntryOut`` and structure the request bodies
(``CreateSessionIn``, ``LimitIn``, ``IncreaseIn``, ``UsageIn``, extra keys refused); the CLI's
backend client structures the answers back into the same classes (extra keys allowed, so a
newer server may add fields). Timestamps are ISO 8601 strings.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import cattrs
from attrs import define, field, frozen
from cattrs.preconf.json import make_converter
from synth_ai.adapters.wire.strict import input_converter
from synth_ai.domain.errors import InvalidInput, ValidationFailed
from synth_ai.domain.sessions.meter import Metered
from synth_ai.domain.sessions.model import (
    HARD,
    LIMIT_EXCEEDED,
    METRICS,
    LedgerEntry,
    Limit,
    Session,
    Usage,
)
from synth_ai.domain.sessions.rules import effective
from synth_ai.domain.sessions.service import StartSession
from synth_ai.domain.timestamps import epoch, iso

T = TypeVar("T")

converter = make_converter()  # answers; extra keys allowed when reading them back
strict = input_converter()  # request bodies


# -- answers ------------------------------------------------------------------------------------


@frozen
class LimitOut:
    limit_id: str | None
    limit_type: str
    metric_type: str
    limit_value: float
    current_usage: float
    reserved: float
    remaining: float
    exceeded: bool
    warning_threshold: float | None = None
    window_seconds: int | None = None
    exceeded_at: str | None = None
    exceeded_reason: str | None = None
    created_at: str | None = None
    expires_at: str | None = None


@frozen
class SessionOut:
    session_id: str
    org_id: str
    user_id: str
    status: str
    object: str = "session"
    api_key_id: str | None = None
    session_type: str = "api_call"
    created_at: str | None = None
    expires_at: str | None = None
    ended_at: str | None = None
    limit_exceeded_reason: str | None = None
    current_usage: dict[str, float] = field(factory=dict)
    reserved_usage: dict[str, float] = field(factory=dict)
    limits: list[LimitOut] = field(factory=list)
    metadata: dict[str, Any] = field(factory=dict)
    tracing_session_id: str | None = None

    def hard_limits(self) -> dict[str, LimitOut]:
        return {lim.metric_type: lim for lim in self.limits if lim.limit_type == HARD}


@frozen
class UsageRecordOut:
    """One record per metric of a ledger entry (the public client's usage records)."""

    id: str
    session_id: str | None
    metric_type: str
    metric_value: float
    reference_type: str
    reference_id: str
    org_id: str
    user_id: str
    model: str | None
    metadata: dict[str, Any]
    created_at: str | None


@frozen
class LedgerEntryOut:
    id: str
    org_id: str
    user_id: str
    key_id: str | None
    session_id: str | None
    kind: str
    model: str | None
    usage: dict[str, float]
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reference_type: str | None
    reference_id: str | None
    metadata: dict[str, Any]
    created_at: str | None
    object: str = "usage_entry"


@frozen
class ChargeOut:
    """A usage reservation or report: who pays and for what."""

    object: str
    reservation_id: str | None
    session_id: str | None
    warnings: list[str]
    gpu_hours: float
    api_calls: int
    input_tokens: int
    output_tokens: int
    settled: bool


def limit_out(session: Session, limit: Limit) -> LimitOut:
    used = session.used.get(limit.metric)
    # Exceeded: usage reached it, or the session was stopped on it (the next request's worst
    # case no longer fitted).
    exceeded = limit.kind == HARD and (
        used >= limit.value
        or (session.status == LIMIT_EXCEEDED and session.exceeded_metric == limit.metric)
    )
    return LimitOut(
        limit_id=limit.limit_id or None,
        limit_type=limit.kind,
        metric_type=limit.metric,
        limit_value=limit.value,
        current_usage=used,
        reserved=session.reserved.get(limit.metric),
        remaining=max(0.0, limit.value - used),
        exceeded=exceeded if limit.kind == HARD else used > limit.value,
        warning_threshold=limit.warning_threshold,
        exceeded_at=iso(session.exceeded_at) if exceeded else None,
        exceeded_reason=f"{limit.metric} reached its hard limit" if exceeded else None,
        created_at=iso(limit.created_at or session.created_at),
    )


def session_out(session: Session, now: float) -> SessionOut:
    session = effective(session, now)
    return SessionOut(
        session_id=session.id,
        org_id=session.org_id,
        user_id=session.user_id,
        api_key_id=session.api_key_id,
        status=session.status,
        session_type=session.session_type,
        created_at=iso(session.created_at),
        expires_at=iso(session.expires_at),
        ended_at=iso(session.ended_at),
        limit_exceeded_reason=(
            f"{session.exceeded_metric} limit reached" if session.exceeded_metric else None
        ),
        current_usage=session.used.as_dict(),
        reserved_usage=session.reserved.as_dict(),
        limits=[limit_out(session, lim) for lim in session.limits],
        metadata=session.metadata,
        tracing_session_id=session.metadata.get("tracing_session_id"),
    )


def usage_records(entries: list[LedgerEntry], metric: str | None) -> list[UsageRecordOut]:
    return [
        UsageRecordOut(
            # A stable UUID per (entry, metric): the public client parses it with UUID().
            id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{entry.id}:{name}")),
            session_id=entry.session_id,
            metric_type=name,
            metric_value=entry.amounts.get(name),
            reference_type=entry.reference_type or entry.kind,
            reference_id=entry.reference_id or entry.id,
            org_id=entry.org_id,
            user_id=entry.user_id,
            model=entry.model,
            metadata=entry.metadata,
            created_at=iso(entry.created_at),
        )
        for entry in entries
        for name in METRICS
        if entry.amounts.get(name) and (metric is None or name == metric)
    ]


def ledger_out(entry: LedgerEntry) -> LedgerEntryOut:
    return LedgerEntryOut(
        id=entry.id,
        org_id=entry.org_id,
        user_id=entry.user_id,
        key_id=entry.key_id,
        session_id=entry.session_id,
        kind=entry.kind,
        model=entry.model,
        usage=entry.amounts.as_dict(),
        input_tokens=entry.input_tokens,
        output_tokens=entry.output_tokens,
        cached_tokens=entry.cached_tokens,
        reference_type=entry.reference_type,
        reference_id=entry.reference_id,
        metadata=entry.metadata,
        created_at=iso(entry.created_at),
    )


def charge_out(kind: str, charge, usage: Usage, *, settled: bool) -> ChargeOut:
    return ChargeOut(
        object=kind,
        reservation_id=charge.reservation_id,
        session_id=charge.session_id,
        warnings=list(charge.warnings),
        gpu_hours=usage.gpu_hours,
        api_calls=usage.api_calls,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        settled=settled,
    )


def to_json(value: Any) -> Any:
    """Any answer above (or a list of them) as JSON-ready data."""
    return converter.unstructure(value)


def from_json(data: Any, cls: type[T]) -> T:
    """An answer read back (the CLI's backend client); extra keys are ignored."""
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        messages = (
            cattrs.transform_error(exc)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        raise ValidationFailed(
            "unexpected answer from the backend: " + "; ".join(messages)
        ) from exc


# -- request bodies (structured with cattrs, extra keys refused) -------------------------------


LATEST_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second a timestamp can show


def parse_time(value, *, param: str) -> float | None:
    """An ISO 8601 string (``Z`` or offset; naive means UTC) or seconds since the epoch, as
    ``domain.timestamps.epoch`` reads it, with a 400 naming ``param`` for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= LATEST_EPOCH:
            raise InvalidInput(
                f"'{param}' in seconds since the epoch must be between 0 and {LATEST_EPOCH} "
                f"(9999-12-31), got {value!r}",
                param=param,
            )
    try:
        return epoch(value)
    except ValueError:
        raise InvalidInput(
            f"'{param}' must be an ISO 8601 time such as 2030-01-01T00:00:00Z, got {value!r}",
            param=param,
        ) from None


@define
class LimitIn:
    metric_type: str
    limit_value: float
    limit_type: str = HARD
    warning_threshold: float | None = None
    window_seconds: int | None = None
    limit_id: str | None = None

    def to_limit(self) -> Limit:
        if self.window_seconds is not None:
            raise InvalidInput(
                "rolling-window limits (window_seconds) are not supported — drop window_seconds; "
                "limits here cover the whole session",
                param="window_seconds",
            )
        if self.metric_type not in METRICS:
            raise InvalidInput(
                f"unknown metric_type {self.metric_type!r} — use one of {', '.join(METRICS)}",
                param="metric_type",
            )
        if self.limit_type not in ("hard", "soft"):
            raise InvalidInput(
                f"limit_type must be 'hard' or 'soft', got {self.limit_type!r}", param="limit_type"
            )
        if self.limit_type == HARD and self.limit_value == 0:
            raise InvalidInput(
                f"a hard {self.metric_type} limit of 0 would refuse every request — give a value "
                "> 0, or leave the limit out for no limit",
                param="limit_value",
            )
        return Limit(
            self.metric_type,
            self.limit_value,
            self.limit_type,
            self.limit_id or "",
            self.warning_threshold,
        )


@define
class CreateSessionIn:
    limits: list[LimitIn] | None = None
    session_type: str | None = None
    expires_at: str | float | None = None
    metadata: dict = field(factory=dict)
    make_active: bool = True
    tracing_session_id: str | None = None
    session_id: str | None = None
    org_id: str | None = None

    def to_command(self) -> StartSession:
        return StartSession(
            limits=None if self.limits is None else tuple(i.to_limit() for i in self.limits),
            session_type=self.session_type,
            expires_at=parse_time(self.expires_at, param="expires_at"),
            metadata=dict(self.metadata),
            make_active=self.make_active,
            session_id=self.session_id,
            org_id=self.org_id,
            tracing_session_id=self.tracing_session_id,
        )


@define
class IncreaseIn:
    metric_type: str
    increase_by: float


@define
class UsageIn:
    """A usage report or reservation from a job or worker."""

    gpu_hours: float = 0.0
    api_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    model: str | None = None
    gpu_type: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    metadata: dict = field(factory=dict)

    def usage(self) -> Usage:
        for name in ("gpu_hours", "api_calls", "input_tokens", "output_tokens", "cached_tokens"):
            value = getattr(self, name)
            if value < 0 or value != value:
                raise InvalidInput(f"'{name}' must be >= 0, got {value!r}", param=name)
        return Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_tokens=self.cached_tokens,
            gpu_hours=float(self.gpu_hours),
            api_calls=self.api_calls,
        )

    def metered(self) -> Metered:
        return Metered(
            model=self.model,
            kind="usage_report",
            gpu_type=self.gpu_type,
            reference_type=self.reference_type,
            reference_id=self.reference_id,
            metadata=dict(self.metadata),
        )
