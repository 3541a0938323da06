"""``/api/v1/usage…``: the org-level usage ledger, and usage reports from jobs and workers.

A training job charges GPU hours under the same reserve-then-settle rule as chat traffic:
``POST /api/v1/usage/reservations`` before the work (429 when it would cross a hard limit),
``POST /api/v1/usage/reservations/{id}/settle`` with what it really used. ``POST
/api/v1/usage/report`` does both at once for usage already incurred.
"""

from __future__ import annotations

from synth_ai.adapters.wire.sessions import UsageIn, charge_out, ledger_out, to_json
from synth_ai.domain.sessions.budget import Budget
from synth_ai.domain.sessions.service import Page, SessionService
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import IntParam, query_bool, read_object, send_json, structure

USAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "gpu_hours": {"type": "number", "minimum": 0},
        "api_calls": {"type": "integer", "minimum": 0},
        "input_tokens": {"type": "integer", "minimum": 0},
        "output_tokens": {"type": "integer", "minimum": 0},
        "cached_tokens": {"type": "integer", "minimum": 0},
        "model": {"type": ["string", "null"]},
        "gpu_type": {"type": ["string", "null"]},
        "reference_type": {"type": ["string", "null"]},
        "reference_id": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
    },
}
# A report or reservation must carry some usage: one of these above 0.
SOME_USAGE = {
    **USAGE_SCHEMA,
    "anyOf": [
        {"required": [name], "properties": {name: {"exclusiveMinimum": 0}}}
        for name in ("gpu_hours", "api_calls", "input_tokens", "output_tokens")
    ],
}
LIMIT = IntParam("limit", 100, 1, 1000)
OFFSET = IntParam("offset", 0, 0, 10_000_000)
SESSION_HEADERS = [
    {"name": "X-Session-ID", "in": "header", "schema": {"type": "string"}},
    {"name": "X-No-Session", "in": "header", "schema": {"type": "string"}},
]


class Ledger:
    def __init__(self, sessions: SessionService):
        self._sessions = sessions

    def on_get(self, req, resp):
        entries = self._sessions.ledger(
            req.context.principal,
            session_id=req.get_param("session_id"),
            no_session=query_bool(req, "no_session"),
            page=Page(limit=LIMIT.read(req), offset=OFFSET.read(req)),
        )
        send_json(resp, {"object": "list", "data": to_json([ledger_out(e) for e in entries])})


class Reservations:
    cost_incurring = True

    def __init__(self, budget: Budget):
        self._budget = budget

    def on_post(self, req, resp):
        payload = structure(read_object(req), UsageIn)
        usage = payload.usage()
        charge = self._budget.reserve_reported(meter_of(req), usage, payload.metered())
        out = charge_out("usage_reservation", charge, usage, settled=charge.reservation_id is None)
        send_json(resp, to_json(out), status=201)


class SettleReservation:
    def __init__(self, budget: Budget):
        self._budget = budget

    def on_post(self, req, resp, reservation_id):
        usage = structure(read_object(req, required=False), UsageIn).usage()
        self._budget.settle_reservation(req.context.principal, reservation_id, usage)
        send_json(
            resp,
            {
                "object": "usage_settlement",
                "reservation_id": reservation_id,
                "settled": True,
                "gpu_hours": usage.gpu_hours,
                "api_calls": usage.api_calls,
            },
        )


class Report:
    cost_incurring = True

    def __init__(self, budget: Budget):
        self._budget = budget

    def on_post(self, req, resp):
        payload = structure(read_object(req), UsageIn)
        usage = payload.usage()
        charge = self._budget.report(meter_of(req), usage, payload.metered())
        send_json(
            resp, to_json(charge_out("usage_report", charge, usage, settled=True)), status=201
        )


def register(app, spec, *, sessions: SessionService, budget: Budget) -> None:
    app.add_route("/api/v1/usage", Ledger(sessions))
    spec.add(
        "/api/v1/usage",
        "GET",
        "The org-level usage ledger (every settled charge, with or without a session)",
        tag="usage",
        parameters=[
            {"name": "session_id", "in": "query", "schema": {"type": "string"}},
            {"name": "no_session", "in": "query", "schema": {"type": "boolean"}},
            LIMIT.parameter(),
            OFFSET.parameter(),
        ],
    )
    app.add_route("/api/v1/usage/report", Report(budget))
    spec.add(
        "/api/v1/usage/report",
        "POST",
        "Charge usage already incurred (reserve and settle at once; 429 past a hard limit)",
        tag="usage",
        request=SOME_USAGE,
        status=201,
        parameters=SESSION_HEADERS,
    )
    app.add_route("/api/v1/usage/reservations", Reservations(budget))
    spec.add(
        "/api/v1/usage/reservations",
        "POST",
        "Reserve usage before a job spends it (429 past a hard limit)",
        tag="usage",
        request=SOME_USAGE,
        status=201,
        parameters=SESSION_HEADERS,
    )
    path = "/api/v1/usage/reservations/{reservation_id}/settle"
    app.add_route(path, SettleReservation(budget))
    spec.add(
        path,
        "POST",
        "Settle a reservation with the usage really incurred",
        tag="usage",
        request=USAGE_SCHEMA,
        body_required=False,
    )
