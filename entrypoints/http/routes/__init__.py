"""Route modules. Each exposes ``register(app, container, spec)``; ``ROUTE_MODULES`` lists them."""

ROUTE_MODULES = [
    "synth_ai.http.routes.tunnels",
    "synth_ai.http.routes.core",
]
