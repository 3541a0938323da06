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
from synth_ai.domain.sessions.errors import NoLimitToRaise, SessionNotActive
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
    LedgerEntry,
    Limit,
    Refusal,
    Reservation,
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

    A refusal changes nothing: one request too large for what is left does not stop the session
    (``limit_exceeded`` means a limit is used up, which only settling can do).
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
            return Decision(session, refusal=refusal)
    reserved_after = session.reserved + amounts
    return Decision(
        evolve(session, reserved=reserved_after),
        warnings=_warnings(session.limits, session.used, reserved_after),
    )


def affordable_output(session: Session, fixed: Amounts, per_token: Amounts, wanted: int) -> int:
    """How many output tokens (at most ``wanted``) a request may reserve: its ``fixed`` part
    (prompt, one API call) and ``per_token`` of output must fit under every hard limit beside
    what is used and in flight. 0 when not even the fixed part fits."""
    best = wanted
    for limit in session.limits:
        if limit.kind != HARD:
            continue
        room = (
            limit.value
            - session.used.get(limit.metric)
            - session.reserved.get(limit.metric)
            - fixed.get(limit.metric)
        )
        if room < -EPSILON:
            return 0
        per = per_token.get(limit.metric)
        if per > 0:
            fits = (max(room, 0.0) + EPSILON) / per  # inf under a limit too large to bind
            if fits < best:
                best = math.floor(fits)
    return max(0, best)


def mark_used_up(
    session: Session, fixed: Amounts, per_token: Amounts, minimum: int, now: float
) -> Session:
    """Mark an active session ``limit_exceeded`` when not even the smallest request (``fixed``
    plus ``minimum`` output tokens) fits any more with nothing in flight: what is left of a
    hard limit is dust no request can use. Otherwise unchanged (a refusal of one large request
    never stops the session)."""
    if session.status != ACTIVE or session.reserved != Amounts():
        return session
    for limit in session.limits:
        if limit.kind != HARD:
            continue
        alone = Session(
            session.id, session.org_id, session.user_id, 0.0, limits=(limit,), used=session.used
        )
        if affordable_output(alone, fixed, per_token, minimum) < minimum:
            return evolve(
                session, status=LIMIT_EXCEEDED, exceeded_metric=limit.metric, exceeded_at=now
            )
    return session


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


def lapse(session: Session, held: Reservation, now: float) -> tuple[Session, LedgerEntry | None]:
    """Release a reservation whose lease lapsed (its request's process died), charging the
    ``progress`` its last renewal reported; the ledger entry (kind ``lapsed``) says so."""
    session = settle(session, held.amounts, held.progress, now)
    if held.progress == Amounts():
        return session, None
    entry = LedgerEntry(
        f"lapsed-{held.id}",
        held.org_id,
        held.user_id,
        held.progress,
        now,
        session_id=held.session_id,
        key_id=held.key_id,
        model=held.model,
        kind="lapsed",
        reference_type=held.reference_type,
        reference_id=held.reference_id,
        metadata={"reservation_id": held.id},
    )
    return session, entry


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
    """Raise the hard limit on ``metric``. A metric without a hard limit is unlimited, so there
    is nothing to raise: creating one would lower it (``NoLimitToRaise``)."""
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
        raise NoLimitToRaise(
            f"session {session.id} has no hard {metric} limit to raise: {metric} is unlimited — "
            f"to cap it, add a limit with POST /api/v1/sessions/{session.id}/limits",
            param="metric_type",
        )
    return set_limit(session, evolve(current, value=current.value + increase_by), now)


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
