"""Wire shapes of the interceptor's trials, shared by its HTTP route and the job's client."""

from __future__ import annotations

import cattrs
from attrs import field, frozen
from synth_ai.adapters.wire.strict import input_converter
from synth_ai.domain.errors import ValidationFailed
from synth_ai.ports.optimisation import Exchange, RolloutCalls, Trial, TrialRecord

strict = input_converter()


@frozen
class PrefixMessage:
    role: str
    content: str


@frozen
class OpenTrialIn:
    session_id: str
    prefix: list[PrefixMessage] = field(factory=list)
    model: str | None = None


def open_trial_in(data: object) -> OpenTrialIn:
    try:
        return strict.structure(data, OpenTrialIn)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        messages = (
            cattrs.transform_error(exc)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        raise ValidationFailed("invalid trial: " + "; ".join(messages)) from exc


def trial_json(trial: Trial) -> dict:
    return {
        "trial_id": trial.trial_id,
        "session_id": trial.session_id,
        "model": trial.model,
        "rollouts": {
            tag: {
                "calls": calls.calls,
                "refused": calls.refused,
                "exchanges": [
                    {"messages": e.messages, "output": e.output} for e in calls.exchanges
                ],
            }
            for tag, calls in trial.rollouts.items()
        },
    }


def trial_record(data: dict) -> TrialRecord:
    return TrialRecord(
        data["trial_id"],
        {
            tag: RolloutCalls(
                int(calls.get("calls", 0)),
                bool(calls.get("refused", False)),
                tuple(
                    Exchange(list(e.get("messages", [])), str(e.get("output", "")))
                    for e in calls.get("exchanges", [])
                ),
            )
            for tag, calls in (data.get("rollouts") or {}).items()
        },
    )
