"""What trainers send to register artifacts, shared by the HTTP routes and the CLI.

Bodies are structured with cattrs (``forbid_extra_keys``) so a typo'd field is a 422 naming
its path; ``to_*`` turns them into domain records, stamping times and snapshot ids.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.ports.clock import Clock, IdGenerator


def _when(given: float | None, clock: Clock) -> float:
    return clock.now() if given is None else given


@define
class ModelIn:
    id: str
    status: str = "succeeded"
    weights_path: str | None = None
    metadata: dict[str, Any] = field(factory=dict)
    created_at: float | None = None

    def to_model(self, clock: Clock) -> ModelArtifact:
        return ModelArtifact.new(
            self.id,
            status=self.status,
            weights_path=self.weights_path,
            metadata=self.metadata,
            created_at=_when(self.created_at, clock),
        )


@define
class SnapshotIn:
    payload: dict[str, Any]
    snapshot_id: str | None = None
    score: float | None = None
    validation_score: float | None = None
    created_at: float | None = None

    def to_snapshot(self, job_id: str, clock: Clock, ids: IdGenerator) -> PromptSnapshot:
        return PromptSnapshot(
            self.snapshot_id or ids.new_id("snap"),
            job_id,
            self.payload,
            _when(self.created_at, clock),
            self.score,
            self.validation_score,
        )


@define
class PromptJobIn:
    job_id: str
    status: str = "running"
    algorithm: str | None = None
    metadata: dict[str, Any] = field(factory=dict)
    created_at: float | None = None
    snapshots: list[SnapshotIn] = field(factory=list)

    def to_job(self, clock: Clock) -> PromptJob:
        return PromptJob.new(
            self.job_id,
            status=self.status,
            algorithm=self.algorithm,
            metadata=self.metadata,
            now=_when(self.created_at, clock),
        )


def register_prompt_job(catalog, body: PromptJobIn, clock: Clock, ids: IdGenerator) -> PromptJob:
    """Register a job and any snapshots that came with it; returns the job as stored."""
    job = catalog.register_prompt_job(body.to_job(clock))
    for snapshot in body.snapshots:
        job = catalog.add_snapshot(snapshot.to_snapshot(job.job_id, clock, ids))
    return job


def prompt_detail(catalog, job_id: str) -> dict[str, Any]:
    """The wire shape of ``GET /api/artifacts/prompts/{job_id}``.

    ``best_snapshot`` is the best snapshot's payload itself (``messages``, ``object`` …), as
    the public synth-ai client reads it to extract the prompt; its id and scores are the
    ``best_*`` fields beside it.
    """
    from synth_ai.domain.artifacts.prompts import best_prompt

    job = catalog.get_prompt_job(job_id)
    best = catalog.get_snapshot(job.job_id, job.best_snapshot_id) if job.best_snapshot_id else None
    return {
        **job.to_dict(),
        "best_snapshot": best.payload if best else None,
        "best_prompt": [m.to_dict() for m in best_prompt(best.payload if best else None)],
    }


def listing_to_wire(listing) -> dict[str, Any]:
    """The wire shape of ``GET /api/artifacts``, as the public synth-ai client reads it."""
    fine_tuned = [m.to_dict() for m in listing.models if m.kind != "rl"]
    rl = [m.to_dict() for m in listing.models if m.kind == "rl"]
    prompts = [p.to_dict() for p in listing.prompts]
    return {
        "fine_tuned_models": fine_tuned,
        "rl_models": rl,
        "prompts": prompts,
        "summary": {
            "total_count": listing.total_count,
            "returned_count": len(fine_tuned) + len(rl) + len(prompts),
            "fine_tuned_count": len(fine_tuned),
            "rl_count": len(rl),
            "prompt_count": len(prompts),
        },
    }


_TIME_KEYS = ("created_at", "updated_at")
_RECORD_LISTS = ("fine_tuned_models", "rl_models", "prompts", "artifacts")


def on_the_wire(document: dict[str, Any]) -> dict[str, Any]:
    """An artifact document as the public synth-ai client reads it.

    Its own timestamps become ISO 8601 strings (it prints ``str(created_at)[:19]``) and a
    missing ``algorithm`` is left out rather than ``null`` (it slices the value). User data —
    ``metadata``, snapshot payloads — is never touched.
    """
    out = _record(document)
    for key in _RECORD_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_record(item) if isinstance(item, dict) else item for item in out[key]]
    if isinstance(out.get("snapshot"), dict):
        out["snapshot"] = _record(out["snapshot"])
    return out


def _record(record: dict[str, Any]) -> dict[str, Any]:
    from synth_ai.domain.timestamps import iso

    out = {
        key: iso(value)
        if key in _TIME_KEYS and isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for key, value in record.items()
    }
    if "algorithm" in out and out["algorithm"] is None:
        del out["algorithm"]
    return out
