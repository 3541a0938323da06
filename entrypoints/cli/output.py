"""Shared CLI output helpers: JSON for ``--format json``, a Rich console for tables."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
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
def spinner(message: str) -> Iterator[None]:
    """A spinner on stderr while a wait runs, only when stderr is a terminal (never in logs
    or pipes)."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def usd(value: float) -> str:
    """Dollars with enough digits to be non-zero when the amount is: ``$1,234.5000``,
    ``$0.0123``, ``$0.000042`` (two significant digits below a hundredth of a cent)."""
    if value == 0 or abs(value) >= 0.0001:
        return f"${value:,.4f}"
    digits = -math.floor(math.log10(abs(value))) + 1
    return f"${value:.{digits}f}"
