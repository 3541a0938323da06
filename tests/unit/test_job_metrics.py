"""A job's row metrics: rollouts against budget, best score, spend and the derived ETA."""

from synth_ai.adapters.wire.experiments import job_to_wire
from synth_ai.domain.experiments.metrics import JobMetrics, job_metrics
from synth_ai.domain.experiments.model import CANCELED, COMPLETED, FAILED, QUEUED, RUNNING, Job


def job(status=RUNNING, started_at=100.0, progress=None, result=None):
    return Job(
        "job_1",
        "exp_1",
        0,
        "gepa",
        "/c.toml",
        status=status,
        started_at=started_at,
        progress=progress or {},
        result=result or {},
    )


def test_a_job_that_reported_nothing_has_no_metrics():
    assert job_metrics(job(status=QUEUED, started_at=None)) == JobMetrics()


def test_the_eta_is_the_rollouts_left_at_the_rate_since_the_start():
    # 10 rollouts in 20 s: 2 s each, 40 left -> 80 s, as of the report.
    running = job(progress={"done": 10, "total": 50, "updated_at": 120.0})
    assert job_metrics(running).eta_s == 80.0


def test_the_eta_counts_down_with_the_time_since_the_last_report():
    running = job(progress={"done": 10, "total": 50, "updated_at": 120.0})
    assert job_metrics(running, now=150.0).eta_s == 50.0
    assert job_metrics(running, now=1000.0).eta_s == 0.0


def test_the_eta_is_unknown_without_a_rollout_a_budget_or_a_start():
    assert job_metrics(job(progress={"done": 0, "total": 50, "updated_at": 120.0})).eta_s is None
    assert job_metrics(job(progress={"done": 5, "updated_at": 120.0})).eta_s is None
    assert job_metrics(job(started_at=None, progress={"done": 5, "total": 9})).eta_s is None
    assert job_metrics(job(progress={"done": 5, "total": 9})).eta_s is None


def test_a_completed_job_has_nothing_left_and_a_failed_or_canceled_one_no_eta():
    reported = {"done": 3, "total": 9, "updated_at": 130.0}
    assert job_metrics(job(status=COMPLETED, progress=reported)).eta_s == 0.0
    assert job_metrics(job(status=FAILED, progress=reported)).eta_s is None
    assert job_metrics(job(status=CANCELED, progress=reported)).eta_s is None


def test_rollouts_best_score_and_spend_come_from_the_progress_report():
    running = job(
        progress={
            "done": 12,
            "total": 40,
            "best_score": 0.75,
            "spend_usd": 0.0123,
            "spend_tokens": 4567,
            "updated_at": 124.0,
        }
    )
    metrics = job_metrics(running)
    assert (metrics.rollouts_done, metrics.rollout_budget) == (12, 40)
    assert (metrics.best_score, metrics.spend_usd, metrics.spend_tokens) == (0.75, 0.0123, 4567)


def test_a_finished_optimisation_falls_back_to_its_result_totals():
    finished = job(
        status=COMPLETED,
        result={"best_score": 0.9, "totals": {"rollouts": 30, "spend_usd": 0.5, "tokens": 900}},
    )
    metrics = job_metrics(finished)
    assert (metrics.rollouts_done, metrics.best_score) == (30, 0.9)
    assert (metrics.spend_usd, metrics.spend_tokens) == (0.5, 900)


def test_values_of_the_wrong_type_are_ignored_not_trusted():
    odd = job(progress={"done": "12", "total": True, "best_score": float("nan"), "spend_usd": -1})
    metrics = job_metrics(odd)
    assert (metrics.rollouts_done, metrics.rollout_budget, metrics.best_score) == (None, None, None)
    assert metrics.spend_usd == -1.0  # a number is shown as reported


def test_the_job_json_carries_the_metrics():
    wire = job_to_wire(job(progress={"done": 10, "total": 50, "updated_at": 120.0}), now=130.0)
    assert wire["rollouts_done"] == 10 and wire["rollout_budget"] == 50
    assert wire["eta_s"] == 70.0
    assert {"best_score", "spend_usd", "spend_tokens"} <= wire.keys()
