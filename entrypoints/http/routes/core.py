"""``/health``, ``/api/v1/me`` and ``/openapi.json``."""

from __future__ import annotations

from synth_ai import __version__
from synth_ai.http.payload import send_json


class Health:
    auth_required = False

    def on_get(self, req, resp):
        send_json(
            resp, {"status": "ok", "healthy": True, "service": "synth-ai", "version": __version__}
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


def register(app, spec) -> None:
    app.add_route("/health", Health())
    spec.add("/health", "GET", "Liveness of the backend", tag="core", auth=False)
    app.add_route("/api/v1/me", Me())
    spec.add("/api/v1/me", "GET", "The org and user behind the API key", tag="core")
    app.add_route("/openapi.json", OpenApi(spec))
    spec.add("/openapi.json", "GET", "This OpenAPI document", tag="core", auth=False)
