"""Publishing a registered model to a model hub: which folder, which card, which repo."""

from __future__ import annotations

import json
import re
from pathlib import Path

from attrs import field, frozen
from synth_ai.domain.artifacts.model import ArtifactId, ModelArtifact
from synth_ai.domain.errors import Forbidden, InvalidInput, NotFound
from synth_ai.ports.artifacts import ArtifactCatalog, HubUpload, ModelHub, Progress

_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


class WeightsMissing(NotFound):
    code = "weights_not_found"


def _repo_id(instance, attribute, value: str) -> None:
    if not isinstance(value, str) or not _REPO.match(value) or len(value) > 96:
        raise InvalidInput(
            f"invalid repo id {value!r} — use ORG/NAME (letters, digits, '-', '_', '.')",
            param="repo_id",
            code="invalid_repo_id",
        )


def _tags(instance, attribute, value: tuple[str, ...]) -> None:
    for tag in value:
        if not _TAG.match(tag):
            raise InvalidInput(
                f"invalid tag {tag!r} — tags hold letters, digits, '-', '_', '.', ':'",
                param="tags",
                code="invalid_tag",
            )


def split_tags(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


@frozen
class ExportRequest:
    model_id: str
    repo_id: str = field(validator=_repo_id)
    private: bool = True
    tags: tuple[str, ...] = field(default=(), converter=tuple, validator=_tags)
    prefer_merged: bool = True

    def __attrs_post_init__(self) -> None:
        parsed = ArtifactId.parse(self.model_id)
        if not parsed.is_model:
            raise InvalidInput(
                f"{self.model_id!r} is a prompt job; only models can be exported — "
                "pass an ft:, rl: or peft: id",
                param="model_id",
                code="not_a_model",
            )


class WeightsOutsideExportRoots(Forbidden):
    code = "weights_outside_export_roots"


def select_weights(
    model: ModelArtifact, prefer_merged: bool, export_roots: tuple[Path, ...] | None = None
) -> tuple[Path, str]:
    """The folder to upload and its variant: ``merged``, ``adapter`` or ``full``.

    ``export_roots`` (when given) are the only folders weights may be uploaded from, so a key
    holder cannot register ``/etc`` as weights and publish the server's files.
    """
    if not model.weights_path:
        raise WeightsMissing(
            f"model {model.id} has no weights location registered — register it "
            "again with a weights path",
            param="model_id",
        )
    root = Path(model.weights_path).expanduser()
    if export_roots is not None:
        resolved = root.resolve()
        if not any(resolved.is_relative_to(Path(r).expanduser().resolve()) for r in export_roots):
            allowed = ", ".join(str(r) for r in export_roots) or "(none)"
            raise WeightsOutsideExportRoots(
                f"weights of {model.id} at {root} are outside the export roots ({allowed}) — move them "
                "there or add the folder to [artifacts] export_roots on the backend",
                param="model_id",
            )
    if not root.is_dir():
        raise WeightsMissing(
            f"weights of {model.id} not found: {root} is not a directory", param="model_id"
        )
    order = ("merged", "adapter") if prefer_merged else ("adapter", "merged")
    for variant in order:
        if (root / variant).is_dir():
            return root / variant, variant
    if not any(p.is_file() for p in root.rglob("*")):
        raise WeightsMissing(
            f"weights folder {root} of {model.id} holds no files", param="model_id"
        )
    return root, "full"


def model_card(model: ModelArtifact, repo_id: str, tags: tuple[str, ...], variant: str) -> str:
    """A Hub model card: YAML front matter (written as JSON values, which YAML accepts) and prose."""
    all_tags = ["synth-ai", model.kind, *[t for t in tags if t not in ("synth-ai", model.kind)]]
    meta = [
        f"base_model: {json.dumps(model.base_model)}",
        f"library_name: {'peft' if variant == 'adapter' else 'transformers'}",
        f"tags: {json.dumps(all_tags)}",
    ]
    kinds = {"ft": "supervised fine-tuning", "rl": "reinforcement learning", "peft": "PEFT (LoRA)"}
    name = repo_id.split("/", 1)[1]
    return "\n".join(
        [
            "---",
            *meta,
            "---",
            "",
            f"# {name}",
            "",
            f"`{model.id}`: trained from [{model.base_model}](https://huggingface.co/{model.base_model}) "
            f"with {kinds[model.kind]} by synth-ai (job `{model.job_id}`).",
            "",
            f"- weights: {variant}",
            f"- status: {model.status}",
            "",
        ]
    )


def export_model(
    catalog: ArtifactCatalog,
    hub: ModelHub,
    request: ExportRequest,
    *,
    token: str | None = None,
    progress: Progress | None = None,
    export_roots: tuple[Path, ...] | None = None,
) -> dict:
    model = catalog.get_model(str(ArtifactId.parse(request.model_id)))
    folder, variant = select_weights(model, request.prefer_merged, export_roots)
    card = model_card(model, request.repo_id, request.tags, variant)
    upload: HubUpload = hub.upload_folder(
        folder,
        repo_id=request.repo_id,
        private=request.private,
        model_card=card,
        token=token,
        progress=progress,
    )
    return {
        "status": "succeeded",
        "model_id": model.id,
        "repo_id": upload.repo_id,
        "url": upload.url,
        "private": request.private,
        "variant": variant,
        "files": upload.files,
        "commit": upload.commit,
    }
