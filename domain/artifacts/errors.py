"""Named errors of artifacts, each in one family of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import Forbidden, InvalidInput, NotFound, UpstreamError


class InvalidArtifactId(InvalidInput):
    """An id that is none of ``ft:BASE:JOB``, ``rl:…``, ``peft:…``, ``pl_<hex>``, ``job_pl_<hex>``."""

    code = "invalid_artifact_id"


class InvalidStatus(InvalidInput):
    code = "invalid_status"


class InvalidListType(InvalidInput):
    code = "invalid_type"


class InvalidSnapshotId(InvalidInput):
    code = "invalid_snapshot_id"


class NotJsonValue(InvalidInput):
    """A payload, metadata or score holding what JSON cannot carry (NaN, infinities, objects)."""

    code = "not_json_value"


class InvalidExport(InvalidInput):
    """An export request that breaks a rule (repo id, tag, a prompt job given as the model)."""


class UnknownArtifactId(NotFound):
    """No model or prompt job with this id is registered for the caller's org."""

    code = "artifact_not_found"


class UnknownSnapshot(NotFound):
    code = "snapshot_not_found"


class WeightsMissing(NotFound):
    code = "weights_not_found"


class WeightsOutsideExportRoots(Forbidden):
    code = "weights_outside_export_roots"


class ExportFailed(UpstreamError):
    """The model hub refused or failed an upload."""

    code = "export_failed"
