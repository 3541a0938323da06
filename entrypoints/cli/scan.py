"""``synth-ai scan``: find every running task app and check its health.

Parse → ``ScanTaskApps.run`` → table or JSON. Bad input prints one line and exits 2; finding
nothing is not an error (exit 0). ``--watch`` re-runs the scan and redraws until Ctrl+C.
"""

from __future__ import annotations

import sys
import time

import click
from synth_ai.cli.output import echo_json

API_KEY_ENV = "ENVIRONMENT_API_KEY"


@click.command("scan")
@click.option(
    "--port-range",
    default="8000:8100",
    show_default=True,
    help="Local ports to sweep on 127.0.0.1 and ::1, START:END.",
)
@click.option(
    "--timeout",
    "timeout_text",
    default="2",
    show_default=True,
    help="Seconds each /health and /info check may take.",
)
@click.option(
    "--api-key",
    envvar=API_KEY_ENV,
    default=None,
    help=f"Task-app key sent as X-API-Key (default: ${API_KEY_ENV}); only to loopback "
    "addresses and to URLs from your own records.",
)
@click.option(
    "--send-key-anywhere",
    is_flag=True,
    help="Also send the key to every other URL found (cloudflared logs, unknown hosts).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@click.option("--watch", is_flag=True, help="Scan again every --interval seconds until Ctrl+C.")
@click.option(
    "--interval",
    "interval_text",
    default="2",
    show_default=True,
    help="With --watch: seconds between scans.",
)
@click.pass_obj
def scan(
    obj, port_range, timeout_text, api_key, send_key_anywhere, fmt, as_json, watch, interval_text
):
    """Find running task apps (ports, deploy records, cloudflared, backend tunnels) and check them."""
    from synth_ai.domain.discovery.errors import InvalidScanRequest
    from synth_ai.domain.discovery.model import ScanRequest
    from synth_ai.domain.discovery.rules import check_timeout, parse_port_range

    try:
        first, last = parse_port_range(port_range)
        timeout = check_timeout(_number("--timeout", timeout_text))
        interval = _number("--interval", interval_text)
        if watch and not interval > 0:
            raise InvalidScanRequest(f"--interval {interval_text} is invalid — give seconds > 0")
    except InvalidScanRequest as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2)
    request = ScanRequest(
        first_port=first,
        last_port=last,
        timeout=timeout,
        api_key=api_key or None,
        send_key_anywhere=send_key_anywhere,
    )
    from synth_ai.discovery import build_scan_task_apps

    service = build_scan_task_apps(obj.settings)
    fmt = "json" if as_json else fmt
    if not watch:
        report = service.run(request)
        _print(report, fmt)
        return
    try:
        if fmt == "json":
            _watch_json(service, request, interval)
        else:
            _watch_table(service, request, interval)
    except KeyboardInterrupt:  # the normal end of --watch; click would say "Aborted!", exit 1
        click.echo("Stopped.", err=True)
        sys.exit(130)


def _number(flag: str, text: str) -> float:
    from synth_ai.domain.discovery.errors import InvalidScanRequest

    try:
        return float(text)
    except ValueError:
        raise InvalidScanRequest(f"{flag} {text!r} is not a number of seconds, e.g. 2") from None


def _print(report, fmt: str) -> None:
    if fmt == "json":
        from synth_ai.adapters.wire.discovery import report_to_json

        echo_json(report_to_json(report))
        return
    from synth_ai.cli.output import console
    from synth_ai.cli.scan_view import render

    console().print(render(report))


def _watch_json(service, request, interval: float) -> None:
    """One JSON document per line, until Ctrl+C."""
    import json

    from synth_ai.adapters.wire.discovery import report_to_json

    while True:
        click.echo(json.dumps(report_to_json(service.run(request))))
        time.sleep(interval)


def _watch_table(service, request, interval: float) -> None:
    """A live table on a terminal; elsewhere (a pipe, a log) one table per scan."""
    from synth_ai.cli.output import console
    from synth_ai.cli.scan_view import render

    out = console()
    if not out.is_terminal:
        while True:
            out.print(render(service.run(request), watching=interval))
            out.file.flush()
            time.sleep(interval)
    from rich.live import Live

    with Live(render(service.run(request)), console=out, auto_refresh=False) as live:
        while True:
            time.sleep(interval)
            live.update(render(service.run(request), watching=interval), refresh=True)
