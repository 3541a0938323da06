"""What an optimisation job needs from the outside world.

The job side: ``TaskAppRollouts`` (a task app's ``POST /rollout``), ``Trials`` (the backend's
interceptor: a per-rollout route that puts the candidate prompt into the policy's chat
requests and meters them in the job's session), ``JobSessions`` (the job's own budgeted
session), ``MeteredChat`` (reflection / proposer calls through the backend's chat route in that
session), ``CategoricalSearch`` (the TPE sampler of MIPRO). The backend side: ``TrialStore``,
where the interceptor route finds a trial's prompt, session and owner.
A call refused by the session's hard limit raises ``synth_ai.domain.errors.LimitExceeded``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from attrs import define, field, frozen


@frozen
class Exchange:
    """One policy call seen by the interceptor: the task's own messages and the answer."""

    messages: list[dict[str, Any]]
    output: str


@frozen
class RolloutCalls:
    """The policy calls one rollout of a trial made."""

    calls: int = 0
    refused: bool = False  # a call was refused by the session's hard limit (429)
    exchanges: tuple[Exchange, ...] = ()


@frozen
class TrialRecord:
    trial_id: str
    rollouts: Mapping[str, RolloutCalls] = {}  # by rollout tag

    def of(self, rollout: str) -> RolloutCalls:
        return self.rollouts.get(rollout) or RolloutCalls()


@frozen
class Spend:
    cost_usd: float = 0.0
    tokens: int = 0
    api_calls: int = 0


class TaskAppRollouts(Protocol):
    def rollout(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST /rollout; a failure raises the ``UpstreamError`` family."""
        ...


class Trials(Protocol):
    """One trial per evaluated batch of a candidate; its rollouts are told apart by a tag."""

    def open(
        self, *, prefix: list[dict[str, Any]], session_id: str, model: str | None = None
    ) -> str:
        """Register a trial (the candidate's leading messages; ``model``, when given, is the
        policy model every call of the trial uses, whatever the task app asks for)."""
        ...

    def inference_url(self, trial_id: str, rollout: str) -> str:
        """The OpenAI base URL (ending in ``/v1``) the policy of one rollout calls."""
        ...

    def finish(self, trial_id: str) -> TrialRecord:
        """What happened on the trial, by rollout; the trial is forgotten."""
        ...


class JobSessions(Protocol):
    def open(self, *, session_id: str, max_spend_usd: float, max_tokens: int | None) -> str:
        """Create the job's session with hard limits, or reuse it when it exists (a re-run)."""
        ...

    def spend(self, session_id: str) -> Spend: ...


class MeteredChat(Protocol):
    def check(self) -> None:
        """``ServiceUnavailable`` (saying what to configure) when no model can be called."""
        ...

    def complete(
        self,
        *,
        session_id: str,
        model: str,
        messages: list[dict[str, Any]],
        temperature: float,
        max_tokens: int,
    ) -> str:
        """The answer's text; ``LimitExceeded`` when the session refuses the call."""
        ...


class CategoricalSearch(Protocol):
    def ask(self) -> tuple[int, dict[str, int]]:
        """A trial number and a choice index for every dimension."""
        ...

    def tell(self, number: int, value: float) -> None: ...


class SearchFactory(Protocol):
    def new(
        self, space: Mapping[str, int], *, seed: int, n_startup_trials: int, n_ei_candidates: int
    ) -> CategoricalSearch:
        """A maximising search over ``space`` (dimension → number of choices)."""
        ...


# -- the backend side -----------------------------------------------------------------------------
@define
class Trial:
    trial_id: str
    org_id: str
    user_id: str
    key_id: str | None
    session_id: str
    prefix: list[dict[str, Any]]
    rollouts: dict[str, RolloutCalls] = field(factory=dict)
    model: str | None = None


class TrialStore(Protocol):
    def put(self, trial: Trial) -> None: ...

    def get(self, trial_id: str) -> Trial | None: ...

    def record(
        self, trial_id: str, rollout: str, exchange: Exchange | None, *, refused: bool = False
    ) -> None:
        """Count one call of a rollout of the trial (and keep its last few exchanges)."""
        ...

    def pop(self, trial_id: str) -> Trial | None: ...


class PromptSearch(Protocol):
    """A search algorithm (GEPA, MIPRO) driving an ``OptimisationRun`` of the domain.

    It evaluates and validates candidates and asks the proposer model through the run, and
    returns when it is done; ``BudgetExhausted`` / ``JobCancelled`` from the run end it early.
    """

    def search(self, run: Any) -> None: ...
