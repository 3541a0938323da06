"""In-memory fakes of the optimisation ports: the scripted world without HTTP.

``ScriptedTrials`` + ``ScriptedRollouts`` run the scripted task app and policy model of
``tests.fakes.optimisation`` directly: a rollout looks up its trial's prefix, substitutes it
like the interceptor does, answers with the scripted policy and grades the answer.
``FakeSessions`` / ``FakeChat`` meter every call in a cost budget and refuse past it.
"""

from __future__ import annotations

import threading

from synth_ai.domain.errors import LimitExceeded, NotFound
from synth_ai.domain.optimisation.candidate import substitute
from synth_ai.ports.optimisation import Exchange, RolloutCalls, Spend, TrialRecord

from tests.fakes.optimisation import grade, policy_answer, propose, question, reflect


class FakeSessions:
    def __init__(self, limit_calls: int | None = None, cost_per_call: float = 0.001):
        self.limit_calls = limit_calls
        self.cost_per_call = cost_per_call
        self.calls = 0
        self.opened: list[str] = []
        self._lock = threading.Lock()

    def open(self, *, session_id: str, max_spend_usd: float, max_tokens: int | None) -> str:
        self.opened.append(session_id)
        return session_id

    def charge(self) -> None:
        with self._lock:
            if self.limit_calls is not None and self.calls >= self.limit_calls:
                raise LimitExceeded("cost_usd limit reached", code="usage_limit_reached")
            self.calls += 1

    def spend(self, session_id: str) -> Spend:
        return Spend(self.calls * self.cost_per_call, self.calls * 50, self.calls)


class FakeChat:
    def __init__(self, sessions: FakeSessions):
        self.sessions = sessions
        self.prompts: list[str] = []

    def check(self) -> None:
        pass

    def complete(self, *, session_id, model, messages, temperature, max_tokens) -> str:
        self.sessions.charge()
        text = messages[-1]["content"]
        self.prompts.append(text)
        return propose(text) if "Write proposal" in text else reflect(text)


class ScriptedTrials:
    def __init__(self, sessions: FakeSessions):
        self.sessions = sessions
        self.open_trials: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._n = 0

    def open(self, *, prefix: list[dict], session_id: str, model: str | None = None) -> str:
        with self._lock:
            self._n += 1
            trial_id = f"trial_{self._n}"
            self.open_trials[trial_id] = {"prefix": prefix, "rollouts": {}}
        return trial_id

    def inference_url(self, trial_id: str, rollout: str) -> str:
        return f"fake://{trial_id}.{rollout}/v1"

    def finish(self, trial_id: str) -> TrialRecord:
        with self._lock:
            trial = self.open_trials.pop(trial_id, None)
        if trial is None:
            raise NotFound(f"no trial {trial_id!r} — it finished or never existed")
        return TrialRecord(trial_id, dict(trial["rollouts"]))

    def call(self, target: str, messages: list[dict]) -> str | None:
        """A policy call to ``fake://<trial>.<tag>/v1``: the interceptor's rule, metered."""
        trial_id, _, rollout = target.partition(".")
        trial = self.open_trials.get(trial_id)
        if trial is None:
            raise NotFound(f"no trial {trial_id!r}")
        before = trial["rollouts"].get(rollout) or RolloutCalls()
        try:
            self.sessions.charge()
        except LimitExceeded:
            trial["rollouts"][rollout] = RolloutCalls(before.calls + 1, True, before.exchanges)
            return None
        answer = policy_answer(substitute(trial["prefix"], messages))
        exchanges = (*before.exchanges, Exchange(messages, answer))
        trial["rollouts"][rollout] = RolloutCalls(before.calls + 1, before.refused, exchanges)
        return answer


class ScriptedRollouts:
    def __init__(self, trials: ScriptedTrials):
        self.trials = trials
        self.count = 0
        self._lock = threading.Lock()

    def rollout(self, request: dict) -> dict:
        with self._lock:
            self.count += 1
        seed = request["env"]["seed"]
        target = request["policy"]["config"]["inference_url"].split("/")[2]
        messages = [
            {"role": "system", "content": "You are a terse calculator."},
            {"role": "user", "content": question(seed)},
        ]
        answer = self.trials.call(target, messages)
        score, feedback = (
            (0.0, "the policy call failed: 429") if answer is None else grade(seed, answer)
        )
        return {
            "run_id": request["run_id"],
            "trajectories": [],
            "metrics": {
                "episode_returns": [score],
                "mean_return": score,
                "num_steps": 1,
                "outcome_score": score,
                "details": {"feedback": feedback},
            },
        }
