"""``TaskAppConfig``: everything a task app needs, in a few lines of user code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attrs import define, field, validators
from synth_ai.domain.task_apps.model import Dataset, RolloutRequest, RolloutResponse, TaskDescriptor

API_KEY_ENV = "ENVIRONMENT_API_KEY"


def _callable(instance, attribute, value) -> None:
    if value is not None and not callable(value):
        raise TypeError(
            f"TaskAppConfig.{attribute.name} must be callable, got {type(value).__name__}"
        )


@define
class TaskAppConfig:
    """A task app: identity, dataset, and the rollout function that scores a policy.

    ``rollout(request: RolloutRequest) -> RolloutResponse | dict`` runs one episode; it may be
    an ``async def`` (awaited on the request's worker thread).
    ``task_info(seed) -> dict`` (optional) adds per-seed metadata to ``/task_info``.
    """

    app_id: str
    name: str
    dataset: Dataset = field(validator=validators.instance_of(Dataset))
    rollout: Callable[[RolloutRequest], RolloutResponse | dict] = field(validator=_callable)
    version: str = "0.1.0"
    description: str = ""
    rubric: dict[str, Any] | None = None
    inference: dict[str, Any] = field(factory=dict)
    task_info: Callable[[int], dict] | None = field(default=None, validator=_callable)
    limits: dict[str, Any] = field(factory=lambda: {"max_turns": 1, "max_concurrent_rollouts": 64})
    capabilities: list[str] = field(factory=lambda: ["rollout", "task_info"])
    environment: str | None = None
    api_key_env: str = API_KEY_ENV

    def __attrs_post_init__(self) -> None:
        self.descriptor  # validates the id and name now, not on the first request  # noqa: B018

    @property
    def descriptor(self) -> TaskDescriptor:
        return TaskDescriptor(self.app_id, self.name, self.version, self.description)
