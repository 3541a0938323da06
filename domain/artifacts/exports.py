"""Publishing a registered model to a model hub: which folder, which card, which repo."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import PurePath

from attrs import Attribute, field, frozen
from synth_ai.domain.artifacts.errors import (
    InvalidExport,
    WeightsMissing,
    WeightsOutsideExportRoots,
)
from synth_ai.domain.artifacts.model import ArtifactId, ModelArtifact
from synth_ai.ports.artifacts import WeightsFolder

_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


def _repo_id(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _REPO.match(value) or len(value) > 96:
        raise InvalidExport(
            f"invalid repo id {value!r} — use ORG/NAME (letters, digits, '-', '_', '.')",
            param="repo_id",
            code="invalid_repo_id",
        )


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _tags_tuple(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _tags(instance: object, attribute: Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    for tag in value:
        if not _TAG.match(tag):
            raise InvalidExport(
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
    tags: tuple[str, ...] = field(default=(), converter=_tags_tuple, validator=_tags)
    prefer_merged: bool = True

    def __attrs_post_init__(self) -> None:
        parsed = ArtifactId.parse(self.model_id)
        if not parsed.is_model:
            raise InvalidExport(
                f"{self.model_id!r} is a prompt job; only models can be exported — "
                "pass an ft:, rl: or peft: id",
                param="model_id",
                code="not_a_model",
            )


def select_weights(
    model: ModelArtifact,
    prefer_merged: bool,
    folder: WeightsFolder | None,
    export_roots: tuple[str, ...] | None = None,
    protected: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The folder to upload and its variant: ``merged``, ``adapter`` or ``full``.

    ``folder`` is what the filesystem says about ``model.weights_path`` (``None`` when no path
    is registered). ``export_roots`` (resolved, when given) are the only folders weights may
    be uploaded from — the folder itself and every symlink below it must stay inside one —
    and no ``protected`` path (the home, its config and database) may be inside the folder,
    so a key holder cannot register ``/etc`` or the server's home as weights and publish it.
    """
    if not model.weights_path or folder is None:
        raise WeightsMissing(
            f"model {model.id} has no weights location registered — register it "
            "again with a weights path",
            param="model_id",
        )
    root = folder.path
    if export_roots is not None:
        check_weights_location(model.id, root, folder.resolved, export_roots, protected)
        for target in sorted(folder.links):
            if not _inside(target, export_roots):
                raise WeightsOutsideExportRoots(
                    f"weights of {model.id} at {root} hold a symlink to {target}, outside the "
                    f"export roots ({_listed(export_roots)}) — copy the file into the folder "
                    "instead of linking it",
                    param="model_id",
                )
    if not folder.is_dir:
        raise WeightsMissing(
            f"weights of {model.id} not found: {root} is not a directory", param="model_id"
        )
    order = ("merged", "adapter") if prefer_merged else ("adapter", "merged")
    for variant in order:
        if variant in folder.subfolders:
            return str(PurePath(root) / variant), variant
    if not folder.holds_files:
        raise WeightsMissing(
            f"weights folder {root} of {model.id} holds no files", param="model_id"
        )
    return root, "full"


def check_weights_location(
    model_id: str,
    path: str,
    resolved: str,
    export_roots: tuple[str, ...],
    protected: tuple[str, ...] = (),
) -> None:
    """Refuse (403) a weights folder outside every export root, or one holding a protected path."""
    if not _inside(resolved, export_roots):
        raise WeightsOutsideExportRoots(
            f"weights of {model_id} at {path} are outside the export roots "
            f"({_listed(export_roots)}) — move them there or add the folder to "
            "[artifacts] export_roots on the backend",
            param="model_id",
        )
    for secret in protected:
        if PurePath(secret).is_relative_to(PurePath(resolved)):
            raise WeightsOutsideExportRoots(
                f"weights of {model_id} at {path} would include {secret}, which holds the "
                f"backend's keys or data — register a folder under {_listed(export_roots)} "
                "that holds only the weights",
                param="model_id",
            )


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(PurePath(path).is_relative_to(PurePath(root)) for root in roots)


def _listed(roots: tuple[str, ...]) -> str:
    return ", ".join(roots) or "(none)"


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


@frozen
class ExportResult:
    model_id: str
    repo_id: str
    url: str
    private: bool
    variant: str
    files: list[str]
    commit: str | None = None
    status: str = "succeeded"


# -- the public client's export form ---------------------------------------------------------
# synth-ai 0.2.24 asks ``GET /api/learning/models/on-wasabi`` which weights are stored, then
# posts the ``key`` it found there. Our keys are opaque: ``<model_id>#merged`` or
# ``<model_id>#adapter``, resolved back to the model and the folder to prefer.

KEY_VARIANTS = ("merged", "adapter")


@frozen
class StoredWeights:
    """Which variants of a model's weights folder an export could upload."""

    model: ModelArtifact
    merged: bool
    adapter: bool


def stored_weights(model: ModelArtifact, folder: WeightsFolder | None) -> StoredWeights:
    """``merged`` is a ``merged/`` sub-folder, or a plain folder of files (uploaded whole)."""
    if folder is None or not folder.is_dir:
        return StoredWeights(model, False, False)
    plain = folder.holds_files and not folder.subfolders & set(KEY_VARIANTS)
    return StoredWeights(
        model, "merged" in folder.subfolders or plain, "adapter" in folder.subfolders
    )


def weights_key(model_id: str, variant: str) -> str:
    return f"{model_id}#{variant}"


def parse_weights_key(key: str) -> tuple[str, bool]:
    """The model id and ``prefer_merged`` a key names, or ``InvalidExport`` saying what keys are."""
    model_id, sep, variant = key.rpartition("#")
    if not sep or not model_id or variant not in KEY_VARIANTS:
        raise InvalidExport(
            f"unknown weights key {key!r} — use a key from GET /api/learning/models/on-wasabi "
            "(MODEL_ID#merged or MODEL_ID#adapter)",
            param="key",
            code="unknown_key",
        )
    return model_id, variant == "merged"
