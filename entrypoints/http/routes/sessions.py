"""``/api/v1/sessions…``: start, list, show, end sessions and change their limits.

Wire-compatible with the public synth-ai client. A caller sees only its own sessions (same
org and user); ``current`` names the caller's current session wherever an id is expected.
"""

from __future__ import annotations

from synth_ai.adapters.wire.sessions import (
    LATEST_EPOCH,
    CreateSessionIn,
    IncreaseIn,
    LimitIn,
    limit_out,
    session_out,
    to_json,
    usage_records,
)
from synth_ai.domain.sessions.model import METRICS, SESSION_ID_PATTERN, STATUSES
from synth_ai.domain.sessions.service import Page, SessionService
from synth_ai.http.payload import IntParam, read_object, send_json, structure

BASE = "/api/v1/sessions"

LIMIT_SCHEMA = {
    "type": "object",
    "required": ["metric_type", "limit_value"],
    "additionalProperties": False,
    "properties": {
        "metric_type": {"enum": list(METRICS)},
        "limit_value": {"type": "number", "minimum": 0},
        "limit_type": {"enum": ["hard", "soft"], "default": "hard"},
        "warning_threshold": {"type": ["number", "null"]},
        "limit_id": {"type": ["string", "null"]},
        "window_seconds": {"type": "null", "description": "rolling windows are not supported"},
    },
    # A hard limit of 0 would refuse every request: only a soft limit may be 0.
    "anyOf": [
        {"required": ["limit_type"], "properties": {"limit_type": {"const": "soft"}}},
        {"properties": {"limit_value": {"exclusiveMinimum": 0}}},
    ],
}
CREATE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "limits": {"type": ["array", "null"], "items": LIMIT_SCHEMA},
        "session_type": {"type": ["string", "null"]},
        "expires_at": {
            "description": "a future time: ISO 8601, or seconds since the epoch",
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "number", "minimum": 0, "maximum": LATEST_EPOCH},
                {"type": "null"},
            ],
        },
        "metadata": {"type": "object"},
        "make_active": {"type": "boolean", "default": True},
        "session_id": {
            "type": ["string", "null"],
            "pattern": f"^$|{SESSION_ID_PATTERN}",
            "description": "empty or null: a new id",
            "not": {"const": "current"},
        },
        "tracing_session_id": {"type": ["string", "null"]},
        "org_id": {"type": ["string", "null"], "description": "must be the API key's org"},
    },
}
INCREASE_SCHEMA = {
    "type": "object",
    "required": ["metric_type", "increase_by"],
    "additionalProperties": False,
    "properties": {
        "metric_type": {"enum": list(METRICS)},
        "increase_by": {"type": "number", "exclusiveMinimum": 0},
    },
}
LIMIT = IntParam("limit", 100, 1, 1000)
OFFSET = IntParam("offset", 0, 0, 10_000_000)


class _Resource:
    def __init__(self, sessions: SessionService):
        self._sessions = sessions

    def _out(self, session) -> dict:
        return to_json(session_out(session, self._sessions.clock.now()))


def _page(req) -> Page:
    return Page(limit=LIMIT.read(req), offset=OFFSET.read(req))


class Sessions(_Resource):
    def on_post(self, req, resp):
        payload = structure(read_object(req, required=False), CreateSessionIn)
        session = self._sessions.start(req.context.principal, payload.to_command())
        send_json(resp, self._out(session), status=201)

    def on_get(self, req, resp):
        found = self._sessions.list(req.context.principal, req.get_param("status"), _page(req))
        send_json(resp, [self._out(s) for s in found])


class OneSession(_Resource):
    def on_get(self, req, resp, session_id):
        send_json(resp, self._out(self._sessions.show(req.context.principal, session_id)))


class EndSession(_Resource):
    def on_post(self, req, resp, session_id):
        send_json(resp, self._out(self._sessions.end(req.context.principal, session_id)))


class Limits(_Resource):
    def on_get(self, req, resp, session_id):
        session = self._sessions.show(req.context.principal, session_id)
        send_json(resp, to_json([limit_out(session, lim) for lim in session.limits]))

    def on_post(self, req, resp, session_id):
        limit = structure(read_object(req), LimitIn).to_limit()
        changed, stored = self._sessions.set_limit(req.context.principal, session_id, limit)
        send_json(resp, to_json(limit_out(changed, stored)))


class IncreaseLimit(_Resource):
    def on_post(self, req, resp, session_id):
        payload = structure(read_object(req), IncreaseIn)
        changed, raised = self._sessions.increase_limit(
            req.context.principal, session_id, payload.metric_type, payload.increase_by
        )
        send_json(resp, to_json(limit_out(changed, raised)))


class SessionUsage(_Resource):
    def on_get(self, req, resp, session_id):
        metric = req.get_param("metric_type")
        entries = self._sessions.usage(req.context.principal, session_id, metric, _page(req))
        send_json(resp, to_json(usage_records(entries, metric)))


ARRAY = {"type": "array", "items": {"type": "object"}}  # these routes answer a bare list


def register(app, spec, *, sessions: SessionService) -> None:
    page = [LIMIT.parameter(), OFFSET.parameter()]
    app.add_route(BASE, Sessions(sessions))
    spec.add(
        BASE,
        "POST",
        "Start a session (optionally making it the current one)",
        tag="sessions",
        request=CREATE_SCHEMA,
        body_required=False,
        status=201,
    )
    spec.add(
        BASE,
        "GET",
        "Your sessions, newest first",
        tag="sessions",
        response=ARRAY,
        parameters=[
            {"name": "status", "in": "query", "schema": {"enum": list(STATUSES)}},
            *page,
        ],
    )
    routes = [
        ("/{session_id}", OneSession, [("GET", "A session with its usage and limits", None)]),
        ("/{session_id}/end", EndSession, [("POST", "End a session", None)]),
        (
            "/{session_id}/limits",
            Limits,
            [
                ("GET", "A session's limits with usage against each", None, ARRAY),
                ("POST", "Add or replace a limit", LIMIT_SCHEMA),
            ],
        ),
        (
            "/{session_id}/limits/increase",
            IncreaseLimit,
            [
                (
                    "POST",
                    "Raise a hard limit (reactivates a limit_exceeded session)",
                    INCREASE_SCHEMA,
                )
            ],
        ),
        (
            "/{session_id}/usage",
            SessionUsage,
            [("GET", "Usage records charged to a session", None, ARRAY)],
        ),
    ]
    for suffix, resource, operations in routes:
        app.add_route(BASE + suffix, resource(sessions))
        for method, summary, schema, *response in operations:
            spec.add(
                BASE + suffix,
                method,
                summary,
                tag="sessions",
                request=schema,
                response=response[0] if response else None,
                parameters=page if suffix.endswith("/usage") else None,
            )
