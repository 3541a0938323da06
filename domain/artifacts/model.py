"""Artifacts: fine-tuned, RL and PEFT models, and prompt-optimisation jobs with their snapshots.

``ArtifactId.parse`` understands every id form a user types (``ft:BASE:JOB``, ``rl:BASE:JOB``,
``peft:BASE:JOB``, ``pl_<hex>``, ``job_pl_<hex>``); a base may itself contain ``/`` and ``:``,
so the job is the last ``:``-separated part. Records are plain attrs values; rendering of
prompts lives in ``synth_ai.domain.artifacts.prompts``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from attrs import Attribute, field, frozen, validators
from synth_ai.domain.artifacts.errors import (
    InvalidArtifactId,
    InvalidListType,
    InvalidSnapshotId,
    InvalidStatus,
    NotJsonValue,
)

MODEL_KINDS = ("ft", "rl", "peft")
PROMPT_KIND = "prompt"
STATUSES = ("queued", "running", "succeeded", "failed", "canceled")
LIST_TYPES = ("models", "prompts", "all")
ACCEPTED_FORMS = (
    "ft:BASE:JOB, rl:BASE:JOB, peft:BASE:JOB (e.g. ft:Qwen/Qwen3-0.6B:job_abc123), "
    "pl_<hex> or job_pl_<hex> (e.g. pl_9f3a2c)"
)

_JOB = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def _bad(raw: str, problem: str) -> InvalidArtifactId:
    return InvalidArtifactId(
        f"invalid artifact id {raw!r}: {problem} — use one of: {ACCEPTED_FORMS}", param="id"
    )


@frozen
class ArtifactId:
    """A parsed artifact id. ``str(id)`` is the canonical form that stores key on."""

    kind: str = field(validator=validators.in_((*MODEL_KINDS, PROMPT_KIND)))
    job: str
    base: str | None = None

    @classmethod
    def parse(cls, text: str) -> ArtifactId:
        raw = text if isinstance(text, str) else str(text)
        value = raw.strip()
        if not value:
            raise _bad(raw, "it is empty")
        if value.startswith(("pl_", "job_pl_")):
            digits = value.split("pl_", 1)[1]
            if not digits:
                raise _bad(raw, "the part after 'pl_' is empty")
            if not _HEX.match(digits):
                raise _bad(raw, f"the part after 'pl_' ({digits!r}) is not hexadecimal")
            return cls(PROMPT_KIND, value)
        kind, sep, rest = value.partition(":")
        if not sep:
            raise _bad(raw, f"{value!r} has no known prefix")
        if kind not in MODEL_KINDS:
            raise _bad(raw, f"unknown kind {kind!r} (expected ft, rl or peft)")
        base, sep, job = rest.rpartition(":")
        if not sep or not base.strip(":"):
            raise _bad(raw, f"the BASE part is missing (got {rest!r} after '{kind}:')")
        if not job:
            raise _bad(raw, "the JOB part after the last ':' is empty")
        if not _JOB.match(job):
            raise _bad(raw, f"the JOB part {job!r} may hold only letters, digits, '_', '-' and '.'")
        if any(ch.isspace() for ch in base):
            raise _bad(raw, f"the BASE part {base!r} contains whitespace")
        return cls(kind, job, base)

    @property
    def is_model(self) -> bool:
        return self.kind in MODEL_KINDS

    def __str__(self) -> str:
        return self.job if self.kind == PROMPT_KIND else f"{self.kind}:{self.base}:{self.job}"


def check_status(status: str | None, *, param: str = "status") -> str | None:
    if status is None or status == "":
        return None
    if status not in STATUSES:
        raise InvalidStatus(
            f"unknown status {status!r} — use one of: {', '.join(STATUSES)}", param=param
        )
    return status


def check_list_type(kind: str | None) -> str:
    kind = kind or "all"
    if kind not in LIST_TYPES:
        raise InvalidListType(
            f"unknown artifact type {kind!r} — use one of: {', '.join(LIST_TYPES)}",
            param="type",
        )
    return kind


def _status(instance: object, attribute: Attribute[str], value: str) -> None:
    check_status(value, param=attribute.name)


def _snapshot_id(instance: object, attribute: Attribute[str], value: str) -> None:
    """A snapshot id is a URL path segment and a file name, so no '/', spaces or leading '.'."""
    if not isinstance(value, str) or not _JOB.match(value):
        raise InvalidSnapshotId(
            f"invalid snapshot id {value!r} — use letters, digits, '_', '-' and '.' "
            "(e.g. snap_3), or leave it out to get a generated one",
            param="snapshot_id",
        )


_JSON_SCALARS = (str, int, float, bool, type(None))


def _not_json_at(value: Any, path: str = "$") -> tuple[str, str] | None:
    """``(path, problem)`` of the first value JSON cannot carry (NaN, infinity, ``...``, an
    object), or ``None`` when ``value`` is plain JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return path, "is NaN or infinite — give a finite number (or leave it out)"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                return path, f"has the key {key!r}, which is not a string — JSON keys are strings"
            items.append((f"{path}.{key}", item))
    elif isinstance(value, list | tuple):
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    elif isinstance(value, _JSON_SCALARS):
        return None
    else:
        return path, f"is {value!r} ({type(value).__name__}), which JSON cannot carry"
    for where, item in items:
        found = _not_json_at(item, where)
        if found:
            return found
    return None


def _finite(instance: object, attribute: Attribute[Any], value: Any) -> None:
    """Only plain JSON is stored: NaN and infinities (JSON cannot carry them and no score
    compares) and objects such as ``...`` are refused here, not by the store."""
    found = _not_json_at(value)
    if found is not None:
        where, problem = found
        at = "" if where == "$" else f" at {where.replace('$', attribute.name, 1)}"
        raise NotJsonValue(f"{attribute.name}{at} {problem}", param=attribute.name)


@frozen
class ModelArtifact:
    """A trained model and where its weights live (a folder, maybe with merged/ and adapter/)."""

    id: str
    kind: str
    base_model: str
    job_id: str
    status: str = field(validator=_status)
    created_at: float
    weights_path: str | None = None
    metadata: dict[str, Any] = field(factory=dict, validator=_finite)

    @classmethod
    def new(
        cls,
        model_id: str,
        *,
        status: str,
        created_at: float,
        weights_path: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> ModelArtifact:
        parsed = ArtifactId.parse(model_id)
        if not parsed.is_model:
            raise InvalidArtifactId(
                f"{model_id!r} is a prompt job id, not a model id — use "
                "ft:BASE:JOB, rl:BASE:JOB or peft:BASE:JOB",
                param="id",
            )
        return cls(
            str(parsed),
            parsed.kind,
            parsed.base or "",
            parsed.job,
            status,
            created_at,
            weights_path,
            dict(metadata or {}),
        )


@frozen
class PromptSnapshot:
    snapshot_id: str = field(validator=_snapshot_id)
    job_id: str
    payload: dict[str, Any] = field(validator=_finite)
    created_at: float = field()
    score: float | None = field(default=None, validator=_finite)
    validation_score: float | None = field(default=None, validator=_finite)


@frozen
class PromptJob:
    """A prompt-optimisation job; the best snapshot is the one with the highest score."""

    job_id: str
    status: str = field(validator=_status)
    created_at: float
    updated_at: float
    algorithm: str | None = None
    best_score: float | None = None
    best_validation_score: float | None = None
    best_snapshot_id: str | None = None
    metadata: dict[str, Any] = field(factory=dict, validator=_finite)

    @classmethod
    def new(
        cls,
        job_id: str,
        *,
        status: str,
        now: float,
        algorithm: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> PromptJob:
        parsed = ArtifactId.parse(job_id)
        if parsed.is_model:
            raise InvalidArtifactId(
                f"{job_id!r} is a model id, not a prompt job id — use pl_<hex> or job_pl_<hex>",
                param="job_id",
            )
        return cls(str(parsed), status, now, now, algorithm, metadata=dict(metadata or {}))


def better(candidate: PromptSnapshot, current_best: float | None) -> bool:
    """Whether a new snapshot beats the job's best score (a scored one beats none)."""
    if candidate.score is None:
        return False
    return current_best is None or candidate.score > current_best
