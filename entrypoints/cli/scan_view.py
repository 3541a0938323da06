"""The Rich view of a scan: one table of apps, then stale records and source problems."""

from __future__ import annotations

import time

from rich.console import Group
from rich.table import Table
from rich.text import Text

_STYLE = {
    "healthy": "green",
    "unhealthy": "yellow",
    "auth_required": "magenta",
    "not_task_app": "dim",
    "unreachable": "red",
}


def render(report, watching: float | None = None):
    parts = []
    apps = report.apps
    if not apps:
        parts.append(
            Text(
                "No task apps found. Start one with: synth-ai deploy --runtime local --task-app PATH"
            )
        )
    else:
        table = Table(
            "name",
            "url",
            "port",
            "status",
            "type",
            "app id",
            "version",
            "discovered via",
            title=_title(report),
        )
        for app in apps:
            c, meta = app.candidate, app.metadata
            status = app.health.value.replace("_", " ")
            style = _STYLE.get(app.health.value, "")
            cell = Text(status, style=style)
            if app.reason != "ok":
                cell.append(f"\n{app.reason}", style="dim")
            table.add_row(
                app.name,
                c.url,
                str(c.port) if c.port else "-",
                cell,
                c.kind.value,
                meta.app_id or c.app_id or "-",
                meta.version or "-",
                ", ".join(s.value for s in c.sources),
            )
        parts.append(table)
    for stale in report.stale:
        parts.append(
            Text(f"stale record {stale.record_id} ({stale.url}): {stale.reason}", style="dim")
        )
    for problem in report.problems:
        parts.append(Text(f"could not read {problem}", style="yellow"))
    footer = f"scan took {report.duration_ms:.0f} ms"
    if watching:
        footer += f" · {time.strftime('%H:%M:%S')} · every {watching:g}s, Ctrl+C to stop"
    parts.append(Text(footer, style="dim"))
    return Group(*parts)


def _title(report) -> str:
    counts: dict[str, int] = {}
    for app in report.apps:
        label = app.health.value.replace("_", " ")
        counts[label] = counts.get(label, 0) + 1
    detail = ", ".join(f"{n} {label}" for label, n in counts.items())
    return f"{len(report.apps)} found: {detail}"
