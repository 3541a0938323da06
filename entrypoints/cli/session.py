"""``synth-ai session start|show|list|end|increase``: sessions and their budgets, over HTTP.

Every command talks to the configured backend (``--base-url`` / ``SYNTH_BACKEND_URL``,
default ``http://127.0.0.1:8765``). Usage is shown against each limit, with EXCEEDED where a
hard limit is reached.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import click
from synth_ai.cli.output import echo_json, format_option
from synth_ai.domain.sessions.model import SESSION_ID_PATTERN

METRIC_NAMES = ("cost_usd", "tokens", "gpu_hours", "api_calls")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Amount(click.ParamType):
    """A finite number >= 0 (> 0 with ``positive``): NaN and infinity are refused here, not
    sent to the backend."""

    name = "number"

    def __init__(self, *, positive: bool = False):
        self.positive = positive

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number — give e.g. 20 or 0.5", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number — give e.g. 20 or 0.5", param, ctx)
        if number < 0 or (self.positive and number == 0):
            self.fail(f"must be {'> 0' if self.positive else '>= 0'}, got {value!r}", param, ctx)
        return number


class SessionId(click.ParamType):
    """A session id (or ``current``), checked before it becomes part of a URL."""

    name = "session_id"

    def convert(self, value, param, ctx):
        if not re.match(SESSION_ID_PATTERN, value):
            self.fail(
                f"{value!r} is not a session id — ids look like sess_…; list yours with "
                "'synth-ai session list'",
                param,
                ctx,
            )
        return value


def _duration(value: str) -> timedelta:
    match = _DURATION.match(value.strip())
    if not match:
        raise click.BadParameter(
            f"{value!r} is not a duration — use e.g. 30m, 2h or 7d", param_hint="--expires-in"
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise click.BadParameter(
            f"{value!r} is outside the accepted range: a duration > 0 (e.g. 30m, 2h or 7d)",
            param_hint="--expires-in",
        )
    return timedelta(seconds=seconds)


def _fmt(metric: str, value) -> str:
    if value is None:
        return "—"
    if metric == "cost_usd":
        from synth_ai.cli.output import usd

        return usd(value)
    if metric == "gpu_hours":
        return f"{value:,.3f} h"
    return f"{int(value):,}"


def _state(limit) -> str:
    used, value = limit.current_usage, limit.limit_value
    if limit.limit_type == "hard" and limit.exceeded:
        return "[bold red]EXCEEDED[/]"
    if used > value:
        return "[yellow]over soft limit[/]"
    if value and used + limit.reserved >= 0.8 * value:
        return "[yellow]near[/]"
    return "[green]ok[/]"


def _render(session) -> None:
    """A ``SessionOut``: its status line and usage against each limit."""
    from rich.table import Table
    from synth_ai.cli.output import console

    out = console()
    status = session.status
    colour = {
        "active": "green",
        "limit_exceeded": "bold red",
        "ended": "dim",
        "expired": "dim",
    }.get(status, "")
    marker = "  EXCEEDED" if status == "limit_exceeded" else ""
    out.print(
        f"[bold]{session.session_id}[/]  [{colour}]{status}[/]{marker}  type={session.session_type}  "
        f"created={session.created_at}"
        + (f"  expires={session.expires_at}" if session.expires_at else "")
        + (f"  ended={session.ended_at}" if session.ended_at else "")
    )
    table = Table(show_edge=False)
    for column in ("metric", "used", "in flight", "limit", "kind", "remaining", "state"):
        table.add_column(
            column, justify="right" if column not in ("metric", "kind", "state") else "left"
        )
    limited = set()
    for limit in session.limits:
        metric = limit.metric_type
        limited.add(metric)
        table.add_row(
            metric,
            _fmt(metric, limit.current_usage),
            _fmt(metric, limit.reserved),
            _fmt(metric, limit.limit_value),
            limit.limit_type,
            _fmt(metric, limit.remaining),
            _state(limit),
        )
    for metric in METRIC_NAMES:
        if metric not in limited:
            table.add_row(
                metric,
                _fmt(metric, session.current_usage.get(metric, 0)),
                _fmt(metric, session.reserved_usage.get(metric, 0)),
                "—",
                "",
                "—",
                "[dim]no limit[/]",
            )
    out.print(table)


def _sessions(obj):
    from synth_ai.adapters.backend_http.sessions import BackendSessions

    return BackendSessions(obj.backend())


def _show(session, fmt: str) -> None:
    if fmt == "json":
        from synth_ai.adapters.wire.sessions import to_json

        echo_json(to_json(session))
    else:
        _render(session)


@click.group("session")
def session():
    """Sessions with budgets: every cost-incurring request is charged to one."""


@session.command("start")
@click.option("--limit-cost", type=Amount(positive=True), help="Hard limit in USD (e.g. 20).")
@click.option("--limit-tokens", type=click.IntRange(min=1), help="Hard limit on tokens.")
@click.option("--limit-gpu-hours", type=Amount(positive=True), help="Hard limit on GPU hours.")
@click.option("--limit-api-calls", type=click.IntRange(min=1), help="Hard limit on API calls.")
@click.option("--soft", is_flag=True, help="Make the given limits soft: warn instead of refusing.")
@click.option("--expires-in", help="End the session after a duration, e.g. 2h or 7d.")
@click.option("--type", "session_type", help="A label for the session (default api_call).")
@click.option("--meta", multiple=True, help="Metadata KEY=VALUE (repeatable).")
@click.option("--no-activate", is_flag=True, help="Do not make it your current session.")
@format_option
@click.pass_obj
def start(
    obj,
    limit_cost,
    limit_tokens,
    limit_gpu_hours,
    limit_api_calls,
    soft,
    expires_in,
    session_type,
    meta,
    no_activate,
    fmt,
):
    """Start a session (it becomes your current one). Without limits: the server's defaults."""
    from synth_ai.adapters.wire.sessions import CreateSessionIn, LimitIn

    given = {
        "cost_usd": limit_cost,
        "tokens": limit_tokens,
        "gpu_hours": limit_gpu_hours,
        "api_calls": limit_api_calls,
    }
    limits = [LimitIn(m, v, "soft" if soft else "hard") for m, v in given.items() if v is not None]
    if not limits and soft:
        raise click.BadParameter(
            "--soft applies to the limits you give: add --limit-cost, --limit-tokens, "
            "--limit-gpu-hours or --limit-api-calls",
            param_hint="--soft",
        )
    expires_at = None
    if expires_in:
        expires_at = (datetime.now(UTC) + _duration(expires_in)).isoformat().replace("+00:00", "Z")
    metadata = {}
    for item in meta:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--meta")
        metadata[key] = value
    request = CreateSessionIn(
        limits=limits or None,
        session_type=session_type or None,
        expires_at=expires_at,
        metadata=metadata,
        make_active=not no_activate,
    )
    _show(_sessions(obj).start(request), fmt)


@session.command("show")
@click.argument("session_id", type=SessionId(), required=False, default="current")
@format_option
@click.pass_obj
def show(obj, session_id, fmt):
    """Show a session's usage against its limits (default: your current session)."""
    _show(_sessions(obj).show(session_id), fmt)


@session.command("list")
@click.option("--status", type=click.Choice(["active", "ended", "limit_exceeded", "expired"]))
@click.option("--limit", "page", type=click.IntRange(1, 1000), default=50, show_default=True)
@format_option
@click.pass_obj
def list_sessions(obj, status, page, fmt):
    """Your sessions, newest first."""
    from synth_ai.adapters.wire.sessions import to_json

    data = _sessions(obj).list(status=status, limit=page)
    if fmt == "json":
        echo_json(to_json(data))
        return
    from rich.table import Table
    from synth_ai.cli.output import console

    table = Table(show_edge=False)
    for column in ("session", "status", "created", "cost", "tokens", "gpu hours", "api calls"):
        table.add_column(column, no_wrap=column in ("session", "status", "created"))
    for item in data:
        hard = item.hard_limits()

        def cell(metric, item=item, hard=hard):
            used = _fmt(metric, item.current_usage.get(metric, 0))
            if metric not in hard:
                return used
            text = f"{used} / {_fmt(metric, hard[metric].limit_value)}"
            return text + " [bold red]EXCEEDED[/]" if hard[metric].exceeded else text

        status_text = (
            "[bold red]limit_exceeded[/]" if item.status == "limit_exceeded" else item.status
        )
        created = (item.created_at or "")[:16].replace("T", " ")
        table.add_row(
            item.session_id,
            status_text,
            created,
            cell("cost_usd"),
            cell("tokens"),
            cell("gpu_hours"),
            cell("api_calls"),
        )
    out = console()
    if not data:
        out.print(
            "No sessions yet — one starts with your first request, or run 'synth-ai session start'."
        )
        return
    out.print(table)


@session.command("end")
@click.argument("session_id", type=SessionId(), required=False, default="current")
@format_option
@click.pass_obj
def end(obj, session_id, fmt):
    """End a session (default: your current one); the next request starts a new one."""
    _show(_sessions(obj).end(session_id), fmt)


@session.command("increase")
@click.argument("session_id", type=SessionId(), required=False, default="current")
@click.option("--metric", type=click.Choice(METRIC_NAMES), default="cost_usd", show_default=True)
@click.option(
    "--by",
    "increase_by",
    type=Amount(positive=True),
    required=True,
    help="Amount to add to the hard limit.",
)
@format_option
@click.pass_obj
def increase(obj, session_id, metric, increase_by, fmt):
    """Raise a hard limit (a limit_exceeded session becomes active again)."""
    _show(_sessions(obj).increase(session_id, metric, increase_by), fmt)
