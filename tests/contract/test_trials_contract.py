"""One contract for every ``Trials`` (the job's view of the interceptor): HTTP and the fake.

A trial is opened with a candidate prefix, each rollout calls its own ``inference_url``, and
finishing the trial tells, per rollout, how many policy calls it made, whether the session
refused one, and what the task sent and got back — then the trial is gone.
"""

from __future__ import annotations

import httpx
import pytest
from synth_ai.domain.errors import NotFound

from tests.conftest import TEST_KEY
from tests.fakes.optimisation import policy_answer
from tests.fakes.optimisation_ports import FakeSessions, ScriptedTrials

PREFIX = [{"role": "system", "content": "Rule: write the number in words."}]
TASK = [
    {"role": "system", "content": "You are a calculator."},
    {"role": "user", "content": "What is 2 + 3?"},
]


class TrialsContract:
    session_id = "opt_contract"

    @pytest.fixture
    def trials(self):
        raise NotImplementedError

    @pytest.fixture
    def broke_trials(self):
        """Trials whose session ``opt_broke`` refuses every call."""
        raise NotImplementedError

    def call(self, trials, url: str, messages: list[dict]) -> str | None:
        """What a task app does with its ``inference_url``; None when the call was refused."""
        raise NotImplementedError

    def test_each_rollout_of_a_trial_is_recorded_under_its_own_tag(self, trials):
        trial = trials.open(prefix=PREFIX, session_id=self.session_id)

        first = self.call(trials, trials.inference_url(trial, "s1"), TASK)
        self.call(trials, trials.inference_url(trial, "s2"), TASK)
        self.call(trials, trials.inference_url(trial, "s2"), TASK)
        record = trials.finish(trial)

        assert first == "five"  # the candidate's rule reached the policy
        assert record.trial_id == trial
        assert (record.of("s1").calls, record.of("s2").calls, record.of("s9").calls) == (1, 2, 0)
        assert record.of("s1").exchanges[-1].messages == TASK
        assert record.of("s1").exchanges[-1].output == "five"
        assert not record.of("s1").refused

    def test_an_inference_url_is_an_openai_base_url_naming_the_trial(self, trials):
        trial = trials.open(prefix=PREFIX, session_id=self.session_id)

        url = trials.inference_url(trial, "s7")

        assert url.endswith("/v1") and f"{trial}.s7" in url
        trials.finish(trial)

    def test_a_call_the_session_refuses_marks_its_rollout_refused(self, broke_trials):
        trial = broke_trials.open(prefix=PREFIX, session_id="opt_broke")

        answer = self.call(broke_trials, broke_trials.inference_url(trial, "s1"), TASK)
        record = broke_trials.finish(trial)

        assert answer is None
        assert record.of("s1").refused and record.of("s1").calls == 1
        assert record.of("s1").exchanges == ()

    def test_a_finished_trial_is_forgotten(self, trials):
        trial = trials.open(prefix=PREFIX, session_id=self.session_id)
        trials.finish(trial)

        with pytest.raises(NotFound):
            trials.finish(trial)


class TestScriptedTrials(TrialsContract):
    @pytest.fixture
    def trials(self):
        return ScriptedTrials(FakeSessions())

    @pytest.fixture
    def broke_trials(self):
        return ScriptedTrials(FakeSessions(limit_calls=0))

    def call(self, trials, url, messages):
        return trials.call(url.split("/")[2], messages)


class TestHttpTrials(TrialsContract):
    @pytest.fixture
    def trials(self, upstream, backend):
        from synth_ai.adapters.backend_http import BackendClient
        from synth_ai.adapters.backend_http.optimisation import HttpJobSessions, HttpTrials

        upstream.responder = lambda body: _reply(body)
        client = BackendClient(backend.url, TEST_KEY)
        HttpJobSessions(client).open(session_id=self.session_id, max_spend_usd=1.0, max_tokens=None)
        yield HttpTrials(client)
        client.close()

    @pytest.fixture
    def broke_trials(self, trials):
        from synth_ai.adapters.backend_http.optimisation import HttpJobSessions

        HttpJobSessions(trials._client).open(
            session_id="opt_broke", max_spend_usd=1e-9, max_tokens=None
        )
        return trials

    def call(self, trials, url, messages):
        answer = httpx.post(f"{url}/chat/completions", json={"model": "m", "messages": messages})
        if answer.status_code == 429:
            return None
        return answer.json()["choices"][0]["message"]["content"]


def _reply(body):
    from tests.support.scripted_upstream import Reply

    return Reply(text=policy_answer(body["messages"]))


@pytest.fixture
def upstream(settings):
    from tests.support.scripted_upstream import ScriptedUpstream

    upstream = ScriptedUpstream.start()
    settings.upstream_url = upstream.base_url
    yield upstream
    upstream.close()
