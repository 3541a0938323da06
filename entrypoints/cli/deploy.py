"""``synth-ai deploy``: run a task app locally or behind a tunnel; ``deploy list`` / ``deploy stop``.

Every deployment is recorded in ``$SYNTH_AI_HOME/services.json`` (what ``synth-ai scan``
reads); records whose process is gone are dropped whenever the file is read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from synth_ai.cli.options import PORT_OR_ANY, NonNegativeFloat, PositiveFloat
from synth_ai.cli.output import echo_json, format_option, spinner

API_KEY_ENV = "ENVIRONMENT_API_KEY"


@click.group("deploy", invoke_without_command=True)
@click.option(
    "--runtime",
    type=click.Choice(["local", "tunnel"]),
    default=None,
    help="local: serve on this machine; tunnel: also expose it through Cloudflare.",
)
@click.option(
    "--task-app",
    "task_app",
    type=click.Path(dir_okay=False),
    default=None,
    help="A .py file exposing build_config(), create_app() or app.",
)
@click.option(
    "--env",
    "env_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A .env file (KEY=VALUE lines) loaded first, e.g. with ENVIRONMENT_API_KEY.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port",
    type=PORT_OR_ANY,
    default=8114,
    show_default=True,
    help="Port; the next free one if busy (0: any free port).",
)
@click.option(
    "--tunnel-mode",
    type=click.Choice(["quick", "managed"]),
    default=None,
    help="With --runtime tunnel. quick (default): a random trycloudflare.com URL; "
    "managed: a hostname issued by the backend.",
)
@click.option("--tunnel-subdomain", default=None, help="Subdomain of a managed tunnel.")
@click.option(
    "--background/--keep-alive",
    default=False,
    show_default=True,
    help="Detach and return once healthy, or keep running in the foreground until Ctrl+C.",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=PositiveFloat(example="60"),
    default=60.0,
    show_default=True,
    help="With --background: seconds to wait for the task app to become ready.",
)
@format_option
@click.pass_context
def deploy(
    ctx,
    runtime,
    task_app,
    env_file,
    host,
    port,
    tunnel_mode,
    tunnel_subdomain,
    background,
    wait_seconds,
    fmt,
):
    """Run a task app (local or tunnel) and record it; see also 'deploy list' and 'deploy stop'."""
    if ctx.invoked_subcommand:
        return
    if not runtime or not task_app:
        raise click.UsageError(
            "deploy needs --runtime local|tunnel and --task-app PATH "
            "(or a sub-command: 'deploy list', 'deploy stop')"
        )
    if runtime == "local" and (tunnel_mode or tunnel_subdomain):
        raise click.UsageError("--tunnel-mode and --tunnel-subdomain need --runtime tunnel")
    mode = "none" if runtime == "local" else (tunnel_mode or "quick")
    if tunnel_subdomain and mode != "managed":
        raise click.UsageError(
            "--tunnel-subdomain needs --tunnel-mode managed (quick tunnels get a random name)"
        )
    from synth_ai.adapters.local_files.env_file import parse_env_file
    from synth_ai.domain.errors import InvalidInput

    path = Path(task_app).expanduser().resolve()
    if path.suffix != ".py" or not path.is_file():
        raise InvalidInput(
            f"--task-app {task_app}: {'not found' if not path.exists() else 'not a .py file'} — "
            "point at the Python file that defines build_config(), create_app() or app"
        )
    extra_env = parse_env_file(env_file) if env_file else {}
    os.environ.update(extra_env)
    if not os.environ.get(API_KEY_ENV):
        raise InvalidInput(
            f"{API_KEY_ENV} is not set — export it or put it in a file passed with --env"
        )
    obj = ctx.obj
    if mode != "none":  # preflight: nothing starts when the tunnel could not
        from synth_ai.adapters.cloudflared import find_cloudflared

        find_cloudflared(obj.container.tunnel_settings().cloudflared_path, obj.settings.home)
    if background:
        _deploy_background(obj, path, host, port, mode, tunnel_subdomain, wait_seconds, fmt)
    else:
        _deploy_foreground(obj, path, host, port, mode, tunnel_subdomain, fmt)


def _deploy_foreground(obj, path: Path, host, port, mode, subdomain, fmt: str) -> None:
    from synth_ai.task_app.runner import new_service_id, run_deployment

    container = obj.container
    provider = container.tunnel_provider() if mode != "none" else None

    def ready(record) -> None:
        if fmt == "json":
            from synth_ai.adapters.wire.deployments import deployment_to_wire

            echo_json(deployment_to_wire(record))
        else:
            click.echo(
                f"Task app {record.app_id or ''} ready at {record.url}  "
                f"(id {record.id}, pid {record.pid})"
            )
            if record.url != record.local_url:
                click.echo(f"  local: {record.local_url}")
        sys.stdout.flush()
        click.echo("Press Ctrl+C to stop.", err=True)

    try:
        run_deployment(
            task_app_path=str(path),
            services=container.service_records(),
            record_id=new_service_id(),
            host=host,
            port=port,
            tunnel_mode=mode,
            tunnel_subdomain=subdomain,
            tunnel_provider=provider,
            on_ready=ready,
        )
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
        sys.exit(130)  # Ctrl-C, after the task app, its tunnel and its record are gone
    except SystemExit:  # SIGTERM: 143, the same cleanup
        click.echo("Stopped.", err=True)
        raise


def _deploy_background(
    obj, path: Path, host, port, mode, subdomain, wait_seconds: float, fmt: str
) -> None:
    from synth_ai.task_app.runner import new_service_id

    settings = obj.settings
    services = obj.container.service_records()
    record_id = new_service_id()
    logs = settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{record_id}.log"
    env = dict(os.environ)
    env["SYNTH_AI_HOME"] = str(settings.home)
    if settings.backend_url:
        env["SYNTH_BACKEND_URL"] = settings.backend_url
    if settings.client_api_key:
        env["SYNTH_API_KEY"] = settings.client_api_key
    command = [
        sys.executable,
        "-m",
        "synth_ai.task_app.runner",
        "--task-app",
        str(path),
        "--id",
        record_id,
        "--host",
        host,
        "--port",
        str(port),
        "--tunnel-mode",
        mode,
        "--log-path",
        str(log_path),
    ]
    if subdomain:
        command += ["--tunnel-subdomain", subdomain]
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        with spinner(f"Starting {path.name} (up to {wait_seconds:g}s)…"):
            record = _wait_ready(services, record_id, process, log_path, wait_seconds)
    except KeyboardInterrupt:
        _stop_runner(process)  # Ctrl-C while waiting: nothing keeps running in the background
        services.remove(record_id)
        raise
    if fmt == "json":
        from synth_ai.adapters.wire.deployments import deployment_to_wire

        echo_json(deployment_to_wire(record))
        return
    click.echo(f"Task app {record.app_id or ''} running in the background at {record.url}")
    click.echo(f"  id {record.id}  pid {record.pid}  log {log_path}")
    click.echo(f"  stop it with: synth-ai deploy stop {record.id}")


def _wait_ready(services, record_id: str, process, log_path: Path, wait_seconds: float):
    from synth_ai.domain.errors import SynthError

    deadline = time.monotonic() + wait_seconds
    while True:
        record = services.get(record_id)
        if record is not None:
            return record
        if process.poll() is not None:
            raise SynthError(
                f"the task app exited with code {process.returncode} before it was ready — "
                f"last log lines ({log_path}):\n{_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            _stop_runner(process)
            raise SynthError(
                f"the task app was not ready within {wait_seconds:g}s and was stopped — "
                f"raise --wait or see {log_path}"
            )
        time.sleep(0.05)


def _stop_runner(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM first, so the runner closes what it started (cloudflared runs in its own
    session and would outlive a SIGKILLed runner); SIGKILL only if it does not exit."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@deploy.command("list")
@format_option
@click.pass_obj
def list_deployments(obj, fmt):
    """Running deployments (records of processes that are gone are dropped)."""
    from synth_ai.adapters.wire.deployments import deployment_to_wire

    records = obj.container.service_records().list()
    if fmt == "json":
        echo_json([deployment_to_wire(r) for r in records])
        return
    if not records:
        click.echo(
            "No running deployments. Start one with: synth-ai deploy --runtime local --task-app PATH"
        )
        return
    from rich.table import Table
    from synth_ai.cli.output import console

    table = Table("id", "type", "url", "port", "pid", "app", "started")
    for r in records:
        table.add_row(
            r.id,
            r.type.value,
            r.url,
            str(r.port),
            str(r.pid),
            r.app_id or "-",
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.created_at)),
        )
    console().print(table)


@deploy.command("stop")
@click.argument("record_id", required=False)
@click.option("--all", "stop_all", is_flag=True, help="Stop every recorded deployment.")
@click.option(
    "--timeout",
    type=NonNegativeFloat(example="10"),
    default=10.0,
    show_default=True,
    help="Seconds to wait after SIGTERM before SIGKILL.",
)
@format_option
@click.pass_obj
def stop(obj, record_id, stop_all, timeout, fmt):
    """Stop a deployment by id (SIGTERM, then SIGKILL after --timeout), or --all."""
    from synth_ai.domain.errors import NotFound

    if bool(record_id) == bool(stop_all):
        raise click.UsageError("give one deployment id or --all (see 'synth-ai deploy list')")
    services = obj.container.service_records()
    records = services.list()
    if record_id:
        records = [r for r in records if r.id == record_id]
        if not records:
            raise NotFound(
                f"no running deployment with id {record_id!r} — see 'synth-ai deploy list'"
            )
    processes = obj.container.process_inspector()
    for record in records:
        _terminate(record, timeout, processes)
        services.remove(record.id)
        if fmt != "json":
            click.echo(f"Stopped {record.id} ({record.url}, pid {record.pid})")
    if fmt == "json":
        from synth_ai.adapters.wire.deployments import deployment_to_wire

        echo_json([deployment_to_wire(r) for r in records])
    elif not records:
        click.echo("No running deployments.")


def _terminate(record, timeout: float, processes) -> None:
    """``processes`` is the ``ProcessInspector``: a recorded pid is signalled only while it
    still runs what the record says (synth-ai, cloudflared), never a reused pid."""
    from synth_ai.adapters.records_file import SYNTH_AI_WORDS

    if not processes.runs(record.pid, *SYNTH_AI_WORDS):
        click.echo(
            f"pid {record.pid} of {record.id} no longer runs synth-ai; not signalling it", err=True
        )
        return

    def signal_pid(pid: int | None, sig: int) -> None:
        if pid:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    signal_pid(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while processes.is_alive(record.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if processes.is_alive(record.pid):
        signal_pid(record.pid, signal.SIGKILL)
    tunnel_pid = record.tunnel_pid
    if tunnel_pid and processes.is_alive(tunnel_pid) and processes.runs(tunnel_pid, "cloudflared"):
        signal_pid(tunnel_pid, signal.SIGTERM)
