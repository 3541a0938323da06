"""Jobs and experiments as JSON documents in Redis (floats for times, plain dicts)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import attrs
from synth_ai.domain.experiments.model import Experiment, Job


def dump(value) -> str:
    return json.dumps(attrs.asdict(value, recurse=False, value_serializer=_plain))


def _plain(inst, field, value):
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def job_doc(raw) -> Job:
    return Job(**json.loads(raw))


def experiment_doc(raw) -> Experiment:
    return Experiment(**json.loads(raw))
