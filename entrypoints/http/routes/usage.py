"""``/api/v1/usage…``: the org-level usage ledger, and usage reports from jobs and workers.

A training job charges GPU hours under the same reserve-then-settle rule as chat traffic:
``POST /api/v1/usage/reservations`` before the work (429 when it would cross a hard limit),
``POST /api/v1/usage/reservations/{id}/settle`` with what it really used. ``POST
/api/v1/usage/report`` does both at once for usage already incurred.
"""

from __future__ import annotations

from attrs import define, field
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.sessions.budget import Metered
from synth_ai.domain.sessions.usage import Usage
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import query_int, read_object, send_json, structure
from synth_ai.http.session_wire import ledger_json

TRUTHY = {"1", "true", "yes", "on"}

USAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "gpu_hours": {"type": "number", "minimum": 0},
        "api_calls": {"type": "integer", "minimum": 0},
        "input_tokens": {"type": "integer", "minimum": 0},
        "output_tokens": {"type": "integer", "minimum": 0},
        "cached_tokens": {"type": "integer", "minimum": 0},
        "model": {"type": "string"},
        "gpu_type": {"type": "string"},
        "reference_type": {"type": "string"},
        "reference_id": {"type": "string"},
        "metadata": {"type": "object"},
    },
}
SESSION_HEADERS = [
    {"name": "X-Session-ID", "in": "header", "schema": {"type": "string"}},
    {"name": "X-No-Session", "in": "header", "schema": {"type": "string"}},
]


@define
class UsageIn:
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

    def usage(self, *, allow_zero: bool = False) -> Usage:
        for name in ("gpu_hours", "api_calls", "input_tokens", "output_tokens", "cached_tokens"):
            value = getattr(self, name)
            if value < 0 or value != value:
                raise InvalidInput(f"'{name}' must be >= 0, got {value!r}", param=name)
        usage = Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_tokens=self.cached_tokens,
            gpu_hours=float(self.gpu_hours),
            api_calls=self.api_calls,
        )
        if not allow_zero and not (usage.total_tokens or usage.gpu_hours or usage.api_calls):
            raise InvalidInput(
                "report some usage: gpu_hours, api_calls, input_tokens or output_tokens > 0"
            )
        return usage

    def metered(self) -> Metered:
        return Metered(
            model=self.model,
            kind="usage_report",
            gpu_type=self.gpu_type,
            reference_type=self.reference_type,
            reference_id=self.reference_id,
            metadata=dict(self.metadata),
        )


def _charge_json(charge, usage: Usage) -> dict:
    return {
        "reservation_id": charge.reservation_id,
        "session_id": charge.session_id,
        "warnings": charge.warnings,
        "gpu_hours": usage.gpu_hours,
        "api_calls": usage.api_calls,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
    }


class Ledger:
    def __init__(self, container):
        self._container = container

    def on_get(self, req, resp):
        principal = req.context.principal
        no_session = (req.get_param("no_session") or "").lower() in TRUTHY
        entries = self._container.session_store().ledger(
            principal.org_id,
            session_id=req.get_param("session_id"),
            no_session=no_session,
            limit=query_int(req, "limit", 100, minimum=1, maximum=1000),
            offset=query_int(req, "offset", 0, minimum=0, maximum=10_000_000),
        )
        send_json(resp, {"object": "list", "data": [ledger_json(e) for e in entries]})


class Reservations:
    cost_incurring = True

    def on_post(self, req, resp):
        payload = structure(read_object(req), UsageIn)
        usage = payload.usage()
        charge = meter_of(req).reserve_usage(usage, payload.metered())
        if charge.reservation_id is None:  # opted out: nothing to hold, recorded when settled
            charge.settle(usage)
        send_json(
            resp,
            {
                "object": "usage_reservation",
                **_charge_json(charge, usage),
                "settled": charge.reservation_id is None,
            },
            status=201,
        )


class SettleReservation:
    def __init__(self, container):
        self._container = container

    def on_post(self, req, resp, reservation_id):
        payload = structure(read_object(req, required=False), UsageIn)
        usage = payload.usage(allow_zero=True)
        guard = self._container.session_guard()
        guard.settle_reservation(req.context.principal, reservation_id, usage)
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

    def on_post(self, req, resp):
        payload = structure(read_object(req), UsageIn)
        usage = payload.usage()
        charge = meter_of(req).reserve_usage(usage, payload.metered())
        charge.settle(usage)
        send_json(
            resp,
            {"object": "usage_report", **_charge_json(charge, usage), "settled": True},
            status=201,
        )


def register(app, container, spec) -> None:
    app.add_route("/api/v1/usage", Ledger(container))
    spec.add(
        "/api/v1/usage",
        "GET",
        "The org-level usage ledger (every settled charge, with or without a session)",
        tag="usage",
        parameters=[
            {"name": n, "in": "query", "schema": {"type": t}}
            for n, t in (
                ("session_id", "string"),
                ("no_session", "boolean"),
                ("limit", "integer"),
                ("offset", "integer"),
            )
        ],
    )
    app.add_route("/api/v1/usage/report", Report())
    spec.add(
        "/api/v1/usage/report",
        "POST",
        "Charge usage already incurred (reserve and settle at once; 429 past a hard limit)",
        tag="usage",
        request=USAGE_SCHEMA,
        status=201,
        parameters=SESSION_HEADERS,
    )
    app.add_route("/api/v1/usage/reservations", Reservations())
    spec.add(
        "/api/v1/usage/reservations",
        "POST",
        "Reserve usage before a job spends it (429 past a hard limit)",
        tag="usage",
        request=USAGE_SCHEMA,
        status=201,
        parameters=SESSION_HEADERS,
    )
    path = "/api/v1/usage/reservations/{reservation_id}/settle"
    app.add_route(path, SettleReservation(container))
    spec.add(
        path,
        "POST",
        "Settle a reservation with the usage really incurred",
        tag="usage",
        request=USAGE_SCHEMA,
    )
