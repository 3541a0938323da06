"""Stored responses as JSON documents (the Redis store keeps one per response)."""

from __future__ import annotations

import json

from cattrs.preconf.json import make_converter
from synth_ai.domain.responses.record import StoredResponse

converter = make_converter()
converter.register_structure_hook(dict, lambda value, _type: dict(value))


def dumps(record: StoredResponse) -> str:
    return json.dumps(converter.unstructure(record))


def loads(raw: str | bytes) -> StoredResponse:
    return converter.structure(json.loads(raw), StoredResponse)
