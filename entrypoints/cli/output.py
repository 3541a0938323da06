"""Shared CLI output helpers: JSON for ``--format json``, a Rich console for tables."""

from __future__ import annotations

import json
import math
import sys
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
    from rich.console import Console

    return Console(
        stderr=stderr, soft_wrap=False, highlight=False, width=None if sys.stdout.isatty() else 120
    )
