"""The pure rules of sessions: the reservation rule, settling, ending, and changing limits.

A request first *reserves* its worst case; the reservation is refused when
``used + reserved + requested`` would cross a hard limit, so concurrent requests can never
settle past it. After the call the real usage is *settled* and the reservation released.

Every function here is pure: stores load a session, apply one of these rules inside their own
atomic step, and save the result (the Redis adapter mirrors the two hot rules in Lua; the
contract tests hold both to the same behaviour).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from attrs import evolve
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.errors import SessionNotActive
from synth_ai.domain.sessions.model import (
    ACTIVE,
    CURRENT,
    ENDED,
    EPSILON,
    EXPIRED,
    HARD,
    LIMIT_EXCEEDED,
    SOFT,
    Amounts,
    Decision,
    Limit,
    Refusal,
    Session,
    check_metric,
    fmt_number,
)


def effective(session: Session, now: float) -> Session:
    """The session as of ``now``: a current session past its ``expires_at`` is expired."""
    if session.status in CURRENT and session.expires_at is not None and now >= session.expires_at:
        return evolve(session, status=EXPIRED, ended_at=session.expires_at)
    return session


def stored_statuses(status: str) -> tuple[str, ...]:
    """The stored statuses of sessions that ``effective`` may report as ``status``: a session
    past its ``expires_at`` is still stored as current until something touches it."""
    return (EXPIRED, *CURRENT) if status == EXPIRED else (status,)


def with_status(sessions: Iterable[Session], status: str | None, now: float) -> list[Session]:
    """``sessions`` whose status as of ``now`` is ``status`` (all when None)."""
    return [s for s in sessions if status is None or effective(s, now).status == status]


def decide_reservation(session: Session, amounts: Amounts, now: float) -> Decision:
    """The reservation rule. Refuses when a hard limit would be crossed by
    ``used + reserved + amounts``; otherwise adds ``amounts`` to ``reserved``.

    A refusal with nothing else in flight on that metric marks the session ``limit_exceeded``
    (no pending settlement can make room), so later requests are refused at once.
    """
    session = effective(session, now)
    if session.status in (ENDED, EXPIRED):
        return Decision(
            session,
            inactive=SessionNotActive(
                f"session {session.id} is {session.status} — start a new one with 'synth-ai session start' "
                "or send no X-Session-ID to use your current session",
                param="X-Session-ID",
            ),
        )
    if session.status == LIMIT_EXCEEDED:
        metric = session.exceeded_metric or next(
            (lim.metric for lim in session.limits if lim.kind == HARD), "cost_usd"
        )
        limit = session.hard_limit(metric)
        return Decision(
            session,
            refusal=Refusal(
                session.id,
                metric,
                limit.value if limit else 0.0,
                session.used.get(metric),
                amounts.get(metric),
                session.reserved.get(metric),
            ),
        )
    for limit in session.limits:
        if limit.kind != HARD:
            continue
        requested = amounts.get(limit.metric)
        used, reserved = session.used.get(limit.metric), session.reserved.get(limit.metric)
        if used + reserved + requested > limit.value + EPSILON:
            refusal = Refusal(session.id, limit.metric, limit.value, used, requested, reserved)
            if reserved <= EPSILON:
                session = evolve(
                    session, status=LIMIT_EXCEEDED, exceeded_metric=limit.metric, exceeded_at=now
                )
            return Decision(session, refusal=refusal)
    reserved_after = session.reserved + amounts
    return Decision(
        evolve(session, reserved=reserved_after),
        warnings=_warnings(session.limits, session.used, reserved_after),
    )


def _warnings(limits: tuple[Limit, ...], used: Amounts, reserved: Amounts) -> tuple[str, ...]:
    """Soft limits passed, and hard limits past their ``warning_threshold`` (same units)."""
    found = []
    for lim in limits:
        spent, held = used.get(lim.metric), reserved.get(lim.metric)
        if lim.kind == SOFT and spent + held > lim.value + EPSILON:
            found.append(
                f"soft {lim.metric} limit {fmt_number(lim.value)} reached (used {fmt_number(spent)}, "
                f"in flight {fmt_number(held)})"
            )
        elif (
            lim.kind == HARD
            and lim.warning_threshold is not None
            and spent + held > lim.warning_threshold + EPSILON
        ):
            found.append(
                f"{lim.metric} passed its warning threshold {fmt_number(lim.warning_threshold)} of the hard "
                f"limit {fmt_number(lim.value)} (used {fmt_number(spent)}, in flight {fmt_number(held)})"
            )
    return tuple(found)


def settle(session: Session, reserved: Amounts, actual: Amounts, now: float) -> Session:
    """Release a reservation and add the real usage; reaching a hard limit ends the spending."""
    session = evolve(session, reserved=session.reserved.minus(reserved), used=session.used + actual)
    if session.status == ACTIVE:
        for limit in session.limits:
            if limit.kind == HARD and session.used.get(limit.metric) >= limit.value - EPSILON:
                return evolve(
                    session, status=LIMIT_EXCEEDED, exceeded_metric=limit.metric, exceeded_at=now
                )
    return session


def end(session: Session, now: float) -> Session:
    session = effective(session, now)
    if session.status in (ENDED, EXPIRED):
        raise SessionNotActive(f"session {session.id} is already {session.status}")
    return evolve(session, status=ENDED, ended_at=now)


def _recheck(session: Session, now: float) -> Session:
    """After a limit changed: reactivate a limit_exceeded session once every hard limit has
    room again, and stop an active one whose usage already reaches a (lowered) hard limit."""
    if session.status not in CURRENT:
        return session
    for limit in session.limits:
        if limit.kind == HARD and session.used.get(limit.metric) >= limit.value - EPSILON:
            if session.status == ACTIVE:
                return evolve(
                    session, status=LIMIT_EXCEEDED, exceeded_metric=limit.metric, exceeded_at=now
                )
            return evolve(session, exceeded_metric=limit.metric)
    if session.status == ACTIVE:
        return session
    return evolve(session, status=ACTIVE, exceeded_metric=None, exceeded_at=None)


def set_limit(session: Session, limit: Limit, now: float = 0.0) -> Session:
    """Add a limit, replacing the one on the same metric and kind."""
    _require_open(session)
    same = [
        i
        for i, lim in enumerate(session.limits)
        if (lim.metric, lim.kind) == (limit.metric, limit.kind)
    ]
    limits = list(session.limits)
    if same:
        limits[same[0]] = limit  # keep the order the limits were given in
    else:
        limits.append(limit)
    return _recheck(evolve(session, limits=tuple(limits)), now)


def increase_limit(
    session: Session, metric: str, increase_by: float, *, limit_id: str = "", now: float = 0.0
) -> Session:
    """Raise the hard limit on ``metric`` (creating it from current usage when absent)."""
    check_metric(None, None, metric)
    if (
        not isinstance(increase_by, int | float)
        or isinstance(increase_by, bool)
        or not math.isfinite(increase_by)
        or not increase_by > 0
    ):
        raise InvalidInput(
            f"increase_by must be a finite number > 0, got {increase_by!r}", param="increase_by"
        )
    _require_open(session)
    current = session.hard_limit(metric)
    if current is None:
        raised = Limit(
            metric, session.used.get(metric) + increase_by, HARD, limit_id, created_at=now
        )
    else:
        raised = evolve(current, value=current.value + increase_by)
    return set_limit(session, raised, now)


def _require_open(session: Session) -> None:
    if session.status in (ENDED, EXPIRED):
        raise SessionNotActive(
            f"session {session.id} is {session.status}; its limits can no longer change"
        )


def check_limits(limits: tuple[Limit, ...]) -> None:
    seen = set()
    for limit in limits:
        key = (limit.metric, limit.kind)
        if key in seen:
            raise InvalidInput(
                f"two {limit.kind} limits on {limit.metric} — give one per metric and kind",
                param="limits",
            )
        seen.add(key)
