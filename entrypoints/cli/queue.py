"""``synth-ai queue``: start, stop and list the workers that run experiment jobs.

One worker per host and home by default: ``start`` first stops this home's running worker
gracefully (SIGTERM, drain), never with kill -9 and never a process that did not write a pid
file here. ``status`` lists every worker in the cluster from their heartbeats in the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import click
from attrs import evolve
from synth_ai.cli.output import console, echo_json, format_option
from synth_ai.domain.errors import ServiceUnavailable


def _pids(settings):
    from synth_ai.adapters.system.worker_pids import WorkerPids

    return WorkerPids(settings.home / "queue")


def _log_path(settings):
    return settings.home / "queue" / "worker.log"


@click.group()
def queue():
    """The experiment queue's workers: start, stop, status."""


@queue.command()
@click.option("--concurrency", type=click.IntRange(1, 256), default=None, help="Jobs at once.")
@click.option("--broker", default=None, help="Kombu URL (default [queue] broker_url).")
@click.option("--background", is_flag=True, help="Run detached; logs under the home.")
@click.option(
    "--alongside", is_flag=True, help="Keep this home's running worker (start another one)."
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve this worker's Prometheus /metrics on this port (0: a free one, logged; "
    "default [queue] metrics_port, else off).",
)
@click.option("--metrics-host", default=None, help="Interface for /metrics (default 127.0.0.1).")
@click.pass_obj
def start(cli_ctx, concurrency, broker, background, alongside, metrics_port, metrics_host):
    """Start a worker (replacing this home's running one gracefully)."""
    settings = cli_ctx.settings
    config = cli_ctx.container.queue_settings().with_broker(broker)
    config = evolve(
        config,
        metrics_port=config.metrics_port if metrics_port is None else metrics_port,
        metrics_host=metrics_host or config.metrics_host,
    )
    from synth_ai.adapters.kombu_queue import KombuJobQueue

    probe = KombuJobQueue(config.broker_url)
    try:
        probe.check()  # one line and exit 1 when the broker is down, before anything starts
    finally:
        probe.close()
    pids = _pids(settings)
    if not alongside:
        for pid in pids.ours():
            click.echo(f"stopping worker {pid} (SIGTERM, draining)", err=True)
            if not pids.stop(pid, timeout=config.drain_timeout_s + 30):
                raise ServiceUnavailable(
                    f"worker {pid} is still draining — wait, or 'synth-ai queue stop --now'"
                )
    concurrency = concurrency or config.concurrency
    if background:
        _spawn(settings, config, concurrency)
        return
    _run_foreground(cli_ctx, config, concurrency, pids)


def _worker_env(settings) -> dict[str, str]:
    """The background worker's environment: this one, plus the home and the backend chosen
    here (``--base-url`` / ``--api-key`` reach the worker, so its optimisation jobs use that
    backend instead of starting one in-process)."""
    env = {**os.environ, "SYNTH_AI_HOME": str(settings.home)}
    if settings.backend_url:
        env["SYNTH_BACKEND_URL"] = settings.backend_url
    if settings.client_api_key:
        env["SYNTH_API_KEY"] = settings.client_api_key
    return env


def _spawn(settings, config, concurrency: int) -> None:
    log = _log_path(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        "synth_ai.worker",
        "--concurrency",
        str(concurrency),
        "--broker",
        config.broker_url,
        "--alongside",
    ]
    if config.metrics_port is not None:
        argv += ["--metrics-port", str(config.metrics_port), "--metrics-host", config.metrics_host]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=_worker_env(settings),
        )
    pids = _pids(settings)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:]
            raise ServiceUnavailable(
                f"the worker exited with code {process.returncode}: "
                + (tail[0] if tail else f"see {log}")
            )
        if process.pid in pids.ours():
            click.echo(f"worker {process.pid} started (logs: {log})")
            return
        time.sleep(0.05)
    click.echo(f"worker {process.pid} starting (logs: {log})")


def _run_foreground(cli_ctx, config, concurrency: int, pids) -> None:
    from synth_ai.cli.experiment_run import build_worker

    container = cli_ctx.container
    from dependency_injector import providers

    container.queue_settings.override(providers.Object(config))
    worker = build_worker(container, concurrency=concurrency, broker=config.broker_url)
    worker.install_signal_handlers()
    metrics = _serve_metrics(worker, config)
    pids.write()
    try:
        code = worker.run()
    finally:
        pids.remove()
        if metrics is not None:
            metrics.close()
    raise SystemExit(code)


def _serve_metrics(worker, config):
    """The worker's /metrics when a port is set (prometheus_client's HTTP server)."""
    if config.metrics_port is None:
        return None
    from synth_ai.adapters.prometheus import WorkerMetrics

    metrics = WorkerMetrics(worker.stats)
    try:
        port = metrics.serve(config.metrics_host, config.metrics_port)
    except OSError as exc:
        raise ServiceUnavailable(
            f"cannot serve worker metrics on {config.metrics_host}:{config.metrics_port} "
            f"({exc.strerror or exc}) — pick another --metrics-port, or 0 for a free one"
        ) from None
    worker.log(f"metrics on http://{config.metrics_host}:{port}/metrics")
    return metrics


@queue.command()
@click.option("--now", is_flag=True, help="Hand running jobs back at once instead of draining.")
@click.option("--timeout", type=float, default=None, help="Seconds to wait for each worker.")
@click.pass_obj
def stop(cli_ctx, now, timeout):
    """Stop this home's workers: drain running jobs (or --now: terminate and re-queue them)."""
    settings = cli_ctx.settings
    config = cli_ctx.container.queue_settings()
    pids = _pids(settings)
    found = pids.ours()
    if not found:
        click.echo("no worker is running for this home")
        return
    wait = timeout if timeout is not None else config.drain_timeout_s + 30
    stuck = [pid for pid in found if not pids.stop(pid, now=now, timeout=wait)]
    for pid in found:
        if pid not in stuck:
            click.echo(f"worker {pid} stopped")
    if stuck:
        raise ServiceUnavailable(
            f"worker(s) {', '.join(map(str, stuck))} still stopping after {wait:g} s — "
            "'synth-ai queue stop --now' hands their jobs back"
        )


@queue.command()
@format_option
@click.pass_obj
def status(cli_ctx, fmt):
    """Every worker in the cluster: host, pid, concurrency, running jobs, heartbeat age."""
    from synth_ai.adapters.wire.workers import queue_status

    config = cli_ctx.container.queue_settings()
    data = queue_status(
        cli_ctx.container.experiment_store().workers(),
        now=time.time(),
        heartbeat_s=config.heartbeat_s,
        broker_url=config.broker_url,
    )
    rows = data["workers"]
    if fmt == "json":
        echo_json(data)
        return
    if not rows:
        click.echo(f"no worker is running (broker {data['broker']})")
        return
    from rich.table import Table

    table = Table(title="Queue workers", title_justify="left")
    for column in ("host", "pid", "concurrency", "running", "heartbeat", "broker"):
        table.add_column(column)
    for r in rows:
        age = f"{r['heartbeat_age_s']:.0f}s ago" + (" (stale)" if r["stale"] else "")
        table.add_row(
            r["host"],
            str(r["pid"]),
            str(r["concurrency"]),
            str(len(r["running"])),
            age,
            r["broker"],
        )
    console().print(table)
