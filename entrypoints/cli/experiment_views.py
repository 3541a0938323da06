"""How experiments look in a terminal: tables, the job list, the ``--watch`` live view."""

from __future__ import annotations

import time
from typing import Any

from synth_ai.domain.experiments.model import Experiment, ExperimentView, Job

STYLE = {
    "queued": "dim",
    "running": "cyan",
    "completed": "green",
    "failed": "red",
    "canceled": "yellow",
}


def _ago(ts: float | None, now: float) -> str:
    return "-" if ts is None else _duration(now - ts)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _state(status: str) -> str:
    return f"[{STYLE.get(status, '')}]{status}[/]"


def experiments_table(experiments: list[Experiment]):
    from rich.table import Table

    table = Table(title="Experiments", title_justify="left")
    for column in ("id", "name", "status", "parallelism", "created", "finished"):
        table.add_column(column)
    for e in experiments:
        table.add_row(
            e.experiment_id,
            e.name,
            _state(e.status),
            str(e.parallelism),
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.created_at)),
            time.strftime("%H:%M:%S", time.localtime(e.finished_at)) if e.finished_at else "-",
        )
    return table


def _progress(job: Job) -> str:
    p = job.progress
    if "done" in p and "total" in p:
        return f"{p['done']}/{p['total']}"
    return "-"


def _best(job: Job) -> str:
    value: Any = job.progress.get("best_score", job.result.get("best_score"))
    if value is None:
        value = job.result.get("mean_score")
    return _score(value)


def _score(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _candidates(job: Job) -> str:
    """Optimisation jobs: candidates validated / tried (GEPA rejects some on a minibatch)."""
    p = job.progress
    if "candidates" not in p:
        return "-"
    tried = p.get("candidates_tried")
    if tried is None or tried == p["candidates"]:
        return str(p["candidates"])
    return f"{p['candidates']}/{tried}"


def _train(job: Job) -> str:
    return _score(job.progress.get("best_train_score"))


def _spend(job: Job) -> str:
    value = job.progress.get("spend_usd", job.result.get("spend_usd"))
    return "-" if value is None else f"${value:.4f}"


def _eta(job: Job) -> str:
    if job.status != "running":
        return "-"
    return _duration(job.progress.get("eta_s")) if "eta_s" in job.progress else "-"


def _elapsed(job: Job, now: float) -> str:
    if job.started_at is None:
        return "-"
    return _duration((job.finished_at or now) - job.started_at)


def view_table(view: ExperimentView, now: float):
    from rich.table import Table

    e = view.experiment
    table = Table(
        title=f"{e.experiment_id}  {e.name}  [{STYLE.get(e.status, '')}]{e.status}[/]  "
        f"parallelism {e.parallelism}",
        title_justify="left",
    )
    for column in (
        "#",
        "job",
        "type",
        "state",
        "attempts",
        "progress",
        "cands",
        "best",
        "train",
        "spend",
        "elapsed",
        "eta",
        "reason",
    ):
        table.add_column(column)
    for job in view.jobs:
        table.add_row(
            str(job.index),
            job.job_id,
            job.job_type,
            _state(job.status)
            + (" (cancel requested)" if job.cancel_requested and job.status == "running" else ""),
            str(job.attempts),
            _progress(job),
            _candidates(job),
            _best(job),
            _train(job),
            _spend(job),
            _elapsed(job, now),
            _eta(job),
            job.reason or "",
        )
    return table


def results_table(view: ExperimentView):
    from rich.table import Table

    table = Table(title=f"Results of {view.experiment.experiment_id}", title_justify="left")
    for column in ("#", "job", "state", "reason", "result"):
        table.add_column(column)
    import json

    for job in view.jobs:
        table.add_row(
            str(job.index),
            job.job_id,
            _state(job.status),
            job.reason or "",
            json.dumps(dict(job.result), sort_keys=True)[:200] if job.result else "",
        )
    return table
