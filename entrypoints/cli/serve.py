"""``synth-ai serve``: the backend on Waitress, stopped cleanly by SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

import click
from synth_ai.cli.options import PORT, PositiveInt


@click.command("serve")
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=PORT, default=None, help="Port, 1–65535 (default 8765).")
@click.option(
    "--threads",
    type=PositiveInt(),
    default=None,
    help="Waitress worker threads; each open stream (SSE) holds one (default 64). An eighth "
    "is kept for /health and short requests; past the rest, new requests get 503.",
)
@click.pass_obj
def serve(obj, host, port, threads):
    """Run the backend: artifacts, sessions, responses, tunnels over HTTP."""
    from synth_ai.adapters.waitress_host import BackgroundServer, PortInUse
    from synth_ai.container import create_container
    from synth_ai.http import create_app
    from synth_ai.http.admission import admitted
    from synth_ai.http.limits import request_limits, waitress_adjustments
    from synth_ai.settings.config import ensure_server_key

    settings, new_key = ensure_server_key(obj.settings)
    host = host or settings.host
    port = settings.port if port is None else port
    container = create_container(settings)
    container.sqlite().verify()  # a damaged synth.db stops here, in one line (exit 1)
    _migrate_store(container, settings)  # so does a database a newer synth-ai migrated
    threads = threads or settings.threads
    app = admitted(create_app(container), settings, threads)
    container.metrics().watch_admission(app)  # open requests and streams on /metrics
    upstream = _load_local_model(container, settings)  # a missing extra fails here, in one line
    try:
        server = BackgroundServer.start(
            app,
            host,
            port,
            threads=threads,
            channel_timeout=300,
            connection_limit=1000,
            **waitress_adjustments(request_limits(settings)),
        )
    except PortInUse:
        raise click.ClickException(
            f"port {port} on {host} is already in use — stop the other server or pass --port"
        ) from None
    container.budget().settlement.resume()  # settles an earlier run could not store
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, _frame) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"synth-ai backend listening on {server.url}")
    click.echo(f"  data: {settings.home}")
    if upstream:
        click.echo(upstream)
    if new_key:
        click.echo(f"  API key (new, saved to {settings.config_path}): {new_key}")
    else:
        click.echo(f"  API key: configured in {settings.config_path}")
    click.echo("Press Ctrl+C to stop.", err=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        click.echo("Shutting down…", err=True)
        server.close()
        container.shutdown_resources()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received and received[0] == signal.SIGINT:
        sys.exit(130)  # Ctrl-C: 130 like every command; SIGTERM (a supervisor's stop) exits 0


def _migrate_store(container, settings) -> None:
    """Apply the durable store's pending migrations before the first request, so a database
    this code cannot use (newer schema, edited migration, unreachable) stops ``serve`` here."""
    from synth_ai.settings.sessions import store_backend

    if store_backend(settings) == "postgres":
        container.postgres().migrate()
    else:
        container.sqlite().migrate()


def _load_local_model(container, settings) -> str | None:
    """With ``[upstream] provider = "local"``: load the model now and describe it."""
    from synth_ai.settings.upstream import upstream_provider

    if upstream_provider(settings) != "local":
        return None
    model = container.chat_provider().model()
    return (
        f"  upstream: local model {model.path} (llama.cpp, {model.llama.n_threads} threads, "
        f"context {model.context_size}, prompt format {model.prompt_format})"
    )
