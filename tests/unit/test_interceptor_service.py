"""The interceptor's use cases on fakes: trials, the rewritten policy call, who pays."""

from __future__ import annotations

import pytest
from synth_ai.adapters.in_memory import InMemoryTrialStore
from synth_ai.domain.auth import Principal
from synth_ai.domain.errors import Forbidden
from synth_ai.domain.optimisation.errors import UnknownTrial
from synth_ai.domain.optimisation.interceptor import Interceptor

from tests.fakes import RecordingMeterFactory, SequentialIds

OWNER = Principal("org_a", "user_a", "key_a")
PREFIX = [{"role": "system", "content": "Answer in words."}]
TASK = {
    "model": "gpt-whatever",
    "temperature": 0.3,
    "messages": [
        {"role": "system", "content": "You are a calculator."},
        {"role": "user", "content": "What is 2 + 2?"},
    ],
}


@pytest.fixture
def meters():
    return RecordingMeterFactory()


@pytest.fixture
def interceptor(meters):
    sessions = {"current": "sess_current", "opt_job": "opt_job"}
    return Interceptor(
        InMemoryTrialStore(), meters, SequentialIds(), lambda who, sid: sessions[sid]
    )


def test_a_policy_call_gets_the_candidate_the_jobs_model_and_the_trials_session(
    interceptor, meters
):
    trial = interceptor.open_trial(OWNER, session_id="opt_job", prefix=PREFIX, model="small")

    call = interceptor.prepare(f"{trial.trial_id}.s3", TASK)

    assert call.body["messages"] == [PREFIX[0], TASK["messages"][1]]
    assert (call.body["model"], call.body["temperature"]) == ("small", 0.3)
    assert (call.rollout, call.messages) == ("s3", TASK["messages"])
    assert meters.calls == [{"org_id": "org_a", "session_id": "opt_job", "opt_out": False}]


def test_current_names_the_owners_current_session(interceptor):
    trial = interceptor.open_trial(OWNER, session_id="current", prefix=PREFIX, model=None)

    assert trial.session_id == "sess_current"


def test_served_and_refused_calls_are_recorded_under_their_rollout(interceptor):
    trial = interceptor.open_trial(OWNER, session_id="opt_job", prefix=PREFIX, model=None)
    served = interceptor.prepare(f"{trial.trial_id}.s1", TASK)
    refused = interceptor.prepare(f"{trial.trial_id}.s2", TASK)

    interceptor.served(served, "four")
    interceptor.refused(refused)
    record = interceptor.finish(OWNER, trial.trial_id).rollouts

    assert (record["s1"].calls, record["s1"].exchanges[0].output) == (1, "four")
    assert record["s2"].refused and record["s2"].exchanges == ()
    with pytest.raises(UnknownTrial):
        interceptor.prepare(f"{trial.trial_id}.s1", TASK)


def test_another_user_can_neither_read_nor_finish_a_trial(interceptor):
    trial = interceptor.open_trial(OWNER, session_id="opt_job", prefix=PREFIX, model=None)
    stranger = Principal("org_a", "user_b", "key_b")

    with pytest.raises(Forbidden):
        interceptor.read(stranger, trial.trial_id)
    with pytest.raises(Forbidden):
        interceptor.finish(stranger, trial.trial_id)
