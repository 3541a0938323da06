"""Named errors of task apps, each in one family of ``synth_ai.domain.errors``."""

from __future__ import annotations

from synth_ai.domain.errors import InvalidInput, ServiceUnavailable, UpstreamError


class InvalidTaskApp(InvalidInput):
    """A task-app definition that cannot be served (bad id, empty dataset, unloadable file)."""

    code = "invalid_task_app"


class TaskAppNotHealthy(ServiceUnavailable):
    code = "task_app_not_healthy"


class TaskAppCallFailed(UpstreamError):
    """A task app answered a call with an HTTP error."""
