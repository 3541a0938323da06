"""Wire shapes of the interceptor's trials, shared by its HTTP route and the job's client."""

from __future__ import annotations

import cattrs
from attrs import field, frozen
from cattrs.preconf.json import make_converter
from synth_ai.domain.errors import ValidationFailed
from synth_ai.ports.optimisation import Exchange, Trial, TrialRecord

strict = make_converter(forbid_extra_keys=True)


@frozen
class PrefixMessage:
    role: str
    content: str


@frozen
class OpenTrialIn:
    session_id: str
    prefix: list[PrefixMessage] = field(factory=list)


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
        "calls": trial.calls,
        "refused": trial.refused,
        "exchanges": [{"messages": e.messages, "output": e.output} for e in trial.exchanges],
    }


def trial_record(data: dict) -> TrialRecord:
    return TrialRecord(
        data["trial_id"],
        int(data.get("calls", 0)),
        bool(data.get("refused", False)),
        tuple(
            Exchange(list(e.get("messages", [])), str(e.get("output", "")))
            for e in data.get("exchanges", [])
        ),
    )
