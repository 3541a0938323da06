"""``synth-ai experiment``: submit, list, status (--watch), results, logs, cancel, run.

Against the local store by default, or a backend with ``--base-url``: both are an
``ExperimentsClient`` (ports/experiments.py), held to one contract suite.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from synth_ai.cli.output import console, echo_json, format_option
from synth_ai.domain.errors import InvalidInput

TERMINAL = {"completed", "failed", "canceled"}


def experiments_client(cli_ctx):
    """The local use cases scoped to this user's org, or the backend at ``--base-url``."""
    if cli_ctx.remote:
        from synth_ai.adapters.backend_http.experiments import BackendExperiments

        return BackendExperiments(cli_ctx.backend())
    from synth_ai.domain.experiments.service import ScopedExperiments

    return ScopedExperiments(cli_ctx.container.experiments(), _local_org(cli_ctx.settings))


def _local_org(settings) -> str:
    from synth_ai.settings.config import DEFAULT_ORG

    wanted = settings.api_key
    for key in settings.api_keys:
        if key.key == wanted:
            return key.org_id
    return DEFAULT_ORG


def _read_request(file: str | None, inline: str | None):
    from synth_ai.adapters.wire.experiments import parse_request

    if bool(file) == bool(inline):
        raise click.UsageError("give an experiment FILE.json or --inline JSON (one of them)")
    if inline is not None:
        source, base_dir, text = "--inline", Path.cwd(), inline
    else:
        path = Path(file).expanduser()
        if not path.is_file():
            raise InvalidInput(f"experiment file {path} does not exist", param="FILE")
        source, base_dir, text = str(path), path.resolve().parent, path.read_text("utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{source} is not valid JSON: {exc}") from exc
    return parse_request(data, source=source), base_dir, source


def _view_json(view) -> dict:
    from synth_ai.adapters.wire.experiments import view_to_wire

    return view_to_wire(view)


@click.group()
def experiment():
    """Batches of jobs with per-experiment parallelism, run by queue workers."""


@experiment.command()
@click.argument("file", required=False)
@click.option("--inline", default=None, help="The experiment as a JSON string instead of FILE.")
@format_option
@click.pass_obj
def submit(cli_ctx, file, inline, fmt):
    """Validate and queue an experiment; prints its id (exp_…)."""
    request, base_dir, source = _read_request(file, inline)
    view = experiments_client(cli_ctx).submit(request, base_dir=base_dir, source=source)
    if fmt == "json":
        echo_json(_view_json(view))
    else:
        click.echo(view.experiment.experiment_id)


@experiment.command(name="list")
@click.option("--status", default=None, help="Only experiments in this state.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@format_option
@click.pass_obj
def list_(cli_ctx, status, limit, fmt):
    """Experiments, newest first."""
    from synth_ai.adapters.wire.experiments import experiment_to_wire

    found = experiments_client(cli_ctx).list(status=status, limit=limit)
    if fmt == "json":
        echo_json({"experiments": [experiment_to_wire(e) for e in found]})
        return
    from synth_ai.cli.experiment_views import experiments_table

    console().print(experiments_table(found))


@experiment.command()
@click.argument("experiment_id")
@click.option("--watch", is_flag=True, help="A live view until the experiment ends.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Refresh seconds.")
@format_option
@click.pass_obj
def status(cli_ctx, experiment_id, watch, interval, fmt):
    """An experiment and each job's state, progress, best score, elapsed time and ETA."""
    from synth_ai.cli.experiment_views import view_table

    client = experiments_client(cli_ctx)
    view = client.status(experiment_id)
    if fmt == "json":
        echo_json(_view_json(view))
        return
    if not watch:
        console().print(view_table(view, time.time()))
        return
    from rich.live import Live

    with Live(view_table(view, time.time()), console=console(), auto_refresh=False) as live:
        while view.experiment.status not in TERMINAL:
            time.sleep(interval)
            view = client.status(experiment_id)
            live.update(view_table(view, time.time()), refresh=True)


@experiment.command()
@click.argument("experiment_id")
@format_option
@click.pass_obj
def results(cli_ctx, experiment_id, fmt):
    """Each job's outcome and result."""
    view = experiments_client(cli_ctx).status(experiment_id)
    if fmt == "json":
        echo_json(_view_json(view))
        return
    from synth_ai.cli.experiment_views import results_table

    console().print(results_table(view))


@experiment.command()
@click.argument("job_id")
@click.option("--follow", "-f", is_flag=True, help="Keep printing until the job ends.")
@click.pass_obj
def logs(cli_ctx, job_id, follow):
    """A job's log."""
    client = experiments_client(cli_ctx)
    offset = 0
    while True:
        lines, offset = client.logs(job_id, offset)
        for line in lines:
            click.echo(line)
        if not follow:
            return
        if not lines:
            job = _job(client, job_id)
            if job is None or job.status in TERMINAL:
                lines, offset = client.logs(job_id, offset)
                for line in lines:
                    click.echo(line)
                return
            time.sleep(0.5)


def _job(client, job_id):
    return client.job(job_id)


@experiment.command()
@click.argument("experiment_id")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait (up to --timeout) until running jobs have stopped.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True)
@format_option
@click.pass_obj
def cancel(cli_ctx, experiment_id, wait, timeout, fmt):
    """Drop queued jobs and terminate running ones (their whole process groups)."""
    client = experiments_client(cli_ctx)
    view = client.cancel(experiment_id)
    deadline = time.monotonic() + timeout
    while wait and any(j.status == "running" for j in view.jobs) and time.monotonic() < deadline:
        time.sleep(0.2)
        view = client.status(experiment_id)
    if fmt == "json":
        echo_json(_view_json(view))
        return
    running = sum(1 for j in view.jobs if j.status == "running")
    click.echo(
        f"{experiment_id} {view.experiment.status}"
        + (f" ({running} job(s) still stopping)" if running else "")
    )


@experiment.command()
@click.argument("file")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Jobs at once.")
@format_option
@click.pass_obj
def run(cli_ctx, file, concurrency, fmt):
    """Run an experiment in the foreground: an in-process worker, no broker to install."""
    from synth_ai.cli.experiment_run import run_in_process

    request, base_dir, source = _read_request(file, None)
    view = run_in_process(cli_ctx, request, base_dir, source, concurrency=concurrency)
    if fmt == "json":
        echo_json(_view_json(view))
    else:
        from synth_ai.cli.experiment_views import results_table

        console().print(results_table(view))
    if view.experiment.status != "completed":
        raise SystemExit(1)
