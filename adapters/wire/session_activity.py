"""A session's activity on the wire, for the dashboard: open reservations, spend over time."""

from __future__ import annotations

from typing import Any

from synth_ai.adapters.wire.sessions import limit_out, to_json
from synth_ai.domain.sessions.model import Reservation, Session
from synth_ai.domain.sessions.spend import SpendPoint
from synth_ai.domain.timestamps import iso


def reservation_to_wire(reservation: Reservation) -> dict[str, Any]:
    return {
        "reservation_id": reservation.id,
        "kind": reservation.kind,
        "model": reservation.model,
        "reserved": reservation.amounts.as_dict(),
        "progress": reservation.progress.as_dict(),
        "created_at": iso(reservation.created_at),
        "lease_expires_at": iso(reservation.expires_at),
        "reference_type": reservation.reference_type,
        "reference_id": reservation.reference_id,
    }


def reservations_to_wire(session: Session, reservations: list[Reservation]) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "reservations": [reservation_to_wire(r) for r in reservations],
    }


def spend_to_wire(
    session: Session, series: list[SpendPoint], *, bucket_s: int | None, truncated: bool
) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "limits": to_json([limit_out(session, limit) for limit in session.limits]),
        "used": session.used.as_dict(),
        "reserved": session.reserved.as_dict(),
        "bucket_s": bucket_s,
        "truncated": truncated,
        "series": [
            {
                "t": point.t,
                "cost_usd": point.amounts.cost_usd,
                "tokens": point.amounts.tokens,
                "api_calls": point.amounts.api_calls,
            }
            for point in series
        ],
    }
