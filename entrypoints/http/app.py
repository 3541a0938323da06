"""``create_app(container)``: the Falcon app of ``synth-ai serve``."""

from __future__ import annotations

import importlib

import falcon
from synth_ai import __version__
from synth_ai.domain.errors import SynthError
from synth_ai.http.errors import handle_synth_error, handle_unexpected, serialize_http_error
from synth_ai.http.limits import BodyLimitsMiddleware, request_limits
from synth_ai.http.metering import MeteringMiddleware
from synth_ai.http.middleware import AuthMiddleware
from synth_ai.http.openapi import OpenApiSpec
from synth_ai.http.routes import ROUTE_MODULES


def create_app(container) -> falcon.App:
    return build_app(container)[0]


def build_app(container) -> tuple[falcon.App, OpenApiSpec]:
    """The app and the OpenAPI spec its routes declared (tests compare the two)."""
    # Resources (the chat provider's pooled client) are not thread-safe to initialise on first
    # use from many request threads; build them now, once. Nothing connects here.
    container.init_resources()
    app = falcon.App(
        middleware=[
            BodyLimitsMiddleware(request_limits(container.settings())),
            AuthMiddleware(container.authenticator()),
            MeteringMiddleware(container.meter_factory()),
        ]
    )
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False
    app.set_error_serializer(serialize_http_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(SynthError, handle_synth_error)
    spec = OpenApiSpec("synth-ai backend", __version__)
    narrow = _route_services(container)
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        if name in narrow:
            module.register(app, spec, **narrow[name])
        else:  # not yet converted to narrow wiring
            module.register(app, container, spec)
    return app, spec


def _route_services(container) -> dict[str, dict]:
    """What each converted route module needs, resolved once (``register(app, spec, **these)``)."""
    return {
        "synth_ai.http.routes.core": {"health_checks": container.health_checks()},
        "synth_ai.http.routes.tunnels": {"tunnels": container.managed_tunnels()},
        "synth_ai.http.routes.artifacts": {"artifacts_for": _per_org(container.artifact_service)},
    }


def _per_org(factory):
    """A service factory keyed by org: ``artifacts_for("org_a")``."""
    return lambda org_id: factory(org_id=org_id)
