"""``/health``, ``/api/v1/me`` and ``/openapi.json``."""

from __future__ import annotations

from collections.abc import Sequence

from synth_ai import __version__
from synth_ai.http.payload import send_json
from synth_ai.ports.health import HealthCheck

HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "healthy", "service", "version", "checks"],
    "properties": {
        "status": {"enum": ["ok", "unhealthy"]},
        "healthy": {"type": "boolean"},
        "service": {"type": "string"},
        "version": {"type": "string"},
        "checks": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["ok", "detail"],
                "properties": {"ok": {"type": "boolean"}, "detail": {"type": "string"}},
            },
        },
    },
}


class Health:
    """200 while every store can serve requests, 503 (with which one failed) otherwise."""

    auth_required = False

    def __init__(self, checks: Sequence[HealthCheck]):
        self._checks = checks

    def on_get(self, req, resp):
        reports = [check.check() for check in self._checks]
        healthy = all(report.ok for report in reports)
        send_json(
            resp,
            {
                "status": "ok" if healthy else "unhealthy",
                "healthy": healthy,
                "service": "synth-ai",
                "version": __version__,
                "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in reports},
            },
            status=200 if healthy else 503,
        )


class Me:
    def on_get(self, req, resp):
        principal = req.context.principal
        send_json(
            resp,
            {"org_id": principal.org_id, "user_id": principal.user_id, "key_id": principal.key_id},
        )


class OpenApi:
    auth_required = False

    def __init__(self, spec):
        self._spec = spec

    def on_get(self, req, resp):
        send_json(resp, self._spec.document())


def register(app, spec, *, health_checks: Sequence[HealthCheck] = ()) -> None:
    app.add_route("/health", Health(health_checks))
    spec.add(
        "/health",
        "GET",
        "Whether the backend and its stores can serve requests (503 when not)",
        tag="core",
        auth=False,
        response=HEALTH_SCHEMA,
        responses={503: HEALTH_SCHEMA},
    )
    app.add_route("/api/v1/me", Me())
    spec.add("/api/v1/me", "GET", "The org and user behind the API key", tag="core")
    app.add_route("/openapi.json", OpenApi(spec))
    spec.add("/openapi.json", "GET", "This OpenAPI document", tag="core", auth=False)
