"""``/api/v1/sessions/{id}/reservations`` and ``/spend``: what a session holds and has spent.

For the dashboard: the reservations in flight, and the cumulative spend over time against the
session's limits. A caller sees only its own sessions (``current`` names the current one).
"""

from __future__ import annotations

from synth_ai.adapters.wire.session_activity import reservations_to_wire, spend_to_wire
from synth_ai.domain.sessions.service import SessionService
from synth_ai.http.payload import query_int, send_json

BASE = "/api/v1/sessions/{session_id}"
MAX_BUCKET_S = 86_400


class SessionReservations:
    def __init__(self, sessions: SessionService):
        self._sessions = sessions

    def on_get(self, req, resp, session_id):
        session, held = self._sessions.reservations(req.context.principal, session_id)
        send_json(resp, reservations_to_wire(session, held))


class SessionSpend:
    def __init__(self, sessions: SessionService):
        self._sessions = sessions

    def on_get(self, req, resp, session_id):
        bucket_s = None
        if "bucket_s" in req.params:  # absent: no buckets; empty or not a number: a 400
            bucket_s = query_int(req, "bucket_s", 0, minimum=1, maximum=MAX_BUCKET_S)
        session, series, truncated = self._sessions.spend(
            req.context.principal, session_id, bucket_s
        )
        send_json(resp, spend_to_wire(session, series, bucket_s=bucket_s, truncated=truncated))


def register(app, spec, *, sessions: SessionService) -> None:
    app.add_route(f"{BASE}/reservations", SessionReservations(sessions))
    spec.add(
        f"{BASE}/reservations",
        "GET",
        "The reservations a session holds now (requests in flight), oldest first",
        tag="sessions",
    )
    app.add_route(f"{BASE}/spend", SessionSpend(sessions))
    spec.add(
        f"{BASE}/spend",
        "GET",
        "A session's cumulative spend over time (?bucket_s) and its limits with current usage",
        tag="sessions",
        parameters=[
            {
                "name": "bucket_s",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_BUCKET_S},
            }
        ],
    )
