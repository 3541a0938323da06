"""Artifact routes, wire-compatible with the public synth-ai client, plus registration.

Model ids contain ``/`` and ``:`` (``ft:Qwen/Qwen3-0.6B:job_1``), so the model route takes the
rest of the path (``{model_id:path}``); clients may send the id raw or percent-encoded.
"""

from __future__ import annotations

from collections.abc import Callable

from synth_ai.adapters.wire import artifacts as wire
from synth_ai.domain.artifacts.service import (
    ArtifactService,
    RegisterModel,
    RegisterPromptJob,
    ReportSnapshot,
)
from synth_ai.domain.errors import InvalidInput
from synth_ai.http.openapi import template
from synth_ai.http.payload import query_int, read_object, send_json
from synth_ai.http.routes import artifact_schemas as schemas
from synth_ai.prompt_files import EXTENSIONS, MEDIA_TYPES, prompt_document, render

TAG = "artifacts"

ArtifactsFor = Callable[[str], ArtifactService]
"""The artifact use cases of one org (its catalog), by org id."""


class _Artifacts:
    def __init__(self, artifacts_for: ArtifactsFor):
        self._artifacts_for = artifacts_for

    def artifacts(self, req) -> ArtifactService:
        return self._artifacts_for(req.context.principal.org_id)


class ArtifactList(_Artifacts):
    def on_get(self, req, resp):
        found = self.artifacts(req).list_each_type(
            kind=req.get_param("type"),
            status=req.get_param("status"),
            limit=query_int(req, "limit", 50, minimum=1, maximum=1000),
        )
        send_json(resp, wire.listing(found))


class ModelCollection(_Artifacts):
    def on_post(self, req, resp):
        command = wire.read(read_object(req), RegisterModel)
        send_json(resp, wire.model(self.artifacts(req).register_model(command)), status=201)


class ModelItem(_Artifacts):
    def on_get(self, req, resp, model_id):
        send_json(resp, wire.model(self.artifacts(req).model(model_id)))


class PromptCollection(_Artifacts):
    def on_post(self, req, resp):
        command = wire.read(read_object(req), RegisterPromptJob)
        artifacts = self.artifacts(req)
        job = artifacts.register_prompt_job(command)
        send_json(resp, wire.prompt_detail(artifacts.prompt(job.job_id)), status=201)


class PromptItem(_Artifacts):
    def on_get(self, req, resp, job_id):
        send_json(resp, wire.prompt_detail(self.artifacts(req).prompt(job_id)))


class PromptDownload(_Artifacts):
    """The file ``synth-ai artifacts download`` writes, as an attachment (?format&snapshot_id)."""

    def on_get(self, req, resp, job_id):
        fmt = req.get_param("format") or "json"
        if fmt not in EXTENSIONS:
            raise InvalidInput(
                f"format must be one of {', '.join(EXTENSIONS)}, got {fmt!r}", param="format"
            )
        job, snapshots, name = self.artifacts(req).snapshots_to_download(
            job_id,
            snapshot_id=req.get_param("snapshot_id") or None,
            every=req.get_param_as_bool("all_snapshots", default=False),
        )
        resp.content_type = MEDIA_TYPES[fmt]
        resp.downloadable_as = f"{job.job_id}-{name}.{EXTENSIONS[fmt]}"
        resp.text = render(prompt_document(job, snapshots), fmt)


class SnapshotCollection(_Artifacts):
    def on_post(self, req, resp, job_id):
        report = wire.read(read_object(req), ReportSnapshot)
        reported = self.artifacts(req).report_snapshot(job_id, report)
        send_json(resp, wire.snapshot_reported(reported), status=201)

    def on_get(self, req, resp, job_id):
        send_json(resp, wire.snapshot_list(self.artifacts(req).snapshots(job_id)))


class SnapshotItem(_Artifacts):
    def on_get(self, req, resp, job_id, snapshot_id):
        send_json(resp, wire.snapshot(self.artifacts(req).snapshot(job_id, snapshot_id)))


class HfExport(_Artifacts):
    def on_post(self, req, resp):
        body = wire.read(read_object(req), wire.ExportIn)
        result = self.artifacts(req).export(body.to_request(), token=body.hf_token)
        send_json(resp, wire.export_result(result))


class StoredWeightsList(_Artifacts):
    def on_get(self, req, resp):
        send_json(resp, wire.stored_weights(self.artifacts(req).stored_weights()))


def register(app, spec, *, artifacts_for: ArtifactsFor) -> None:
    routes = [
        (
            "/api/artifacts",
            ArtifactList,
            [("GET", "List models and prompt jobs (?limit per type &type&status)")],
        ),
        (
            "/api/artifacts/models",
            ModelCollection,
            [("POST", "Register a trained model and its weights location")],
        ),
        (
            "/api/artifacts/models/{model_id:path}",
            ModelItem,
            [("GET", "One model (ft:, rl:, peft: id)")],
        ),
        (
            "/api/artifacts/prompts",
            PromptCollection,
            [("POST", "Register a prompt-optimisation job (and snapshots)")],
        ),
        (
            "/api/artifacts/prompts/{job_id}",
            PromptItem,
            [("GET", "Job summary, best snapshot and best prompt")],
        ),
        (
            "/api/artifacts/prompts/{job_id}/download",
            PromptDownload,
            [
                (
                    "GET",
                    "A prompt job's best (or chosen, or every) prompt as a json, yaml or text file",
                )
            ],
        ),
        (
            "/api/artifacts/prompts/{job_id}/snapshots",
            SnapshotCollection,
            [
                ("POST", "Report a snapshot of a prompt job"),
                ("GET", "Every snapshot of a prompt job"),
            ],
        ),
        (
            "/api/prompt-learning/online/jobs/{job_id}/artifacts",
            SnapshotCollection,
            [("GET", "Every snapshot of a prompt job (public-client path)")],
        ),
        (
            "/api/prompt-learning/online/jobs/{job_id}/snapshots/{snapshot_id}",
            SnapshotItem,
            [("GET", "One snapshot of a prompt job")],
        ),
        (
            "/api/learning/exports/hf",
            HfExport,
            [("POST", "Upload a model's files to the Hugging Face Hub")],
        ),
        (
            "/api/learning/models/on-wasabi",
            StoredWeightsList,
            [("GET", "Models whose weights can be exported, with the key to export each variant")],
        ),
    ]
    for path, resource_cls, operations in routes:
        resource = resource_cls(artifacts_for)
        if path == "/api/prompt-learning/online/jobs/{job_id}/artifacts":
            app.add_route(path, _GetOnly(resource))
        else:
            app.add_route(path, resource)
        ids = [param for name, param in schemas.IDS.items() if "{" + name in path]
        for method, summary in operations:
            spec.add(
                path,
                method,
                summary,
                tag=TAG,
                request=schemas.REQUESTS.get(template(path)) if method == "POST" else None,
                parameters=_parameters(path, ids),
                status=201 if method == "POST" and "exports" not in path else 200,
                media_types=DOWNLOAD_MEDIA if path.endswith("/download") else None,
            )


DOWNLOAD_MEDIA = {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}
DOWNLOAD_PARAMS = [
    {"name": "format", "in": "query", "schema": {"enum": list(EXTENSIONS), "default": "json"}},
    {"name": "snapshot_id", "in": "query", "schema": {"type": "string"}},
    {"name": "all_snapshots", "in": "query", "schema": {"type": "boolean", "default": False}},
]


def _parameters(path: str, ids: list[dict]) -> list[dict]:
    if path == "/api/artifacts":
        return schemas.LIST_PARAMS
    return ids + DOWNLOAD_PARAMS if path.endswith("/download") else ids


class _GetOnly:
    """Serves only ``on_get`` of a resource under a second path."""

    def __init__(self, resource):
        self.on_get = resource.on_get
