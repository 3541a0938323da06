"""Checking an experiment before anything is stored: every file, override and job type."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.experiments.errors import InvalidExperiment, UnknownJobType
from synth_ai.domain.experiments.model import MAX_PARALLELISM, MIN_PARALLELISM, JobSpec
from synth_ai.domain.experiments.overrides import UnknownOverrideKey, apply_overrides
from synth_ai.ports.experiments import JobFiles
from synth_ai.ports.jobs import JobRunner


@frozen
class ExperimentRequest:
    """The public synth-ai experiment document, parsed (see ``adapters/wire/experiments``)."""

    name: str
    jobs: tuple[JobSpec, ...]
    description: str | None = None
    parallelism: int = 3
    metadata: Mapping[str, Any] = field(factory=dict)


def resolve(path: str, base_dir: Path, *, param: str = "path", source: str = "") -> Path:
    """``path`` made absolute against ``base_dir``, with ``~`` and ``~user`` expanded."""
    try:
        candidate = Path(path).expanduser()
    except RuntimeError:  # ~someone who has no home on this machine
        raise InvalidExperiment(
            f"{source}{': ' if source else ''}{param}: {path!r} starts with a home folder that does not exist on this machine "
            "— give an absolute path or one relative to the experiment file",
            param=param,
        ) from None
    return candidate if candidate.is_absolute() else (base_dir / candidate)


def check_request(
    request: ExperimentRequest,
    *,
    base_dir: Path,
    files: JobFiles,
    runners: Mapping[str, JobRunner],
    source: str,
) -> tuple[JobSpec, ...]:
    """The jobs with absolute paths, or ``InvalidExperiment`` naming the field and file."""
    if not request.name.strip():
        raise InvalidExperiment(f"{source}: name must not be empty", param="name")
    if not MIN_PARALLELISM <= request.parallelism <= MAX_PARALLELISM:
        raise InvalidExperiment(
            f"{source}: parallelism must be between {MIN_PARALLELISM} and {MAX_PARALLELISM}, "
            f"got {request.parallelism}",
            param="parallelism",
        )
    if not request.jobs:
        raise InvalidExperiment(f"{source}: jobs must list at least one job", param="jobs")
    return tuple(
        _check_job(i, spec, base_dir=base_dir, files=files, runners=runners, source=source)
        for i, spec in enumerate(request.jobs)
    )


def _check_job(
    index: int,
    spec: JobSpec,
    *,
    base_dir: Path,
    files: JobFiles,
    runners: Mapping[str, JobRunner],
    source: str,
) -> JobSpec:
    where = f"jobs[{index}]"
    runner = runners.get(spec.job_type)
    if runner is None:
        known = ", ".join(sorted(runners)) or "none"
        raise UnknownJobType(
            f"{source}: {where}.job_type {spec.job_type!r} is not a known job type "
            f"(known: {known})",
            param=f"{where}.job_type",
        )
    config_path = resolve(spec.config_path, base_dir, param=f"{where}.config_path", source=source)
    try:
        config = files.load_config(config_path)
    except InvalidInput as exc:
        raise InvalidExperiment(
            f"{source}: {where}.config_path: {exc.message}", param=f"{where}.config_path"
        ) from exc
    try:
        merged = apply_overrides(config, spec.config_overrides)
    except UnknownOverrideKey as exc:
        raise InvalidExperiment(
            f"{source}: {where}.config_overrides: {exc.dotted!r} is not a key of {config_path} "
            f"(no {exc.missing!r}) — check the spelling against the file",
            param=f"{where}.config_overrides",
        ) from exc
    env_path = None
    if spec.env_path:
        env_path = resolve(spec.env_path, base_dir, param=f"{where}.env_path", source=source)
        try:
            files.load_env(env_path)
        except InvalidInput as exc:
            raise InvalidExperiment(
                f"{source}: {where}.env_path: {exc.message}", param=f"{where}.env_path"
            ) from exc
    try:
        runner.validate(merged, config_path)
    except InvalidInput as exc:
        raise InvalidExperiment(
            f"{source}: {where}: {exc.message}", param=exc.param or where
        ) from exc
    return JobSpec(
        job_type=spec.job_type,
        config_path=str(config_path),
        config_overrides=dict(spec.config_overrides),
        env_path=str(env_path) if env_path else None,
    )
