"""The interceptor's use cases: open and finish trials, prepare and record a policy call.

A trial holds a candidate prefix, the session that pays and its owner. A policy call names
``<trial id>.<rollout tag>``; ``prepare`` rewrites the task app's chat request (the candidate
before the task's own turns, the job's policy model) and gives the meter of the trial's
session, so the chat route serves it like any metered call. The trial id is the capability:
calls carry no API key, the owner who opened the trial pays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attrs import frozen
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Forbidden, InvalidInput
from synth_ai.domain.optimisation.candidate import substitute
from synth_ai.domain.optimisation.errors import UnknownTrial
from synth_ai.ports.clock import IdGenerator
from synth_ai.ports.metering import Meter, MeterFactory
from synth_ai.ports.optimisation import Exchange, Trial, TrialStore


@frozen
class PolicyCall:
    trial_id: str
    rollout: str
    messages: list[dict[str, Any]]  # what the task app sent
    body: dict[str, Any]  # what the chat route serves
    meter: Meter
    principal: Principal


class Interceptor:
    def __init__(
        self,
        trials: TrialStore,
        meters: MeterFactory,
        ids: IdGenerator,
        session_of: Callable[[Principal, str], str],
    ):
        """``session_of(principal, session_id)``: the id of the caller's session (``current``
        names the current one), or ``SessionNotFound``."""
        self.trials = trials
        self.meters = meters
        self.ids = ids
        self.session_of = session_of

    def open_trial(
        self,
        principal: Principal,
        *,
        session_id: str,
        prefix: list[dict[str, Any]],
        model: str | None,
    ) -> Trial:
        trial = Trial(
            self.ids.new_id("trial"),
            principal.org_id,
            principal.user_id,
            principal.key_id,
            self.session_of(principal, session_id),
            prefix,
            model=model,
        )
        self.trials.put(trial)
        return trial

    def read(self, principal: Principal, trial_id: str) -> Trial:
        trial = self.trials.get(trial_id)
        if trial is None:
            raise UnknownTrial(f"no trial {trial_id!r} — it finished or never existed")
        if (trial.org_id, trial.user_id) != (principal.org_id, principal.user_id):
            raise Forbidden(f"trial {trial_id!r} belongs to another user")
        return trial

    def finish(self, principal: Principal, trial_id: str) -> Trial:
        trial = self.read(principal, trial_id)
        return self.trials.pop(trial_id) or trial

    def prepare(self, target: str, body: dict[str, Any]) -> PolicyCall:
        trial_id, _, rollout = target.partition(".")  # "<trial id>.<rollout tag>"
        trial = self.trials.get(trial_id)
        if trial is None:
            raise UnknownTrial(f"no trial {trial_id!r} — it finished or never existed")
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise InvalidInput("'messages' must be a list of message objects", param="messages")
        rewritten = {**body, "messages": substitute(trial.prefix, messages)}
        if trial.model:  # the job's policy model, whatever the task app asked for
            rewritten["model"] = trial.model
        principal = Principal(trial.org_id, trial.user_id, trial.key_id or "")
        meter = self.meters.meter_for(principal, session_id=trial.session_id, opt_out=False)
        return PolicyCall(trial_id, rollout, messages, rewritten, meter, principal)

    def served(self, call: PolicyCall, output: str) -> None:
        self.trials.record(call.trial_id, call.rollout, Exchange(call.messages, output))

    def refused(self, call: PolicyCall) -> None:
        self.trials.record(call.trial_id, call.rollout, None, refused=True)
