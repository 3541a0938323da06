"""The ``ArtifactCatalog`` port over HTTP: a running ``synth-ai serve`` seen from the CLI/SDK.

The org is the one behind the API key, so the same CLI code works on the local store and on
a remote backend. Bodies and answers go through the artifact wire converters, as the routes'
do.
"""

from __future__ import annotations

from urllib.parse import quote

from synth_ai.adapters.backend_http.client import BackendClient
from synth_ai.adapters.wire import artifacts as wire
from synth_ai.domain.artifacts.exports import ExportRequest, ExportResult
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.ports.artifacts import ArtifactListing


def _seg(value: str) -> str:
    return quote(value, safe="")


class HttpArtifactCatalog:
    def __init__(self, client: BackendClient):
        self._client = client

    def register_model(self, model: ModelArtifact) -> ModelArtifact:
        body = wire.body(wire.model_in(model))
        return wire.model_from(self._client.post("/api/artifacts/models", json=body))

    def register_prompt_job(self, job: PromptJob) -> PromptJob:
        body = wire.body(wire.prompt_job_in(job))
        return wire.prompt_job_from(self._client.post("/api/artifacts/prompts", json=body))

    def add_snapshot(self, snapshot: PromptSnapshot) -> PromptJob:
        path = f"/api/artifacts/prompts/{_seg(snapshot.job_id)}/snapshots"
        body = wire.body(wire.snapshot_in(snapshot))
        return wire.prompt_job_from(self._client.post(path, json=body))

    def list_artifacts(
        self, *, kind: str = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        params = {"type": kind, "status": status, "limit": limit}
        found = wire.listing_from(self._client.get("/api/artifacts", params=params))
        # The route limits each type (as the public client asks); this port means the newest
        # ``limit`` of all together.
        return ArtifactListing.newest(found.models, found.prompts, limit, found.total_count)

    def get_model(self, model_id: str) -> ModelArtifact:
        return wire.model_from(self._client.get(f"/api/artifacts/models/{_seg(model_id)}"))

    def get_prompt_job(self, job_id: str) -> PromptJob:
        return wire.prompt_job_from(self._client.get(f"/api/artifacts/prompts/{_seg(job_id)}"))

    def get_snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        path = f"/api/prompt-learning/online/jobs/{_seg(job_id)}/snapshots/{_seg(snapshot_id)}"
        return wire.snapshot_from(self._client.get(path))

    def list_snapshots(self, job_id: str) -> list[PromptSnapshot]:
        data = self._client.get(f"/api/prompt-learning/online/jobs/{_seg(job_id)}/artifacts")
        return [wire.snapshot_from(s) for s in data.get("artifacts", [])]

    def export_to_hub(self, request: ExportRequest, *, token: str | None = None) -> ExportResult:
        """Ask the backend to upload the model from its own disk to the Hub."""
        body = wire.body(wire.ExportIn.of(request, hf_token=token))
        return wire.export_result_from(self._client.post("/api/learning/exports/hf", json=body))
