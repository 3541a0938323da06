"""The ``pl_`` prompt job a run leaves in the artifact catalog."""

from __future__ import annotations

from typing import Any

from synth_ai.domain.artifacts.model import PromptJob, PromptSnapshot
from synth_ai.domain.optimisation.run import OptimisationRun, ScoredCandidate
from synth_ai.ports.artifacts import ArtifactCatalog

ARTIFACT_STATUS = {None: "succeeded", "budget_exhausted": "succeeded", "canceled": "canceled"}


def snapshot_id(scored: ScoredCandidate) -> str:
    return snapshot_id_of(scored.index)


def snapshot_id_of(index: int) -> str:
    return f"cand_{index:03d}"


def snapshot_of(job_id: str, scored: ScoredCandidate, now: float) -> PromptSnapshot:
    candidate = scored.candidate
    payload: dict[str, Any] = {
        "messages": candidate.messages(),
        "candidate": {
            "instruction": candidate.instruction,
            "demos": [{"user": d.user, "assistant": d.assistant} for d in candidate.demos],
        },
        "origin": scored.origin,
        "parents": [snapshot_id_of(i) for i in scored.parents],
        "rollouts_at": scored.rollouts_at,
        "validation_seed_scores": {str(k): v for k, v in scored.seed_scores.items()},
        "minibatch_scores": scored.train_scores,
    }
    if scored.built_from:
        payload["built_from"] = dict(scored.built_from)
    return PromptSnapshot(
        snapshot_id(scored),
        job_id,
        payload,
        now,
        score=scored.validation_score,
        validation_score=scored.validation_score,
    )


def job_metadata(run: OptimisationRun, *, job_ref: str, attempt: int) -> dict[str, Any]:
    best, baseline = run.best(), run.baseline
    journal = run.journal
    return {
        "source": "synth-ai optimise",
        "job": job_ref,
        "attempt": attempt,
        "task_app_url": run.config["task_app_url"],
        "policy_model": run.config["policy.model"],
        "proposer_model": run.config.proposer_model,
        "baseline_score": baseline.validation_score if baseline else None,
        "baseline_snapshot_id": snapshot_id(baseline) if baseline else None,
        "best_score": best.validation_score if best else None,
        "best_snapshot": (
            {"snapshot_id": snapshot_id(best), "messages": best.candidate.messages()}
            if best
            else None
        ),
        "learning_curve": [[p.rollouts, p.best_validation_score] for p in run.curve],
        "stop_reason": run.stop_reason,
        "totals": {
            "rollouts": journal.rollouts_total,
            "rollouts_this_attempt": journal.ran_now,
            "proposer_calls": len(journal.answers),
            "candidates": len(run.scored),
            "spend_usd": run.last_spend.cost_usd,
            "tokens": run.last_spend.tokens,
            "model_calls": run.last_spend.api_calls,
        },
    }


def record(
    catalog: ArtifactCatalog,
    run: OptimisationRun,
    *,
    job_id: str,
    algorithm: str,
    now: float,
    **ref: Any,
) -> None:
    """Write (or rewrite, on a re-run) the job and one snapshot per validated candidate."""
    status = ARTIFACT_STATUS.get(run.stop_reason, "failed")
    if run.best() is None:
        status = "failed"
    metadata = job_metadata(run, **ref)
    catalog.register_prompt_job(
        PromptJob.new(job_id, status=status, now=now, algorithm=algorithm, metadata=metadata)
    )
    for scored in sorted(run.scored.values(), key=lambda s: s.index):
        catalog.add_snapshot(snapshot_of(job_id, scored, now))
