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
    if container is None:
        from synth_ai.container import create_container

        container = create_container(settings)
    return container.artifact_catalog(org_id=local_org(settings))


def local_org(settings) -> str:
    """The org the local store files artifacts under: the first key's, else the default."""
    from synth_ai.settings.config import DEFAULT_ORG

    keys = settings.api_keys
    return keys[0].org_id if keys else DEFAULT_ORG


def open_artifacts(settings, container=None):
    """The artifact use cases over ``open_catalog``. A local export reads the weights from
    this machine on behalf of its own user, so the backend's export roots do not apply; a
    remote one is the backend's business (``HttpArtifactCatalog.export_to_hub``)."""
    from synth_ai.domain.artifacts.service import ArtifactService

    if container is None:
        from synth_ai.container import create_container

        container = create_container(settings)
    catalog = open_catalog(settings, container)
    if settings.backend_url:
        return ArtifactService(catalog, clock=container.clock(), ids=container.ids())
    return ArtifactService(
        catalog,
        clock=container.clock(),
        ids=container.ids(),
        hub=container.model_hub(),
        weights=container.weights_files(),
    )


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
        self._service = open_artifacts(settings, create_container(settings))
        self.catalog = self._service.catalog

    def report_model(
        self,
        model_id: str,
        *,
        weights_path: str | None = None,
        status: str = "succeeded",
        metadata: dict | None = None,
    ):
        from synth_ai.domain.artifacts.service import RegisterModel

        return self._service.register_model(
            RegisterModel(model_id, status, weights_path, dict(metadata or {}))
        )

    def report_prompt_job(
        self,
        job_id: str,
        *,
        status: str = "running",
        algorithm: str | None = None,
        metadata: dict | None = None,
    ):
        from synth_ai.domain.artifacts.service import RegisterPromptJob

        return self._service.register_prompt_job(
            RegisterPromptJob(job_id, status, algorithm, dict(metadata or {}))
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
        from synth_ai.domain.artifacts.service import ReportSnapshot

        report = ReportSnapshot(payload, snapshot_id, score, validation_score)
        return self._service.report_snapshot(job_id, report).job

    def best_prompt(self, job_id: str) -> list[dict[str, str]]:
        from synth_ai.adapters.wire import artifacts as wire

        return wire.messages(self._service.best_prompt(job_id))

    def list(self, *, kind: str = "all", status: str | None = None, limit: int = 50):
        return self._service.list(kind=kind, status=status, limit=limit)
