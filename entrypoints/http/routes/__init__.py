"""Route modules. Each exposes ``register(app, spec, *, <the services it needs>)``; ``build_app``
resolves those services from the container once and passes them in."""
