"""The artifacts SDK: what a trainer calls to report models and prompt jobs, locally or remotely.

from synth_ai import Artifacts

artifacts = Artifacts()                       # local store, or SYNTH_BACKEND_URL when set
artifacts.report_model("ft:Qwen/Qwen3-0.6B:job_1", weights_path="out/job_1")
artifacts.report_prompt_job("pl_9f3a", algorithm="gepa")
artifacts.report_snapshot("pl_9f3a", {"messages": [...]}, score=0.91)
artifacts.best_prompt("pl_9f3a")              # [{"role": "system", "content": "…"}]
"""

from __future__ import annotations

from typing import Any


def open_catalog(settings, container=None):
    """The ``ArtifactCatalog`` for these settings: the backend when a URL is set, else the local store."""
    if settings.backend_url:
        from synth_ai.adapters.backend_http import BackendClient
        from synth_ai.adapters.backend_http.artifacts import HttpArtifactCatalog

        return HttpArtifactCatalog(
            BackendClient(settings.backend_url, settings.api_key, timeout=settings.timeout)
        )
    from synth_ai.settings.config import DEFAULT_ORG

    if container is None:
        from synth_ai.container import create_container

        container = create_container(settings)
    keys = settings.api_keys
    return container.artifact_catalog(org_id=keys[0].org_id if keys else DEFAULT_ORG)


class Artifacts:
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | None = None,
    ):
        from synth_ai.container import create_container
        from synth_ai.settings.config import load_settings

        settings = load_settings()
        if base_url:
            settings.backend_url = base_url
        if api_key:
            settings.client_api_key = api_key
        if timeout is not None:
            settings.timeout = timeout
        self._container = create_container(settings)
        self.catalog = open_catalog(settings, self._container)

    def report_model(
        self,
        model_id: str,
        *,
        weights_path: str | None = None,
        status: str = "succeeded",
        metadata: dict | None = None,
    ):
        from synth_ai.artifact_payloads import ModelIn

        body = ModelIn(model_id, status, weights_path, dict(metadata or {}))
        return self.catalog.register_model(body.to_model(self._container.clock()))

    def report_prompt_job(
        self,
        job_id: str,
        *,
        status: str = "running",
        algorithm: str | None = None,
        metadata: dict | None = None,
    ):
        from synth_ai.artifact_payloads import PromptJobIn, register_prompt_job

        body = PromptJobIn(job_id, status, algorithm, dict(metadata or {}))
        return register_prompt_job(
            self.catalog, body, self._container.clock(), self._container.ids()
        )

    def report_snapshot(
        self,
        job_id: str,
        payload: dict[str, Any],
        *,
        score: float | None = None,
        validation_score: float | None = None,
        snapshot_id: str | None = None,
    ):
        from synth_ai.artifact_payloads import SnapshotIn

        snapshot = SnapshotIn(payload, snapshot_id, score, validation_score)
        return self.catalog.add_snapshot(
            snapshot.to_snapshot(job_id, self._container.clock(), self._container.ids())
        )

    def best_prompt(self, job_id: str) -> list[dict[str, str]]:
        from synth_ai.artifact_payloads import prompt_detail

        return prompt_detail(self.catalog, job_id)["best_prompt"]

    def list(self, *, kind: str = "all", status: str | None = None, limit: int = 50):
        return self.catalog.list_artifacts(kind=kind, status=status, limit=limit)
