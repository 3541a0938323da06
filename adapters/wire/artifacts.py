"""Artifacts on the wire: one set of cattrs converters for the HTTP routes, the CLI, the SDK
and the backend client.

Shapes are those the public synth-ai client reads: timestamps are ISO 8601 strings (input
also takes seconds since the epoch), a prompt job's missing ``algorithm`` is left out rather
than ``null``, user data (``metadata``, snapshot payloads) passes through untouched. Input
bodies are structured with ``forbid_extra_keys`` so a typo'd field is a 422 naming its path.
"""

from __future__ import annotations

from typing import Any, TypeVar

import cattrs
from attrs import define, field
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter
from synth_ai.adapters.wire.strict import input_converter, structure_or_422
from synth_ai.domain.artifacts.errors import InvalidExport
from synth_ai.domain.artifacts.exports import (
    ExportRequest,
    ExportResult,
    StoredWeights,
    parse_weights_key,
    split_tags,
    weights_key,
)
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.domain.artifacts.prompts import PromptMessage
from synth_ai.domain.artifacts.service import (
    PromptDetail,
    RegisterModel,
    RegisterPromptJob,
    ReportSnapshot,
    SnapshotReported,
)
from synth_ai.domain.timestamps import epoch, iso
from synth_ai.ports.artifacts import ArtifactListing

T = TypeVar("T")
FINAL_STATUSES = ("succeeded", "failed", "canceled")


def _timestamp(value: Any, _type: Any = None) -> float | None:
    """Seconds since the epoch from a number or an ISO 8601 string."""
    return epoch(value)


def _iso(value: float | None) -> str | None:
    return iso(value)


@define
class ExportIn:
    """``POST /api/learning/exports/hf``: visibility as ``private`` or ``visibility``, tags as a
    list or a comma-separated string, and an optional Hub token.

    The public synth-ai 0.2.24 client's body is accepted too: ``key`` (from
    ``GET /api/learning/models/on-wasabi``) in place of ``model_id``, ``artifact_kind``
    (``lora`` prefers the adapter, ``training_file`` the merged weights; the key's own variant
    wins), ``repo_type`` (only ``model``), and ``base_model``/``bucket``/``folder_name``, which
    are read but not needed: the registered model knows its base and its folder."""

    repo_id: str
    model_id: str | None = None
    private: bool | None = None
    visibility: str | None = None
    tags: list[str] | str = field(factory=list)
    prefer_merged: bool | None = None
    hf_token: str | None = None
    key: str | None = None
    artifact_kind: str | None = None
    repo_type: str | None = None
    base_model: str | None = None
    bucket: str | None = None
    folder_name: str | None = None

    def to_request(self) -> ExportRequest:
        private = self.private if self.private is not None else self.visibility != "public"
        tags = split_tags(self.tags) if isinstance(self.tags, str) else tuple(self.tags)
        if self.repo_type not in (None, "model"):
            raise InvalidExport(
                f"repo_type {self.repo_type!r} is not supported — only 'model' repos are exported",
                param="repo_type",
                code="invalid_repo_type",
            )
        prefer_merged = self.prefer_merged
        if prefer_merged is None and self.artifact_kind is not None:
            prefer_merged = self.artifact_kind != "lora"
        model_id = self.model_id
        if self.key is not None:
            keyed, keyed_merged = parse_weights_key(self.key)
            if model_id is not None and model_id != keyed:
                raise InvalidExport(
                    f"key {self.key!r} names another model than model_id {model_id!r} — send one",
                    param="key",
                    code="key_mismatch",
                )
            model_id, prefer_merged = keyed, keyed_merged
        if model_id is None:
            raise InvalidExport(
                "no model to export — send model_id (or a key from GET /api/learning/models/on-wasabi)",
                param="model_id",
                code="missing_model_id",
            )
        merged = True if prefer_merged is None else prefer_merged
        return ExportRequest(model_id, self.repo_id, private, tags, merged)

    @classmethod
    def of(cls, request: ExportRequest, hf_token: str | None = None) -> ExportIn:
        return cls(
            request.repo_id,
            request.model_id,
            private=request.private,
            tags=list(request.tags),
            prefer_merged=request.prefer_merged,
            hf_token=hf_token,
        )


def _input_converter() -> cattrs.Converter:
    """Bodies a client sends: unknown keys refused, timestamps as numbers or ISO strings."""
    conv = input_converter()
    stamp = override(struct_hook=_timestamp)
    for cls in (RegisterModel, ReportSnapshot, RegisterPromptJob):
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, created_at=stamp))
    return conv


def _record_converter() -> cattrs.Converter:
    """Records both ways: ISO timestamps out; back in (from a backend), extra keys ignored."""
    conv = make_converter()
    out, back = override(unstruct_hook=_iso), override(struct_hook=_timestamp)
    model_out = make_dict_unstructure_fn(ModelArtifact, conv, created_at=out)
    job_out = make_dict_unstructure_fn(PromptJob, conv, created_at=out, updated_at=out)
    snapshot_out = make_dict_unstructure_fn(PromptSnapshot, conv, created_at=out)

    def model(m: ModelArtifact) -> dict[str, Any]:
        # ``dtype`` (shown by the public client's ``artifacts show``) from the registered
        # metadata; ``"unknown"`` rather than a ``None`` it would print.
        dtype = m.metadata.get("dtype") if isinstance(m.metadata.get("dtype"), str) else None
        kind = "rl" if m.kind == "rl" else "fine_tuned"
        return {"type": kind, **model_out(m), "dtype": dtype or "unknown"}

    def job(j: PromptJob) -> dict[str, Any]:
        # ``finished_at``: when a job reached a final status (its last update), else ``None``.
        finished = _iso(j.updated_at) if j.status in FINAL_STATUSES else None
        document = {"id": j.job_id, "type": "prompt", **job_out(j), "finished_at": finished}
        if document["algorithm"] is None:
            del document["algorithm"]  # the public client slices it
        return document

    def snapshot(s: PromptSnapshot) -> dict[str, Any]:
        return {"id": s.snapshot_id, **snapshot_out(s)}

    conv.register_unstructure_hook(ModelArtifact, model)
    conv.register_unstructure_hook(PromptJob, job)
    conv.register_unstructure_hook(PromptSnapshot, snapshot)
    conv.register_structure_hook(
        ModelArtifact, make_dict_structure_fn(ModelArtifact, conv, created_at=back)
    )
    conv.register_structure_hook(
        PromptJob, make_dict_structure_fn(PromptJob, conv, created_at=back, updated_at=back)
    )
    conv.register_structure_hook(
        PromptSnapshot, make_dict_structure_fn(PromptSnapshot, conv, created_at=back)
    )
    return conv


inputs = _input_converter()
records = _record_converter()


# -- in -------------------------------------------------------------------------------------


def read(data: Any, cls: type[T]) -> T:
    """A client's body as a command, or a 422 with messages such as ``expected int @ $.x``."""
    return structure_or_422(inputs, data, cls)


def model_in(m: ModelArtifact) -> RegisterModel:
    return RegisterModel(m.id, m.status, m.weights_path, m.metadata, m.created_at)


def prompt_job_in(j: PromptJob) -> RegisterPromptJob:
    return RegisterPromptJob(j.job_id, j.status, j.algorithm, j.metadata, j.created_at)


def snapshot_in(s: PromptSnapshot) -> ReportSnapshot:
    return ReportSnapshot(s.payload, s.snapshot_id, s.score, s.validation_score, s.created_at)


def body(command: RegisterModel | RegisterPromptJob | ReportSnapshot | ExportIn) -> dict[str, Any]:
    """A command as the JSON body the HTTP routes read."""
    document = inputs.unstructure(command)
    if isinstance(command, RegisterPromptJob) and not command.snapshots:
        del document["snapshots"]
    if isinstance(command, ExportIn):
        document = {k: v for k, v in document.items() if v is not None}
    return document


# -- out ------------------------------------------------------------------------------------


def model(m: ModelArtifact) -> dict[str, Any]:
    return records.unstructure(m, ModelArtifact)


def prompt_job(j: PromptJob) -> dict[str, Any]:
    return records.unstructure(j, PromptJob)


def snapshot(s: PromptSnapshot) -> dict[str, Any]:
    return records.unstructure(s, PromptSnapshot)


def messages(found: list[PromptMessage]) -> list[dict[str, str]]:
    return records.unstructure(found, list[PromptMessage])


def prompt_detail(detail: PromptDetail) -> dict[str, Any]:
    """``GET /api/artifacts/prompts/{job_id}``: ``best_snapshot`` is the best snapshot's payload
    itself (``messages``, ``object`` …), as the public client reads it to extract the prompt;
    its id and scores are the ``best_*`` fields beside it."""
    return {
        **prompt_job(detail.job),
        "best_snapshot": detail.best_snapshot.payload if detail.best_snapshot else None,
        "best_prompt": messages(detail.best_prompt),
    }


def snapshot_reported(reported: SnapshotReported) -> dict[str, Any]:
    return {**prompt_job(reported.job), "snapshot": snapshot(reported.snapshot)}


def snapshot_list(snapshots: list[PromptSnapshot]) -> dict[str, Any]:
    return {"artifacts": [snapshot(s) for s in snapshots]}


def listing(found: ArtifactListing) -> dict[str, Any]:
    """``GET /api/artifacts``, as the public synth-ai client reads it."""
    fine_tuned = [model(m) for m in found.models if m.kind != "rl"]
    rl = [model(m) for m in found.models if m.kind == "rl"]
    prompts = [prompt_job(p) for p in found.prompts]
    return {
        "fine_tuned_models": fine_tuned,
        "rl_models": rl,
        "prompts": prompts,
        "summary": {
            "total_count": found.total_count,
            "returned_count": len(fine_tuned) + len(rl) + len(prompts),
            "fine_tuned_count": len(fine_tuned),
            "rl_count": len(rl),
            "prompt_count": len(prompts),
        },
    }


def export_result(result: ExportResult) -> dict[str, Any]:
    """Our fields plus ``repo_url``, which the public client prints."""
    return {**records.unstructure(result), "repo_url": result.url}


def stored_weights(found: list[StoredWeights]) -> dict[str, Any]:
    """``GET /api/learning/models/on-wasabi``, as the public client reads it: each model's
    ``wasabi.merged`` / ``wasabi.adapter`` with ``present`` and the ``key`` to export."""

    def variant(s: StoredWeights, name: str, present: bool) -> dict[str, Any]:
        return {"present": present, "key": weights_key(s.model.id, name) if present else None}

    return {
        "models": [
            {
                **model(s.model),
                "wasabi": {
                    "merged": variant(s, "merged", s.merged),
                    "adapter": variant(s, "adapter", s.adapter),
                },
            }
            for s in found
        ]
    }


# -- back in (the backend client) -------------------------------------------------------------


def model_from(document: dict[str, Any]) -> ModelArtifact:
    return records.structure(document, ModelArtifact)


def prompt_job_from(document: dict[str, Any]) -> PromptJob:
    return records.structure(document, PromptJob)


def snapshot_from(document: dict[str, Any]) -> PromptSnapshot:
    return records.structure(document, PromptSnapshot)


def listing_from(document: dict[str, Any]) -> ArtifactListing:
    models = [
        model_from(m)
        for m in (*document.get("fine_tuned_models", []), *document.get("rl_models", []))
    ]
    models.sort(key=lambda m: -m.created_at)
    prompts = [prompt_job_from(p) for p in document.get("prompts", [])]
    return ArtifactListing(models, prompts, int(document.get("summary", {}).get("total_count", 0)))


def export_result_from(document: dict[str, Any]) -> ExportResult:
    return records.structure(document, ExportResult)
