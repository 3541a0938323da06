"""``/api/v1/sessions…``: start, list, show, end sessions and change their limits.

Wire-compatible with the public synth-ai client. A caller sees only its own sessions (same
org and user); ``current`` names the caller's current session wherever an id is expected.
"""

from __future__ import annotations

import re

from synth_ai.domain.errors import Conflict, Forbidden, InvalidInput
from synth_ai.domain.sessions import model as rules
from synth_ai.http.payload import query_int, read_object, send_json, structure
from synth_ai.http.session_wire import (
    CreateSessionIn,
    IncreaseIn,
    LimitIn,
    limit_json,
    parse_time,
    session_json,
    usage_records,
)

BASE = "/api/v1/sessions"
SESSION_ID = re.compile(rules.SESSION_ID_PATTERN)

LIMIT_SCHEMA = {
    "type": "object",
    "required": ["metric_type", "limit_value"],
    "properties": {
        "metric_type": {"enum": list(rules.METRICS)},
        "limit_value": {"type": "number", "minimum": 0},
        "limit_type": {"enum": ["hard", "soft"]},
        "warning_threshold": {"type": ["number", "null"]},
    },
}
CREATE_SCHEMA = {
    "type": "object",
    "properties": {
        "limits": {"type": "array", "items": LIMIT_SCHEMA},
        "session_type": {"type": "string"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "metadata": {"type": "object"},
        "make_active": {"type": "boolean", "default": True},
        "session_id": {"type": "string"},
    },
}
INCREASE_SCHEMA = {
    "type": "object",
    "required": ["metric_type", "increase_by"],
    "properties": {
        "metric_type": {"enum": list(rules.METRICS)},
        "increase_by": {"type": "number", "exclusiveMinimum": 0},
    },
}


class _Base:
    def __init__(self, container):
        self._container = container

    @property
    def guard(self):
        return self._container.session_guard()

    def now(self) -> float:
        return self.guard.clock.now()


class Sessions(_Base):
    def on_post(self, req, resp):
        payload = structure(read_object(req, required=False), CreateSessionIn)
        principal = req.context.principal
        guard = self.guard
        if payload.org_id and payload.org_id != principal.org_id:
            raise Forbidden(
                f"org_id {payload.org_id!r} is not the org of this API key ({principal.org_id})",
                param="org_id",
            )
        limits = None
        if payload.limits is not None:
            limits = tuple(item.to_limit() for item in payload.limits)
            rules.check_limits(limits)
        expires_at = parse_time(payload.expires_at, param="expires_at")
        if expires_at is not None and expires_at <= guard.clock.now():
            raise InvalidInput(
                f"expires_at {payload.expires_at!r} is in the past — give a future time",
                param="expires_at",
            )
        fields = {"expires_at": expires_at, "metadata": dict(payload.metadata)}
        if payload.tracing_session_id:
            fields["metadata"]["tracing_session_id"] = payload.tracing_session_id
        if payload.session_type:
            fields["session_type"] = payload.session_type
        if payload.session_id:
            if not SESSION_ID.match(payload.session_id) or payload.session_id == "current":
                raise InvalidInput(
                    f"session_id {payload.session_id!r} may hold only letters, digits and _.:- "
                    "(at most 128, not only dots, not 'current')",
                    param="session_id",
                )
            if guard.store.get(payload.session_id) is not None:
                raise Conflict(
                    f"session {payload.session_id!r} already exists — choose another id",
                    param="session_id",
                )
            fields["session_id"] = payload.session_id
        session = guard.new_session(principal, limits=limits, **fields)
        guard.store.create(session, make_active=payload.make_active)
        send_json(resp, session_json(session, self.now()), status=201)

    def on_get(self, req, resp):
        status = req.get_param("status")
        if status is not None and status not in rules.STATUSES:
            raise InvalidInput(
                f"status must be one of {', '.join(rules.STATUSES)}, got {status!r}", param="status"
            )
        principal = req.context.principal
        limit = query_int(req, "limit", 100, minimum=1, maximum=1000)
        offset = query_int(req, "offset", 0, minimum=0, maximum=10_000_000)
        now = self.now()
        found = self.guard.store.list(
            principal.org_id,
            user_id=principal.user_id,
            status=status,
            limit=limit,
            offset=offset,
            now=now,
        )
        send_json(resp, [session_json(s, now) for s in found])


class OneSession(_Base):
    def on_get(self, req, resp, session_id):
        send_json(
            resp, session_json(self.guard.owned(req.context.principal, session_id), self.now())
        )


class EndSession(_Base):
    def on_post(self, req, resp, session_id):
        session = self.guard.owned(req.context.principal, session_id)
        now = self.now()
        ended = self.guard.store.update(session.id, lambda s: rules.end(s, now))
        send_json(resp, session_json(ended, now))


class Limits(_Base):
    def on_get(self, req, resp, session_id):
        session = self.guard.owned(req.context.principal, session_id)
        send_json(resp, [limit_json(session, lim) for lim in session.limits])

    def on_post(self, req, resp, session_id):
        limit = structure(read_object(req), LimitIn).to_limit()
        session = self.guard.owned(req.context.principal, session_id)
        guard = self.guard
        limit = rules.Limit(
            limit.metric,
            limit.value,
            limit.kind,
            limit.limit_id or guard.ids.new_uuid(),
            limit.warning_threshold,
            guard.clock.now(),
        )
        changed = guard.store.update(
            session.id, lambda s: rules.set_limit(s, limit, limit.created_at)
        )
        send_json(resp, limit_json(changed, limit))


class IncreaseLimit(_Base):
    def on_post(self, req, resp, session_id):
        payload = structure(read_object(req), IncreaseIn)
        guard = self.guard
        session = guard.owned(req.context.principal, session_id)
        new_id, now = guard.ids.new_uuid(), guard.clock.now()
        changed = guard.store.update(
            session.id,
            lambda s: rules.increase_limit(
                s, payload.metric_type, payload.increase_by, limit_id=new_id, now=now
            ),
        )
        send_json(resp, limit_json(changed, changed.hard_limit(payload.metric_type)))


class SessionUsage(_Base):
    def on_get(self, req, resp, session_id):
        metric = req.get_param("metric_type")
        if metric is not None and metric not in rules.METRICS:
            raise InvalidInput(
                f"metric_type must be one of {', '.join(rules.METRICS)}, got {metric!r}",
                param="metric_type",
            )
        session = self.guard.owned(req.context.principal, session_id)
        limit = query_int(req, "limit", 100, minimum=1, maximum=1000)
        offset = query_int(req, "offset", 0, minimum=0, maximum=10_000_000)
        entries = self.guard.store.ledger(
            session.org_id, session_id=session.id, limit=limit, offset=offset
        )
        send_json(resp, usage_records(entries, metric))


ARRAY = {"type": "array", "items": {"type": "object"}}  # these routes answer a bare list


def register(app, container, spec) -> None:
    page = [
        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
    ]
    app.add_route(BASE, Sessions(container))
    spec.add(
        BASE,
        "POST",
        "Start a session (optionally making it the current one)",
        tag="sessions",
        request=CREATE_SCHEMA,
        status=201,
    )
    spec.add(
        BASE,
        "GET",
        "Your sessions, newest first",
        tag="sessions",
        response=ARRAY,
        parameters=[
            {"name": "status", "in": "query", "schema": {"enum": list(rules.STATUSES)}},
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
        app.add_route(BASE + suffix, resource(container))
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
