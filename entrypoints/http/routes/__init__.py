"""Route modules. Each exposes ``register(app, container, spec)``; ``ROUTE_MODULES`` lists them."""

ROUTE_MODULES = [
    "synth_ai.http.routes.tunnels",
    "synth_ai.http.routes.core",
    "synth_ai.http.routes.sessions",
    "synth_ai.http.routes.chat",
    "synth_ai.http.routes.usage",
    "synth_ai.http.routes.artifacts",
    "synth_ai.http.routes.responses",
]
