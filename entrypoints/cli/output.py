"""Shared CLI output helpers: JSON for ``--format json``, a Rich console for tables."""

from __future__ import annotations

import json
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


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def console(stderr: bool = False):
    from rich.console import Console

    return Console(
        stderr=stderr, soft_wrap=False, highlight=False, width=None if sys.stdout.isatty() else 120
    )
