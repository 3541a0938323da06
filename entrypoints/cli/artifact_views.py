"""Rich rendering of artifacts for ``synth-ai artifacts``: tables, summaries, coloured prompts."""

from __future__ import annotations

import json
import time
from typing import Any

ROLE_STYLES = {
    "system": "magenta",
    "user": "cyan",
    "assistant": "green",
    "developer": "yellow",
    "tool": "blue",
}


def when(ts: float | str | None) -> str:
    """Local time of a wire timestamp (ISO 8601, or seconds since the epoch)."""
    from synth_ai.domain.timestamps import epoch

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch(ts))) if ts else "-"


def score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def listing_table(wire: dict[str, Any]):
    from rich.table import Table

    table = Table(
        title=f"Artifacts ({wire['summary']['returned_count']} of {wire['summary']['total_count']})"
    )
    for name in ("ID", "TYPE", "STATUS", "BASE MODEL / BEST SCORE", "CREATED"):
        table.add_column(name, overflow="fold")
    rows = [
        (m["created_at"], m["id"], m["kind"], m["status"], m["base_model"])
        for m in [*wire["fine_tuned_models"], *wire["rl_models"]]
    ]
    rows += [
        (p["created_at"], p["job_id"], "prompt", p["status"], f"best {score(p['best_score'])}")
        for p in wire["prompts"]
    ]
    from synth_ai.domain.timestamps import epoch

    for created, *cells in sorted(rows, key=lambda r: -(epoch(r[0]) or 0.0)):
        table.add_row(*cells[:2], _status(cells[2]), cells[3], when(created))
    return table


def _status(status: str) -> str:
    colour = {"succeeded": "green", "failed": "red", "running": "yellow"}.get(status, "white")
    return f"[{colour}]{status}[/{colour}]"


def _fields(title: str, rows: list[tuple[str, Any]]):
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value if isinstance(value, str) else json.dumps(value))
    return table


def _json(data: Any):
    from rich.syntax import Syntax

    return Syntax(json.dumps(data, indent=2, default=str), "json", word_wrap=True)


def model_views(model: dict[str, Any], verbose: bool) -> list:
    rows = [
        ("id", model["id"]),
        ("kind", model["kind"]),
        ("base model", model["base_model"]),
        ("job", model["job_id"]),
        ("status", _status(model["status"])),
        ("weights", model.get("weights_path") or "-"),
        ("created", when(model["created_at"])),
    ]
    views = [_fields("Model", rows)]
    if verbose:
        views.append(_titled("metadata", _json(model.get("metadata") or {})))
    return views


def prompt_views(detail: dict[str, Any], verbose: bool) -> list:
    rows = [
        ("job", detail["job_id"]),
        ("status", _status(detail["status"])),
        ("algorithm", detail.get("algorithm") or "-"),
        ("best score", score(detail.get("best_score"))),
        ("best validation score", score(detail.get("best_validation_score"))),
        ("best snapshot", detail.get("best_snapshot_id") or "-"),
        ("created", when(detail["created_at"])),
        ("updated", when(detail["updated_at"])),
    ]
    rows += optimisation_rows(detail.get("metadata") or {})
    views: list = [_fields("Prompt optimisation job", rows)]
    messages = detail.get("best_prompt") or []
    if not messages:
        views.append("[dim]No optimised prompt yet (no scored snapshot).[/dim]")
    for message in messages:
        views.append(message_panel(message["role"], message["content"]))
    if verbose:
        views.append(_titled("metadata", _json(detail.get("metadata") or {})))
        views.append(
            _titled(
                f"best snapshot {detail.get('best_snapshot_id') or ''}".rstrip(),
                _json(detail.get("best_snapshot")),
            )
        )
    return views


def optimisation_rows(metadata: dict[str, Any]) -> list[tuple[str, Any]]:
    """What a ``synth-ai optimize`` job adds: the baseline to compare with, and its totals."""
    if "baseline_score" not in metadata:
        return []
    totals = metadata.get("totals") or {}
    curve = metadata.get("learning_curve") or []
    return [
        ("baseline score", score(metadata.get("baseline_score"))),
        ("stopped", metadata.get("stop_reason") or "search finished"),
        (
            "totals",
            f"{totals.get('rollouts', 0)} rollouts, {totals.get('candidates', 0)} candidates, "
            f"{totals.get('model_calls', 0)} model calls, ${totals.get('spend_usd') or 0:.4f}",
        ),
        ("learning curve", " → ".join(f"{s:.2f}@{r}" for r, s in curve) or "-"),
    ]


def message_panel(role: str, content: str):
    """One prompt message: a panel coloured by role, content syntax-highlighted."""
    from rich.panel import Panel
    from rich.syntax import Syntax

    lexer = "markdown"
    try:
        json.loads(content)
        lexer = "json"
    except ValueError:
        pass
    style = ROLE_STYLES.get(role, "white")
    body = Syntax(content, lexer, word_wrap=True, background_color="default")
    return Panel(
        body, title=f"[bold {style}]{role}[/bold {style}]", title_align="left", border_style=style
    )


def _titled(title: str, renderable):
    from rich.panel import Panel

    return Panel(renderable, title=title, title_align="left")
