"""The ``experiment status`` table (also each frame of ``--watch``) shows optimisation progress."""

from __future__ import annotations

import io

from rich.console import Console
from synth_ai.cli.experiment_views import view_table
from synth_ai.domain.experiments.model import Experiment, ExperimentView, Job


def render(*jobs: Job) -> str:
    view = ExperimentView(Experiment("exp_1", "org", "sweep", status="running"), tuple(jobs))
    out = io.StringIO()
    Console(file=out, width=240, color_system=None).print(view_table(view, now=100.0))
    return out.getvalue()


def optimisation_job(**progress) -> Job:
    return Job(
        "job_1", "exp_1", 0, "gepa", "gepa.toml", status="running", started_at=40.0,
        progress=progress,
    )  # fmt: skip


def test_an_optimisation_job_shows_rollouts_candidates_scores_spend_and_eta():
    table = render(
        optimisation_job(
            done=24,
            total=60,
            candidates=3,
            candidates_tried=5,
            best_score=0.5,
            best_train_score=1.0,
            spend_usd=0.0123,
            eta_s=90.0,
        )
    )

    for column in ("progress", "cands", "best", "train", "spend", "eta"):
        assert column in table
    row = next(line for line in table.splitlines() if "job_1" in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    assert cells[5:11] == ["24/60", "3/5", "0.5", "1", "$0.0123", "1m00s"]
    assert "1m30s" in row  # the ETA


def test_a_job_without_optimisation_progress_shows_dashes_not_errors():
    row = next(line for line in render(optimisation_job()).splitlines() if "job_1" in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    assert cells[5:10] == ["-", "-", "-", "-", "-"]
