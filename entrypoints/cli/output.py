"""Shared CLI output helpers: JSON for ``--format json``, a Rich console for tables."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import click

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def json_text(data: Any, indent: int | None = 2) -> str:
    """Always valid JSON: NaN and infinities (which JSON cannot carry) become null."""
    return json.dumps(_finite(data), indent=indent, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def echo_json(data: Any) -> None:
    click.echo(json_text(data))


def console(stderr: bool = False):
    """A Rich console as wide as the terminal; when piped, ``COLUMNS`` (else 120 columns)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS", "").isdigit() else 120
    return Console(stderr=stderr, soft_wrap=False, highlight=False, width=width)


@contextlib.contextmanager
def spinner(message: str, *, delay: float = 0.0) -> Iterator[None]:
    """A spinner on stderr while a wait runs — only when stderr is a terminal (never in logs
    or pipes), and with ``delay`` only once the wait has lasted that many seconds."""
    err = console(stderr=True)
    if not err.is_terminal or _spinning.is_set():  # one live display at a time
        yield
        return
    _spinning.set()
    try:
        yield from _spin(err, message, delay)
    finally:
        _spinning.clear()


_spinning = threading.Event()


def _spin(err, message: str, delay: float) -> Iterator[None]:
    status = err.status(message)
    if delay <= 0:
        with status:
            yield
        return
    lock = threading.Lock()
    state = {"started": False, "done": False}

    def start() -> None:
        with lock:
            if not state["done"]:
                status.start()
                state["started"] = True

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["started"]:
                status.stop()


class Waiting:
    """``target`` whose method calls show a spinner once they take longer than a second (a
    slow backend never leaves a terminal silent)."""

    def __init__(self, target: Any, message: str):
        self._target = target
        self._message = message

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            with spinner(self._message, delay=1.0):
                return attr(*args, **kwargs)

        return call


def usd(value: float) -> str:
    """Dollars with enough digits to be non-zero when the amount is: ``$1,234.5000``,
    ``$0.0123``, ``$0.000042`` (two significant digits below a hundredth of a cent)."""
    if value == 0 or abs(value) >= 0.0001:
        return f"${value:,.4f}"
    digits = -math.floor(math.log10(abs(value))) + 1
    return f"${value:.{digits}f}"
