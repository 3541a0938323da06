"""Route modules. Each exposes ``register(app, spec, *, <the services it needs>)``, called by
``build_app``; ``ROUTE_MODULES`` lists those not yet converted (``register(app, container, spec)``).
"""

ROUTE_MODULES = [
    "synth_ai.http.routes.tunnels",
    "synth_ai.http.routes.core",
    "synth_ai.http.routes.artifacts",
]
