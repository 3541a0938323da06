"""The task-app contract: what a task app describes, what a rollout asks and what it returns.

Wire-compatible with the public synth-ai task apps: ``GET /info``, ``GET /task_info``,
``POST /rollout`` bodies are these records, turned into JSON by cattrs at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import Attribute, field, frozen, validators
from synth_ai.domain.errors import ValidationFailed
from synth_ai.domain.task_apps.errors import InvalidTaskApp

_APP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _app_id(instance: object, attribute: Attribute[str], value: str) -> None:
    if not _APP_ID.match(value or ""):
        raise InvalidTaskApp(
            f"task app id {value!r} is invalid — use 1-64 letters, digits, '.', '_' or '-' "
            "starting with a letter or digit"
        )


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _seeds(items: Iterable[int]) -> tuple[int, ...]:
    return tuple(items)


def _splits(items: Iterable[DatasetSplit]) -> tuple[DatasetSplit, ...]:
    return tuple(items)


@frozen
class DatasetSplit:
    name: str
    seeds: tuple[int, ...] = field(converter=_seeds)


@frozen
class Dataset:
    """Seeds grouped by split; a seed picks one task instance."""

    id: str
    splits: tuple[DatasetSplit, ...] = field(converter=_splits)
    default_split: str = "train"
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.splits or not any(split.seeds for split in self.splits):
            raise InvalidTaskApp(
                f"dataset {self.id!r} has no seeds — give at least one split with seeds"
            )

    @classmethod
    def from_seeds(
        cls, id: str, seeds: list[int], *, split: str = "train", description: str = ""
    ) -> Dataset:
        return cls(id, (DatasetSplit(split, tuple(seeds)),), split, description)

    def seeds(self, split: str | None = None) -> tuple[int, ...]:
        if split is None:
            return tuple(s for part in self.splits for s in part.seeds)
        for part in self.splits:
            if part.name == split:
                return part.seeds
        names = ", ".join(p.name for p in self.splits)
        raise InvalidTaskApp(f"unknown split {split!r} — this dataset has: {names}")

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "default_split": self.default_split,
            "splits": [p.name for p in self.splits],
            "seeds": {p.name: len(p.seeds) for p in self.splits},
        }


@frozen
class TaskDescriptor:
    id: str = field(validator=_app_id)
    name: str = field(validator=validators.min_len(1))
    version: str = "0.1.0"
    description: str = ""


@frozen
class TaskInfo:
    """What a rollout on one seed looks like (``GET /task_info?seed=…``)."""

    task: dict[str, Any]
    environment: str
    dataset: dict[str, Any]
    rubric: dict[str, Any]
    inference: dict[str, Any]
    limits: dict[str, Any]
    task_metadata: dict[str, Any] = field(factory=dict)


# -- rollouts ------------------------------------------------------------------------------


@frozen
class RolloutEnv:
    env_name: str | None = None
    config: dict[str, Any] = field(factory=dict)
    seed: int | None = None


@frozen
class RolloutPolicy:
    policy_id: str | None = None
    policy_name: str | None = None
    config: dict[str, Any] = field(factory=dict)


@frozen
class RolloutRecord:
    trajectories: bool = True
    logprobs: bool = False
    value: bool = False
    return_trace: bool = False
    trace_format: str = "compact"


@frozen
class RolloutRequest:
    run_id: str = field(validator=validators.min_len(1))
    env: RolloutEnv
    policy: RolloutPolicy
    ops: list[Any] = field(factory=list)
    record: RolloutRecord = field(factory=RolloutRecord)
    on_done: str = "reset"
    safety: dict[str, Any] = field(factory=dict)
    training_session_id: str | None = None
    synth_base_url: str | None = None
    mode: str = "eval"

    @property
    def seed(self) -> int:
        if self.env.seed is not None:
            return self.env.seed
        value = self.env.config.get("seed", 0)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationFailed(
                f"env.config.seed must be an integer, got {value!r} — or send env.seed",
                param="$.env.config.seed",
            )
        return value


@frozen
class RolloutStep:
    obs: dict[str, Any]
    tool_calls: list[dict[str, Any]] = field(factory=list)
    reward: float | None = None
    done: bool = False
    truncated: bool | None = None
    info: dict[str, Any] = field(factory=dict)


@frozen
class RolloutTrajectory:
    env_id: str
    policy_id: str
    steps: list[RolloutStep]
    length: int
    final: dict[str, Any] | None = None
    inference_url: str | None = None


@frozen
class RolloutMetrics:
    episode_returns: list[float]
    mean_return: float
    num_steps: int
    num_episodes: int = 1
    outcome_score: float | None = None
    events_score: float | None = None
    details: dict[str, Any] = field(factory=dict)

    @classmethod
    def single(cls, reward: float, num_steps: int, **details: Any) -> RolloutMetrics:
        return cls([reward], reward, num_steps, 1, reward, None, dict(details))


@frozen
class RolloutResponse:
    run_id: str
    trajectories: list[RolloutTrajectory]
    metrics: RolloutMetrics
    branches: dict[str, Any] = field(factory=dict)
    aborted: bool = False
    ops_executed: int = 0
    trace: dict[str, Any] | None = None
    pipeline_metadata: dict[str, Any] = field(factory=dict)

    @classmethod
    def single_step(
        cls,
        request: RolloutRequest,
        *,
        obs: dict[str, Any],
        action: dict[str, Any],
        reward: float,
        info: Mapping[str, Any] | None = None,
        inference_url: str | None = None,
    ) -> RolloutResponse:
        """The common shape: one observation, one policy call, one scored answer."""
        step = RolloutStep(
            obs=obs,
            tool_calls=[action],
            reward=reward,
            done=True,
            truncated=False,
            info=dict(info or {}),
        )
        trajectory = RolloutTrajectory(
            env_id=f"{request.env.env_name or 'task'}:{request.seed}",
            policy_id=request.policy.policy_id or request.policy.policy_name or "policy",
            steps=[step],
            length=1,
            final={"observation": obs, "reward": reward},
            inference_url=inference_url,
        )
        return cls(
            run_id=request.run_id,
            trajectories=[trajectory],
            metrics=RolloutMetrics.single(reward, 1, **(info or {})),
            ops_executed=len(request.ops) or 1,
        )
