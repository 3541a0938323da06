"""What ``synth-ai codex`` and ``synth-ai opencode`` share: the ``[session]`` limits, a budgeted
session that is ended however the client exits, and running the client in the foreground.

The client talks to the backend's Responses bridge with the session id in ``X-Session-ID``;
the API key travels in the environment (``SYNTH_API_KEY``), never in a file.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

DEFAULT_SESSION = {"limit_cost_usd": 20.0}
METRICS = ("cost_usd", "tokens", "gpu_hours", "api_calls")
CONFIG_NAMES = ("codex.toml", "synth.toml")
KEY_ENV = "SYNTH_API_KEY"


def read_session_table(
    config: Path | None, names: tuple[str, ...] = CONFIG_NAMES
) -> dict[str, Any]:
    """The ``[session]`` table of ``--config`` or the first of ``names`` in the current directory."""
    path = config
    if path is None:
        path = next((Path(name) for name in names if Path(name).is_file()), None)
    elif not path.is_file():
        raise click.UsageError(f"config file {path} does not exist")
    if path is None:
        return dict(DEFAULT_SESSION)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise click.UsageError(f"{path} is not valid TOML: {exc}") from exc
    table = document.get("session", {})
    if not isinstance(table, dict):
        raise click.UsageError(f"[session] in {path} must be a table")
    return {**DEFAULT_SESSION, **table}


def session_limits(table: dict[str, Any]) -> list[dict]:
    """``limit_<metric>`` keys → hard limits, ``soft_limit_<metric>`` → soft limits."""
    limits = []
    for metric in METRICS:
        for prefix, kind in (("limit_", "hard"), ("soft_limit_", "soft")):
            value = table.get(prefix + metric)
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise click.UsageError(
                    f"[session] {prefix}{metric} must be a finite number > 0, got {value!r}"
                )
            limits.append({"metric_type": metric, "limit_type": kind, "limit_value": value})
    unknown = sorted(
        k for k in table if not any(k in (f"limit_{m}", f"soft_limit_{m}") for m in METRICS)
    )
    if unknown:
        raise click.UsageError(
            f"unknown [session] keys {unknown}; use limit_<metric> or soft_limit_<metric> "
            f"with metric one of {list(METRICS)}"
        )
    return limits


def find_client(name: str, env_var: str, install: str) -> str:
    path = os.environ.get(env_var) or shutil.which(name)
    if not path:
        raise click.ClickException(
            f"{name} is not installed (not on PATH) — install it with "
            f"'{install}', or point {env_var} at the binary"
        )
    return path


class BudgetedSession:
    """A backend session with limits, ended on exit (normal, error, Ctrl+C or SIGTERM), and
    what it spent against its limits printed when the client exits."""

    def __init__(self, backend, limits: list[dict], client: str):
        from synth_ai.adapters.backend_http.sessions import BackendSessions

        self.sessions = BackendSessions(backend)
        self.limits = limits
        self.client = client
        self.id: str | None = None

    def __enter__(self) -> BudgetedSession:
        from synth_ai.adapters.wire.sessions import CreateSessionIn, LimitIn

        created = self.sessions.start(
            CreateSessionIn(
                limits=[LimitIn(**limit) for limit in self.limits],
                make_active=True,
                metadata={"client": self.client},
            )
        )
        self.id = created.session_id
        return self

    def __exit__(self, *exc) -> None:
        if self.id:
            try:
                ended = self.sessions.end(self.id)
            except Exception as error:  # noqa: BLE001 - ending must never hide the client's outcome
                click.echo(f"warning: could not end session {self.id}: {error}", err=True)
            else:
                click.echo(f"synth-ai: {spend_line(ended)}", err=True)


def spend_line(session) -> str:
    """``session sess_… spent $0.0123 of $0.0700 (cost_usd), 12,345 tokens, 7 API calls``."""
    used, hard = session.current_usage, session.hard_limits()

    def amount(metric: str, value: float) -> str:
        return f"${value:,.4f}" if metric == "cost_usd" else f"{value:,.6g}"

    parts = []
    for metric, label in (
        ("cost_usd", ""),
        ("tokens", " tokens"),
        ("gpu_hours", " GPU hours"),
        ("api_calls", " API calls"),
    ):
        value = used.get(metric, 0)
        if metric in hard:
            limit = hard[metric]
            state = " — limit reached" if limit.exceeded else ""
            parts.append(
                f"{amount(metric, value)}{label} of {amount(metric, limit.limit_value)}{label}{state}"
            )
        elif value:
            parts.append(f"{amount(metric, value)}{label}")
    return f"session {session.session_id} spent " + (", ".join(parts) or "nothing")


def run_foreground(argv: list[str], env: dict[str, str]) -> int:
    """Run the client attached to the terminal; SIGTERM/SIGHUP are passed on, Ctrl+C reaches it
    directly (same process group). Returns its exit code (128+N when a signal ended it)."""
    try:
        child = subprocess.Popen(argv, env=env)
    except OSError as exc:
        raise click.ClickException(f"could not start {argv[0]}: {exc}") from exc

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code = child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


# build(binary, base_url, session_id, private_dir) -> (argv, extra environment)
Builder = Callable[[str, str, str, Path], tuple[list[str], dict[str, str]]]


def launch(
    obj, *, name: str, env_var: str, install: str, config_path: Path | None, build: Builder
) -> None:
    """Find the client, open a budgeted session, run the client in the foreground with the API
    key in ``SYNTH_API_KEY`` and a private 0700 directory (removed after), end the session, and
    exit with the client's exit code."""
    binary = find_client(name, env_var, install)
    limits = session_limits(read_session_table(config_path))
    settings = obj.settings
    if not settings.api_key:
        raise click.ClickException(
            "no API key: pass --api-key, set SYNTH_API_KEY, or run 'synth-ai serve' "
            "once to create one"
        )
    backend = obj.backend()
    with (
        BudgetedSession(backend, limits, name) as session,
        tempfile.TemporaryDirectory(prefix=f"synth-{name}-") as private,
    ):
        argv, extra_env = build(binary, backend.base_url, session.id, Path(private))
        click.echo(f"synth-ai: {name} in session {session.id} ({backend.base_url})", err=True)
        code = run_foreground(argv, {**os.environ, KEY_ENV: settings.api_key, **extra_env})
    sys.stdout.flush()
    sys.exit(code)


def client_command(name: str):
    """The shared shape of ``synth-ai codex`` / ``synth-ai opencode``:
    ``[--model M] [--config FILE] [-- CLIENT_ARGS…]``, handing ``(obj, model, config_path, args)``."""

    def decorate(fn):
        fn = click.argument("client_args", nargs=-1, type=click.UNPROCESSED)(fn)
        fn = click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            default=None,
            help="TOML file with a [session] table (default: ./codex.toml, then ./synth.toml).",
        )(fn)
        fn = click.option(
            "--model",
            "-m",
            default="synth-small",
            show_default=True,
            help="Model name the bridge serves.",
        )(fn)
        return click.command(name, context_settings={"ignore_unknown_options": True})(
            click.pass_obj(fn)
        )

    return decorate
