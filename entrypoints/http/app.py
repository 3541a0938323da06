"""``create_app(container)``: the Falcon app of ``synth-ai serve``.

``build_app`` is where the container meets the routes: it resolves each route module's services
once and hands them to ``register(app, spec, *, …)``, so a resource's constructor shows exactly
what it uses and no resource ever holds the container.
"""

from __future__ import annotations

import falcon
from synth_ai import __version__
from synth_ai.domain.errors import SynthError
from synth_ai.http.errors import handle_synth_error, handle_unexpected, serialize_http_error
from synth_ai.http.limits import BodyLimitsMiddleware, request_limits
from synth_ai.http.metering import MeteringMiddleware
from synth_ai.http.metrics import RequestMetrics
from synth_ai.http.middleware import AuthMiddleware
from synth_ai.http.openapi import OpenApiSpec
from synth_ai.http.routes import (
    artifacts,
    chat,
    core,
    experiment_events,
    experiments,
    interceptor,
    machine,
    metrics,
    responses,
    session_activity,
    sessions,
    tunnels,
    ui,
    ui_tokens,
    usage,
)
from synth_ai.settings.metrics import metrics_token


def create_app(container) -> falcon.App:
    return build_app(container)[0]


def build_app(container) -> tuple[falcon.App, OpenApiSpec]:
    """The app and the OpenAPI spec its routes declared (tests compare the two)."""
    # Resources (the chat provider's pooled client) are not thread-safe to initialise on first
    # use from many request threads; build them now, once. Nothing connects here.
    container.init_resources()
    budget, session_service = container.budget(), container.sessions()
    server_metrics = container.metrics()
    app = falcon.App(
        middleware=[
            RequestMetrics(server_metrics),  # first in, last out: sees every answer
            BodyLimitsMiddleware(request_limits(container.settings())),
            AuthMiddleware(container.authenticator()),
            MeteringMiddleware(budget),
        ]
    )
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False
    app.set_error_serializer(serialize_http_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(SynthError, handle_synth_error)
    spec = OpenApiSpec("synth-ai backend", __version__)

    core.register(app, spec, health_checks=container.health_checks())
    tunnels.register(app, spec, tunnels=container.managed_tunnels())
    artifacts.register(app, spec, artifacts_for=_per_org(container.artifact_service))
    sessions.register(app, spec, sessions=session_service)
    session_activity.register(app, spec, sessions=session_service)
    chat_service = container.chat()
    chat.register(app, spec, chat=chat_service)
    usage.register(app, spec, sessions=session_service, budget=budget)
    responses.register(app, spec, bridge=container.responses_bridge())
    # Optimisation rollouts: the trial's prompt substituted, served by the metered chat resource.
    interceptor.register(
        app,
        spec,
        interceptor=container.interceptor(),
        chat=chat.ChatCompletions(chat_service),
    )
    experiment_service, ui_settings = container.experiments(), container.ui_settings()
    experiments.register(app, spec, experiments=experiment_service)
    experiment_events.register(
        app,
        spec,
        experiments=experiment_service,
        poll_s=ui_settings.events_poll_s,
        keepalive_s=ui_settings.events_keepalive_s,
        max_s=ui_settings.events_max_s,
    )
    machine.register(
        app,
        spec,
        store=container.experiment_store(),
        experiments=experiment_service,
        queue_settings=container.queue_settings(),
        scan=container.local_scan_task_apps(),
        clock=container.clock(),
        cache_s=ui_settings.scan_cache_s,
        ports=ui_settings.scan_ports,
    )
    ui_tokens.register(
        app,
        spec,
        authenticator=container.authenticator(),
        ttl_s=ui_settings.token_ttl_s,
        clock=container.clock(),
    )
    metrics.register(app, spec, metrics=server_metrics, token=metrics_token(container.settings()))
    ui.register(app)  # the dashboard's static files, outside the API and its document
    return app, spec


def _per_org(factory):
    """A service factory keyed by org: ``artifacts_for("org_a")``."""
    return lambda org_id: factory(org_id=org_id)
