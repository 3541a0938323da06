"""Artifact routes, wire-compatible with the public synth-ai client, plus registration.

Model ids contain ``/`` and ``:`` (``ft:Qwen/Qwen3-0.6B:job_1``), so the model route takes the
rest of the path (``{model_id:path}``); clients may send the id raw or percent-encoded.
"""

from __future__ import annotations

from pathlib import Path

from attrs import define, field
from synth_ai.artifact_payloads import (
    ModelIn,
    PromptJobIn,
    SnapshotIn,
    listing_to_wire,
    on_the_wire,
    prompt_detail,
    register_prompt_job,
)
from synth_ai.domain.artifacts.exports import ExportRequest, export_model, split_tags
from synth_ai.domain.artifacts.model import (
    ArtifactId,
    InvalidArtifactId,
    check_list_type,
    check_status,
)
from synth_ai.http.payload import query_int, read_object, send_json, structure


def _send(resp, document: dict, status: int = 200) -> None:
    send_json(resp, on_the_wire(document), status=status)


TAG = "artifacts"
OBJ = {"type": "object"}


def _prompt_id(raw: str) -> str:
    parsed = ArtifactId.parse(raw)
    if parsed.is_model:
        raise InvalidArtifactId(
            f"{raw!r} is a model id — use /api/artifacts/models/{{id}}", param="job_id"
        )
    return str(parsed)


class _Catalog:
    def __init__(self, container):
        self._container = container

    def catalog(self, req):
        return self._container.artifact_catalog(org_id=req.context.principal.org_id)


class ArtifactList(_Catalog):
    def on_get(self, req, resp):
        kind = check_list_type(req.get_param("type"))
        status = check_status(req.get_param("status"))
        limit = query_int(req, "limit", 50, minimum=1, maximum=1000)
        _send(
            resp,
            listing_to_wire(
                self.catalog(req).list_artifacts(kind=kind, status=status, limit=limit)
            ),
        )


class ModelCollection(_Catalog):
    def on_post(self, req, resp):
        body = structure(read_object(req), ModelIn)
        model = self.catalog(req).register_model(body.to_model(self._container.clock()))
        _send(resp, model.to_dict(), status=201)


class ModelItem(_Catalog):
    def on_get(self, req, resp, model_id):
        parsed = ArtifactId.parse(model_id)
        if not parsed.is_model:
            raise InvalidArtifactId(
                f"{model_id!r} is a prompt job id — use /api/artifacts/prompts/{{job_id}}",
                param="id",
            )
        _send(resp, self.catalog(req).get_model(str(parsed)).to_dict())


class PromptCollection(_Catalog):
    def on_post(self, req, resp):
        body = structure(read_object(req), PromptJobIn)
        catalog = self.catalog(req)
        job = register_prompt_job(catalog, body, self._container.clock(), self._container.ids())
        _send(resp, prompt_detail(catalog, job.job_id), status=201)


class PromptItem(_Catalog):
    def on_get(self, req, resp, job_id):
        _send(resp, prompt_detail(self.catalog(req), _prompt_id(job_id)))


class SnapshotCollection(_Catalog):
    def on_post(self, req, resp, job_id):
        body = structure(read_object(req), SnapshotIn)
        snapshot = body.to_snapshot(
            _prompt_id(job_id), self._container.clock(), self._container.ids()
        )
        job = self.catalog(req).add_snapshot(snapshot)
        _send(resp, {**job.to_dict(), "snapshot": snapshot.to_dict()}, status=201)

    def on_get(self, req, resp, job_id):
        snapshots = self.catalog(req).list_snapshots(_prompt_id(job_id))
        _send(resp, {"artifacts": [s.to_dict() for s in snapshots]})


class SnapshotItem(_Catalog):
    def on_get(self, req, resp, job_id, snapshot_id):
        _send(resp, self.catalog(req).get_snapshot(_prompt_id(job_id), snapshot_id).to_dict())


@define
class ExportIn:
    model_id: str
    repo_id: str
    private: bool | None = None
    visibility: str | None = None
    tags: list[str] | str = field(factory=list)
    prefer_merged: bool = True
    hf_token: str | None = None


class HfExport(_Catalog):
    def on_post(self, req, resp):
        body = structure(read_object(req), ExportIn)
        private = body.private if body.private is not None else body.visibility != "public"
        tags = split_tags(body.tags) if isinstance(body.tags, str) else tuple(body.tags)
        request = ExportRequest(body.model_id, body.repo_id, private, tags, body.prefer_merged)
        roots = self._container.settings().section("artifacts").get("export_roots")
        result = export_model(
            self.catalog(req),
            self._container.model_hub(),
            request,
            token=body.hf_token,
            export_roots=None if roots is None else tuple(Path(r) for r in roots),
        )
        _send(resp, result)


def register(app, container, spec) -> None:
    routes = [
        (
            "/api/artifacts",
            ArtifactList,
            [("GET", "List models and prompt jobs (?limit&type&status)")],
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
    ]
    list_params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}},
        {"name": "type", "in": "query", "schema": {"enum": ["models", "prompts", "all"]}},
        {"name": "status", "in": "query", "schema": {"type": "string"}},
    ]
    for path, resource_cls, operations in routes:
        resource = resource_cls(container)
        if path == "/api/prompt-learning/online/jobs/{job_id}/artifacts":
            app.add_route(path, _GetOnly(resource))
        else:
            app.add_route(path, resource)
        for method, summary in operations:
            spec.add(
                path,
                method,
                summary,
                tag=TAG,
                request=OBJ if method == "POST" else None,
                parameters=list_params if path == "/api/artifacts" else None,
                status=201 if method == "POST" and "exports" not in path else 200,
            )


class _GetOnly:
    """Serves only ``on_get`` of a resource under a second path."""

    def __init__(self, resource):
        self.on_get = resource.on_get
