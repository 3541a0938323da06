"""Sessions on the wire, in the shapes of the public synth-ai client (``AgentSession``)."""

from __future__ import annotations

from datetime import UTC, datetime

from attrs import define, field
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.ledger import LedgerEntry
from synth_ai.domain.sessions.model import HARD, METRICS, Limit, Session, effective
from synth_ai.domain.timestamps import iso


def parse_time(value, *, param: str) -> float | None:
    """An ISO 8601 string (``Z`` or offset; naive means UTC) or seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    raise InvalidInput(
        f"'{param}' must be an ISO 8601 time such as 2030-01-01T00:00:00Z, got {value!r}",
        param=param,
    )


def limit_json(session: Session, limit: Limit) -> dict:
    used = session.used.get(limit.metric)
    # Exceeded: usage reached it, or the session was stopped on it (the next request's worst
    # case no longer fitted).
    exceeded = limit.kind == HARD and (
        used >= limit.value
        or (session.status == "limit_exceeded" and session.exceeded_metric == limit.metric)
    )
    return {
        "limit_id": limit.limit_id or None,
        "limit_type": limit.kind,
        "metric_type": limit.metric,
        "limit_value": limit.value,
        "current_usage": used,
        "reserved": session.reserved.get(limit.metric),
        "remaining": max(0.0, limit.value - used),
        "exceeded": exceeded if limit.kind == HARD else used > limit.value,
        "warning_threshold": limit.warning_threshold,
        "window_seconds": None,
        "exceeded_at": iso(session.exceeded_at) if exceeded else None,
        "exceeded_reason": f"{limit.metric} reached its hard limit" if exceeded else None,
        "created_at": iso(limit.created_at or session.created_at),
        "expires_at": None,
    }


def session_json(session: Session, now: float) -> dict:
    session = effective(session, now)
    return {
        "session_id": session.id,
        "object": "session",
        "org_id": session.org_id,
        "user_id": session.user_id,
        "api_key_id": session.api_key_id,
        "status": session.status,
        "session_type": session.session_type,
        "created_at": iso(session.created_at),
        "expires_at": iso(session.expires_at),
        "ended_at": iso(session.ended_at),
        "limit_exceeded_reason": (
            f"{session.exceeded_metric} limit reached" if session.exceeded_metric else None
        ),
        "current_usage": session.used.as_dict(),
        "reserved_usage": session.reserved.as_dict(),
        "limits": [limit_json(session, lim) for lim in session.limits],
        "metadata": session.metadata,
        "tracing_session_id": session.metadata.get("tracing_session_id"),
    }


def ledger_json(entry: LedgerEntry) -> dict:
    return {
        "id": entry.id,
        "object": "usage_entry",
        "org_id": entry.org_id,
        "user_id": entry.user_id,
        "key_id": entry.key_id,
        "session_id": entry.session_id,
        "kind": entry.kind,
        "model": entry.model,
        "usage": entry.amounts.as_dict(),
        "input_tokens": entry.input_tokens,
        "output_tokens": entry.output_tokens,
        "cached_tokens": entry.cached_tokens,
        "reference_type": entry.reference_type,
        "reference_id": entry.reference_id,
        "metadata": entry.metadata,
        "created_at": iso(entry.created_at),
    }


def usage_records(entries: list[LedgerEntry], metric: str | None) -> list[dict]:
    records = []
    for entry in entries:
        for record in entry.records():
            if metric is None or record["metric_type"] == metric:
                records.append({**record, "created_at": iso(record["created_at"])})
    return records


# -- request bodies (structured with cattrs, extra keys refused) -----------------------------


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


@define
class IncreaseIn:
    metric_type: str
    increase_by: float
