"""The wire shape of a task-app deployment (``deploy --format json``, ``deploy list``, ``deploy
stop``): the ``ServiceRecord`` fields, with ``created_at`` as ISO 8601 like the HTTP API."""

from __future__ import annotations

from typing import Any

from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter
from synth_ai.domain.task_apps.deployments import ServiceRecord
from synth_ai.domain.timestamps import iso

converter = make_converter()
converter.register_unstructure_hook(
    ServiceRecord,
    make_dict_unstructure_fn(ServiceRecord, converter, created_at=override(unstruct_hook=iso)),
)


def deployment_to_wire(record: ServiceRecord) -> dict[str, Any]:
    return converter.unstructure(record)
