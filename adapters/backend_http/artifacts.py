"""The ``ArtifactCatalog`` port over HTTP: a running ``synth-ai serve`` seen from the CLI/SDK.

The org is the one behind the API key, so the same CLI code works on the local store and on
a remote backend. Wire dicts are turned back into the domain records here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.domain.timestamps import epoch
from synth_ai.ports.artifacts import ArtifactListing


def model_from_wire(d: dict[str, Any]) -> ModelArtifact:
    return ModelArtifact(
        d["id"],
        d["kind"],
        d["base_model"],
        d["job_id"],
        d["status"],
        epoch(d["created_at"]),
        d.get("weights_path"),
        d.get("metadata") or {},
    )


def job_from_wire(d: dict[str, Any]) -> PromptJob:
    return PromptJob(
        d["job_id"],
        d["status"],
        epoch(d["created_at"]),
        epoch(d["updated_at"]),
        d.get("algorithm"),
        d.get("best_score"),
        d.get("best_validation_score"),
        d.get("best_snapshot_id"),
        d.get("metadata") or {},
    )


def snapshot_from_wire(d: dict[str, Any]) -> PromptSnapshot:
    return PromptSnapshot(
        d["snapshot_id"],
        d["job_id"],
        d.get("payload") or {},
        epoch(d["created_at"]),
        d.get("score"),
        d.get("validation_score"),
    )


def _seg(value: str) -> str:
    return quote(value, safe="")


class HttpArtifactCatalog:
    def __init__(self, client: BackendClient):
        self._client = client

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        body = {
            "id": model.id,
            "status": model.status,
            "weights_path": model.weights_path,
            "metadata": model.metadata,
            "created_at": model.created_at,
        }
        return model_from_wire(self._client.post("/api/artifacts/models", json=body))

    def register_prompt_job(self, job: PromptJob) -> PromptJob:
        body = {
            "job_id": job.job_id,
            "status": job.status,
            "algorithm": job.algorithm,
            "metadata": job.metadata,
            "created_at": job.created_at,
        }
        return job_from_wire(self._client.post("/api/artifacts/prompts", json=body))

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        body = {
            "snapshot_id": snapshot.snapshot_id,
            "payload": snapshot.payload,
            "score": snapshot.score,
            "validation_score": snapshot.validation_score,
            "created_at": snapshot.created_at,
        }
        return job_from_wire(
            self._client.post(
                f"/api/artifacts/prompts/{_seg(snapshot.job_id)}/snapshots", json=body
            )
        )

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        data = self.list_wire(kind=kind, status=status, limit=limit)
        models = [
            model_from_wire(m)
            for m in (*data.get("fine_tuned_models", []), *data.get("rl_models", []))
        ]
        models.sort(key=lambda m: -m.created_at)
        prompts = [job_from_wire(p) for p in data.get("prompts", [])]
        return ArtifactListing(models, prompts, int(data.get("summary", {}).get("total_count", 0)))

    def list_wire(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        return self._client.get(
            "/api/artifacts", params={"type": kind, "status": status, "limit": limit}
        )

    def get_model(self, model_id: str) -> ModelArtifact:
        return model_from_wire(self._client.get(f"/api/artifacts/models/{_seg(model_id)}"))

    def get_prompt_job(self, job_id: str) -> PromptJob:
        return job_from_wire(self._client.get(f"/api/artifacts/prompts/{_seg(job_id)}"))

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        return snapshot_from_wire(
            self._client.get(
                f"/api/prompt-learning/online/jobs/{_seg(job_id)}/snapshots/{_seg(snapshot_id)}"
            )
        )

    def list_snapshots(self, job_id: str) -> list[PromptSnapshot]:
        data = self._client.get(f"/api/prompt-learning/online/jobs/{_seg(job_id)}/artifacts")
        return [snapshot_from_wire(s) for s in data.get("artifacts", [])]

    def export_to_hub(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._client.post("/api/learning/exports/hf", json=body)
