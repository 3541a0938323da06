"""Evaluating a candidate: rollouts on the task app through the interceptor, in parallel.

Every rollout result and every proposer answer goes into the ``Journal``, which is the job's
checkpoint. A re-run replays the journal: the search is seeded, so it walks the same path and
finds each rollout it already ran in the journal instead of running it again, then carries on.
The rollout budget counts the distinct (candidate, seed) rollouts the search uses along its
walk, replayed or not; a batch that would cross it is never started, so the job never runs
past its budget, and a re-run meets each decision with the budget the first run had.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from attrs import define, field, frozen
from synth_ai.domain.errors import SynthError
from synth_ai.domain.optimisation.candidate import Candidate
from synth_ai.domain.optimisation.errors import BudgetExhausted, JobCancelled
from synth_ai.ports.optimisation import RolloutCalls, TaskAppRollouts, Trials

CANCELED = "canceled before it started"


@frozen
class RolloutResult:
    seed: int
    score: float
    output: str = ""
    feedback: str = ""
    messages: tuple[dict[str, Any], ...] = ()  # the task's own messages the policy saw
    error: str | None = None

    def to_state(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "score": self.score,
            "output": self.output,
            "feedback": self.feedback,
            "messages": list(self.messages),
            "error": self.error,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> RolloutResult:
        return cls(
            state["seed"],
            state["score"],
            state.get("output", ""),
            state.get("feedback", ""),
            tuple(state.get("messages", ())),
            state.get("error"),
        )


@define
class Journal:
    """Rollouts by ``candidate-key:seed`` and model answers by prompt key; JSON-safe state."""

    rollouts: dict[str, dict[str, Any]] = field(factory=dict)
    answers: dict[str, str] = field(factory=dict)
    extra: dict[str, Any] = field(factory=dict)
    ran_now: int = 0  # rollouts actually run in this attempt (not replayed)
    calls_now: int = 0  # proposer calls actually made in this attempt

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Journal:
        state = dict(state or {})
        return cls(
            dict(state.get("rollouts", {})),
            dict(state.get("answers", {})),
            dict(state.get("extra", {})),
        )

    def to_state(self) -> dict[str, Any]:
        return {"rollouts": self.rollouts, "answers": self.answers, "extra": self.extra}

    @property
    def rollouts_total(self) -> int:
        return len(self.rollouts)


def _score(response: dict[str, Any]) -> float:
    metrics = response.get("metrics") or {}
    for key in ("outcome_score", "mean_return"):
        value = metrics.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    returns = metrics.get("episode_returns") or []
    return float(returns[0]) if returns else 0.0


def _feedback(response: dict[str, Any]) -> str:
    details = (response.get("metrics") or {}).get("details") or {}
    feedback = details.get("feedback")
    if isinstance(feedback, str):
        return feedback
    for trajectory in reversed(response.get("trajectories") or []):
        for step in reversed(trajectory.get("steps") or []):
            info = step.get("info") or {}
            feedback = info.get("feedback")
            if isinstance(feedback, str):
                return feedback
    return ""


def _trajectory_output(response: dict[str, Any]) -> str:
    for trajectory in reversed(response.get("trajectories") or []):
        for step in reversed(trajectory.get("steps") or []):
            if step.get("tool_calls"):
                return str(step["tool_calls"][-1])
    return ""


@define
class PolicySettings:
    model: str
    temperature: float = 0.0
    max_completion_tokens: int = 512
    env_name: str | None = None


class Evaluator:
    """Runs candidates on seeds, up to ``max_concurrent`` rollouts at once."""

    def __init__(
        self,
        *,
        rollouts: TaskAppRollouts,
        trials: Trials,
        session_id: str,
        policy: PolicySettings,
        journal: Journal,
        budget: int,
        max_concurrent: int,
        run_prefix: str,
        cancelled: Callable[[], bool] = lambda: False,
        on_batch: Callable[[], None] = lambda: None,
    ):
        self.rollouts = rollouts
        self.trials = trials
        self.session_id = session_id
        self.policy = policy
        self.journal = journal
        self.budget = budget
        self.max_concurrent = max_concurrent
        self.run_prefix = run_prefix
        self.cancelled = cancelled
        self.on_batch = on_batch
        self._pool = ThreadPoolExecutor(max_concurrent, thread_name_prefix="rollout")
        self.walked: set[str] = set()  # "candidate-key:seed" used by the search this attempt

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    @property
    def used(self) -> int:
        """Distinct rollouts the search has used so far in its walk (replayed ones included)."""
        return len(self.walked)

    @property
    def remaining(self) -> int:
        return self.budget - self.used

    def evaluate(self, candidate: Candidate, seeds: Sequence[int]) -> list[RolloutResult]:
        key = candidate.key()
        wanted = [f"{key}:{s}" for s in dict.fromkeys(seeds)]
        # The budget is charged along the search's walk, so a re-run replaying its journal
        # reaches each decision with the budget it had the first time.
        new = [k for k in wanted if k not in self.walked]
        if len(new) > self.remaining:
            raise BudgetExhausted(
                f"rollout budget: {len(new)} more rollouts needed, "
                f"{self.remaining} of {self.budget} left"
            )
        todo = [s for s in dict.fromkeys(seeds) if f"{key}:{s}" not in self.journal.rollouts]
        if todo:
            if self.cancelled():
                raise JobCancelled("the job was canceled")
            trial = self.trials.open(
                prefix=candidate.prefix(), session_id=self.session_id, model=self.policy.model
            )
            prompt = candidate
            try:
                responses = list(self._pool.map(lambda s: self._one(trial, key, prompt, s), todo))
            finally:
                record = self.trials.finish(trial)
            refused = skipped = 0
            for seed, (response, error) in zip(todo, responses, strict=True):
                if error is CANCELED:
                    skipped += 1
                    continue
                calls = record.of(f"s{seed}")
                if calls.refused:
                    refused += 1
                    continue
                result = _result(seed, response, error, calls)
                self.journal.rollouts[f"{key}:{seed}"] = result.to_state()
                self.journal.ran_now += 1
            self.on_batch()
            if skipped:
                raise JobCancelled(f"the job was canceled ({skipped} rollouts not started)")
            if refused:
                raise BudgetExhausted(
                    f"the job's session refused policy calls ({refused} rollouts) — "
                    "its spend limit is reached"
                )
        self.walked.update(wanted)
        return [RolloutResult.from_state(self.journal.rollouts[f"{key}:{s}"]) for s in seeds]

    def _one(
        self, trial: str, key: str, prompt: Candidate, seed: int
    ) -> tuple[dict[str, Any] | None, str | None]:
        if self.cancelled():  # stop at the next rollout boundary, not the next batch
            return None, CANCELED
        request = {
            "run_id": f"{self.run_prefix}-{key}-{seed}",
            "env": {"env_name": self.policy.env_name, "seed": seed, "config": {"seed": seed}},
            "policy": {
                "policy_name": "synth-ai-optimiser",
                "config": {
                    "model": self.policy.model,
                    "inference_url": self.trials.inference_url(trial, f"s{seed}"),
                    "temperature": self.policy.temperature,
                    "max_completion_tokens": self.policy.max_completion_tokens,
                    "max_tokens": self.policy.max_completion_tokens,
                    # For task apps that build the prompt themselves: the instruction as the
                    # task-app convention has it (a string), and the whole candidate.
                    "prompt": prompt.instruction,
                    "system_prompt": prompt.instruction,
                    "prompt_messages": prompt.messages(),
                },
            },
            "ops": ["agent", "env"],
            "record": {"trajectories": True},
            "mode": "eval",
        }
        try:
            # typed as object: a task app may answer /rollout with any JSON value
            response: object = self.rollouts.rollout(request)
        except SynthError as exc:
            return None, exc.message
        if not isinstance(response, dict):
            return None, f"the task app answered /rollout with {type(response).__name__}"
        return response, None


def _result(
    seed: int, response: dict[str, Any] | None, error: str | None, calls: RolloutCalls
) -> RolloutResult:
    if response is None:
        return RolloutResult(seed, 0.0, feedback=f"the rollout failed: {error}", error=error)
    last = calls.exchanges[-1] if calls.exchanges else None
    return RolloutResult(
        seed,
        _score(response),
        (last.output if last else "") or _trajectory_output(response),
        _feedback(response),
        tuple(last.messages) if last else (),
    )
