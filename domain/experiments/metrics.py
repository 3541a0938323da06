"""What a job's row shows at a glance: rollouts against budget, best score, spend and ETA.

Read from what the job reported (``progress``, written by its runner as it goes) and, once it
finished, its ``result``. The ETA is derived here, from the rate of rollouts since the job
started, so every runner gets one without computing it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from attrs import frozen
from synth_ai.domain.experiments.model import COMPLETED, RUNNING, Job


@frozen
class JobMetrics:
    rollouts_done: int | None = None
    rollout_budget: int | None = None
    best_score: float | None = None
    spend_usd: float | None = None
    spend_tokens: int | None = None
    eta_s: float | None = None


def job_metrics(job: Job, now: float | None = None) -> JobMetrics:
    """The job's metrics as of ``now`` (None: as of its last progress report)."""
    progress, result = job.progress, job.result
    totals = result.get("totals")
    totals = totals if isinstance(totals, Mapping) else {}
    done = _int(progress.get("done"))
    if done is None:
        done = _int(totals.get("rollouts"))
    if done is None:
        done = _int(result.get("seeds"))
    budget = _int(progress.get("total"))
    spend_usd = _number(progress.get("spend_usd"))
    if spend_usd is None:
        spend_usd = _number(totals.get("spend_usd"))
    tokens = _int(progress.get("spend_tokens"))
    if tokens is None:
        tokens = _int(totals.get("tokens"))
    best = _number(progress.get("best_score"))
    if best is None:
        best = _number(result.get("best_score"))
    return JobMetrics(
        rollouts_done=done,
        rollout_budget=budget,
        best_score=best,
        spend_usd=spend_usd,
        spend_tokens=tokens,
        eta_s=eta(job, done, budget, now),
    )


def eta(job: Job, done: int | None, budget: int | None, now: float | None) -> float | None:
    """Seconds left: the rollouts still to run at the rate seen from the start to the last
    progress report, less the time since that report. 0 once completed; None when unknown."""
    if job.status == COMPLETED:
        return 0.0
    if job.status != RUNNING or job.started_at is None or not done or budget is None:
        return None
    reported_at = _number(job.progress.get("updated_at"))
    if reported_at is None or reported_at <= job.started_at:
        return None
    per_rollout = (reported_at - job.started_at) / done
    left = per_rollout * max(0, budget - done)
    if now is not None:
        left -= max(0.0, now - reported_at)
    return round(max(0.0, left), 1)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None
