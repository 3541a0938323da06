"""Use cases of artifacts: register, list, show, best prompt, export — over ports only.

One ``ArtifactService`` serves one catalog (one org); the HTTP routes build one per request's
org, the CLI and SDK one for the catalog they opened (local store or remote backend). Inputs
are the commands below, which the wire converters (``adapters/wire/artifacts.py``) structure
from JSON; outputs are domain records the same converters serialise.
"""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

from attrs import Factory, define, frozen
from synth_ai.domain.artifacts.errors import InvalidArtifactId, UnknownSnapshot
from synth_ai.domain.artifacts.exports import (
    ExportRequest,
    ExportResult,
    StoredWeights,
    check_weights_location,
    model_card,
    select_weights,
    stored_weights,
)
from synth_ai.domain.artifacts.model import (
    ArtifactId,
    ModelArtifact,
    PromptJob,
    PromptSnapshot,
    check_list_type,
    check_status,
)
from synth_ai.domain.artifacts.prompts import PromptMessage, best_prompt
from synth_ai.domain.errors import InvalidInput
from synth_ai.ports.artifacts import (
    ArtifactCatalog,
    ArtifactListing,
    ModelHub,
    Progress,
    WeightsFiles,
)
from synth_ai.ports.clock import Clock, IdGenerator

LATEST = 253_402_300_799.0  # 9999-12-31T23:59:59Z: the last time ISO 8601 (and Python) can write

# -- commands ---------------------------------------------------------------------------------


@define
class RegisterModel:
    id: str
    status: str = "succeeded"
    weights_path: str | None = None
    metadata: dict[str, Any] = Factory(dict)
    created_at: float | None = None


@define
class ReportSnapshot:
    payload: dict[str, Any]
    snapshot_id: str | None = None
    score: float | None = None
    validation_score: float | None = None
    created_at: float | None = None


@define
class RegisterPromptJob:
    job_id: str
    status: str = "running"
    algorithm: str | None = None
    metadata: dict[str, Any] = Factory(dict)
    created_at: float | None = None
    snapshots: list[ReportSnapshot] = Factory(list)


# -- results ------------------------------------------------------------------------------------


@frozen
class PromptDetail:
    """A job with its best snapshot (``None`` before a scored one) and the prompt it holds."""

    job: PromptJob
    best_snapshot: PromptSnapshot | None
    best_prompt: list[PromptMessage]


@frozen
class SnapshotReported:
    job: PromptJob
    snapshot: PromptSnapshot


# -- the service --------------------------------------------------------------------------------


MODELS_SCANNED = 1000
"""How many models ``list_each_type`` reads to fill both model types."""


class ArtifactService:
    def __init__(
        self,
        catalog: ArtifactCatalog,
        *,
        clock: Clock,
        ids: IdGenerator,
        hub: ModelHub | None = None,
        weights: WeightsFiles | None = None,
        export_roots: tuple[str, ...] | None = None,
        protected: tuple[str, ...] = (),
    ):
        """``export_roots`` (when given) confine both the weights a model may be registered with
        and what an export may upload; ``protected`` paths (the home, its config and database)
        may never be inside a weights folder."""
        self.catalog = catalog
        self._clock = clock
        self._ids = ids
        self._hub = hub
        self._weights = weights
        self._export_roots = export_roots
        self._protected = protected

    # registration ------------------------------------------------------------------------
    def register_model(self, command: RegisterModel) -> ModelArtifact:
        if command.weights_path is not None and "\x00" in command.weights_path:
            raise InvalidInput(
                "weights_path holds a NUL character — send the folder's path", param="weights_path"
            )
        if command.weights_path and self._export_roots is not None and self._weights is not None:
            check_weights_location(
                command.id,
                command.weights_path,
                self._weights.resolve(command.weights_path),
                self._roots(),
                self._protected,
            )
        model = ModelArtifact.new(
            command.id,
            status=command.status,
            weights_path=command.weights_path,
            metadata=command.metadata,
            created_at=self._when(command.created_at),
        )
        return self.catalog.register_model(model)

    def register_prompt_job(self, command: RegisterPromptJob) -> PromptJob:
        """Register a job and any snapshots that came with it; returns the job as stored."""
        job = self.catalog.register_prompt_job(
            PromptJob.new(
                command.job_id,
                status=command.status,
                algorithm=command.algorithm,
                metadata=command.metadata,
                now=self._when(command.created_at),
            )
        )
        for report in command.snapshots:
            job = self.catalog.add_snapshot(self._snapshot(job.job_id, report))
        return job

    def report_snapshot(self, job_id: str, report: ReportSnapshot) -> SnapshotReported:
        snapshot = self._snapshot(prompt_job_id(job_id), report)
        return SnapshotReported(self.catalog.add_snapshot(snapshot), snapshot)

    # reading ------------------------------------------------------------------------------
    def list(
        self, *, kind: str | None = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        return self.catalog.list_artifacts(
            kind=check_list_type(kind), status=check_status(status), limit=limit
        )

    def list_each_type(
        self, *, kind: str | None = "all", status: str | None = None, limit: int = 50
    ) -> ArtifactListing:
        """Up to ``limit`` of each type (fine-tuned/PEFT models, RL models, prompt jobs), newest
        first, as ``GET /api/artifacts`` serves them to the public client (``--limit`` is
        "maximum items per type" there). Models are read up to ``MODELS_SCANNED`` at once."""
        kind, status = check_list_type(kind), check_status(status)
        models: builtins.list[ModelArtifact] = []
        prompts: builtins.list[PromptJob] = []
        total = 0
        if kind in ("models", "all"):
            found = self.catalog.list_artifacts(kind="models", status=status, limit=MODELS_SCANNED)
            rl = [m for m in found.models if m.kind == "rl"][:limit]
            other = [m for m in found.models if m.kind != "rl"][:limit]
            models = sorted(rl + other, key=lambda m: -m.created_at)
            total += found.total_count
        if kind in ("prompts", "all"):
            found = self.catalog.list_artifacts(kind="prompts", status=status, limit=limit)
            prompts, total = found.prompts, total + found.total_count
        return ArtifactListing(models, prompts, total)

    def model(self, model_id: str) -> ModelArtifact:
        parsed = ArtifactId.parse(model_id)
        if not parsed.is_model:
            raise InvalidArtifactId(
                f"{model_id!r} is a prompt job id — use /api/artifacts/prompts/{{job_id}}",
                param="id",
            )
        return self.catalog.get_model(str(parsed))

    def prompt(self, job_id: str) -> PromptDetail:
        job = self.catalog.get_prompt_job(prompt_job_id(job_id))
        return self._detail(job)

    def best_prompt(self, job_id: str) -> builtins.list[PromptMessage]:
        return self.prompt(job_id).best_prompt

    def snapshots(self, job_id: str) -> builtins.list[PromptSnapshot]:
        return self.catalog.list_snapshots(prompt_job_id(job_id))

    def snapshot(self, job_id: str, snapshot_id: str) -> PromptSnapshot:
        return self.catalog.get_snapshot(prompt_job_id(job_id), snapshot_id)

    def find(self, raw: str) -> ModelArtifact | PromptDetail:
        """A model or a prompt job by its id; ids of unknown form try models, then prompts
        (a backend with its own id scheme may hold such ids)."""
        from synth_ai.domain.errors import NotFound

        try:
            parsed = ArtifactId.parse(raw)
        except InvalidArtifactId as bad:
            for fetch in (
                lambda: self.catalog.get_model(raw),
                lambda: self._detail(self.catalog.get_prompt_job(raw)),
            ):
                try:
                    return fetch()
                except (NotFound, InvalidInput):
                    continue
            raise bad from None
        if parsed.is_model:
            return self.catalog.get_model(str(parsed))
        return self.prompt(str(parsed))

    def snapshots_to_download(
        self, job_id: str, *, snapshot_id: str | None = None, every: bool = False
    ) -> tuple[PromptJob, builtins.list[PromptSnapshot], str]:
        """The job, the snapshots ``download`` writes, and the file's base name."""

        parsed = ArtifactId.parse(job_id)
        if parsed.is_model:
            raise InvalidArtifactId(
                f"{job_id!r} is a model id; download takes a prompt job id (pl_<hex>) — "
                "use 'synth-ai artifacts export' for models",
                param="job_id",
            )
        if snapshot_id and every:
            raise InvalidInput("--snapshot-id and --all-snapshots exclude each other — pass one")
        job = self.catalog.get_prompt_job(str(parsed))
        if every:
            snapshots = self.catalog.list_snapshots(job.job_id)
            if not snapshots:
                raise UnknownSnapshot(f"job {job.job_id} has no snapshots yet")
            return job, snapshots, "all_snapshots"
        if snapshot_id:
            return job, [self.catalog.get_snapshot(job.job_id, snapshot_id)], snapshot_id
        if job.best_snapshot_id:
            return job, [self.catalog.get_snapshot(job.job_id, job.best_snapshot_id)], "best"
        raise UnknownSnapshot(
            f"job {job.job_id} has no scored snapshot yet — pass --snapshot-id or --all-snapshots"
        )

    # export -------------------------------------------------------------------------------
    def export(
        self, request: ExportRequest, *, token: str | None = None, progress: Progress | None = None
    ) -> ExportResult:
        if self._hub is None or self._weights is None:
            raise RuntimeError("ArtifactService was built without a model hub and weights files")
        model = self.catalog.get_model(str(ArtifactId.parse(request.model_id)))
        folder = self._weights.inspect(model.weights_path) if model.weights_path else None
        roots = None if self._export_roots is None else self._roots()
        path, variant = select_weights(model, request.prefer_merged, folder, roots, self._protected)
        upload = self._hub.upload_folder(
            Path(path),
            repo_id=request.repo_id,
            private=request.private,
            model_card=model_card(model, request.repo_id, request.tags, variant),
            token=token,
            progress=progress,
        )
        return ExportResult(
            model.id,
            upload.repo_id,
            upload.url,
            request.private,
            variant,
            upload.files,
            upload.commit,
        )

    def stored_weights(self, limit: int = 1000) -> builtins.list[StoredWeights]:
        """Every registered model with the weights variants it could export (the public
        client's ``GET /api/learning/models/on-wasabi``)."""
        found = self.catalog.list_artifacts(kind="models", status=None, limit=limit)
        return [
            stored_weights(
                m,
                self._weights.inspect(m.weights_path) if self._weights and m.weights_path else None,
            )
            for m in found.models
        ]

    # helpers ------------------------------------------------------------------------------
    def _roots(self) -> tuple[str, ...]:
        assert self._weights is not None and self._export_roots is not None
        return tuple(self._weights.resolve(r) for r in self._export_roots)

    def _when(self, given: float | None) -> float:
        if given is None:
            return self._clock.now()
        if not 0 <= given <= LATEST:
            raise InvalidInput(
                f"created_at {given!r} is not a time synth-ai can store — send seconds since "
                "1970 (before the year 10000) or an ISO 8601 string",
                param="created_at",
            )
        return given

    def _snapshot(self, job_id: str, report: ReportSnapshot) -> PromptSnapshot:
        return PromptSnapshot(
            report.snapshot_id or self._ids.new_id("snap"),
            job_id,
            report.payload,
            self._when(report.created_at),
            report.score,
            report.validation_score,
        )

    def _detail(self, job: PromptJob) -> PromptDetail:
        best = (
            self.catalog.get_snapshot(job.job_id, job.best_snapshot_id)
            if job.best_snapshot_id
            else None
        )
        return PromptDetail(job, best, best_prompt(best.payload if best else None))


def prompt_job_id(raw: str) -> str:
    """The canonical id of a prompt job; a model id here is a mistake worth naming."""
    parsed = ArtifactId.parse(raw)
    if parsed.is_model:
        raise InvalidArtifactId(
            f"{raw!r} is a model id — use /api/artifacts/models/{{id}}", param="job_id"
        )
    return str(parsed)
