"""The interceptor route: a task app's policy calls get the candidate prompt and are metered."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import OTHER_KEY
from tests.support.scripted_upstream import Reply

TASK_MESSAGES = [
    {"role": "system", "content": "You are a calculator."},
    {"role": "user", "content": "What is 2 + 2?"},
]
PREFIX = [
    {"role": "system", "content": "Answer in words."},
    {"role": "user", "content": "What is 1 + 1?"},
    {"role": "assistant", "content": "two"},
]


@pytest.fixture
def job_session(upstream, backend):
    with backend.client() as client:
        created = client.post(
            "/api/v1/sessions",
            json={
                "session_id": "opt_route_test",
                "make_active": False,
                "limits": [{"metric_type": "cost_usd", "limit_value": 1.0, "limit_type": "hard"}],
            },
        )
        assert created.status_code == 201, created.text
    return "opt_route_test"


def open_trial(backend, session_id: str, prefix=PREFIX, key=None, **extra) -> httpx.Response:
    with backend.client(**({"api_key": key} if key else {})) as client:
        return client.post(
            "/api/interceptor/trials", json={"session_id": session_id, "prefix": prefix, **extra}
        )


def test_a_policy_call_gets_the_candidate_prompt_without_an_api_key_and_is_metered(
    upstream, backend, job_session
):
    upstream.push(Reply(text="four"))
    trial = open_trial(backend, job_session).json()["trial_id"]

    answer = httpx.post(
        f"{backend.url}/api/interceptor/{trial}.s7/v1/chat/completions",
        json={"model": "scripted", "messages": TASK_MESSAGES},
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Session-ID"] == job_session
    assert upstream.requests[-1]["messages"] == [*PREFIX, TASK_MESSAGES[1]]
    session = backend.container.session_store().get("org_test", job_session)
    assert session.used.api_calls == 1 and session.used.cost_usd > 0
    with backend.client() as client:
        record = client.delete(f"/api/interceptor/trials/{trial}").json()
    assert record["rollouts"] == {
        "s7": {
            "calls": 1,
            "refused": False,
            "exchanges": [{"messages": TASK_MESSAGES, "output": "four"}],
        }
    }


def test_the_openai_sdk_works_against_a_trials_inference_url_streaming_too(
    upstream, backend, job_session
):
    trial = open_trial(backend, job_session).json()["trial_id"]
    client = openai.OpenAI(base_url=f"{backend.url}/api/interceptor/{trial}/v1", api_key="none")
    upstream.push(Reply(text="four"), Reply(text="four, streamed"))

    plain = client.chat.completions.create(model="scripted", messages=TASK_MESSAGES)
    chunks = client.chat.completions.create(model="scripted", messages=TASK_MESSAGES, stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    assert plain.choices[0].message.content == "four"
    assert streamed == "four, streamed"
    assert upstream.requests[-1]["messages"][0] == PREFIX[0]


def test_an_unknown_or_finished_trial_is_404(upstream, backend, job_session):
    trial = open_trial(backend, job_session).json()["trial_id"]
    with backend.client() as client:
        client.delete(f"/api/interceptor/trials/{trial}")

    answer = httpx.post(
        f"{backend.url}/api/interceptor/{trial}/v1/chat/completions",
        json={"model": "scripted", "messages": TASK_MESSAGES},
    )

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "trial_not_found"


def test_a_trial_can_only_be_opened_on_the_callers_own_session(upstream, backend, job_session):
    refused = open_trial(backend, job_session, key=OTHER_KEY)

    assert refused.status_code == 404
    assert "opt_route_test" in refused.json()["error"]["message"]


def test_a_call_past_the_sessions_hard_limit_is_429_and_marks_the_trial_refused(upstream, backend):
    with backend.client() as client:
        client.post(
            "/api/v1/sessions",
            json={
                "session_id": "opt_tiny",
                "make_active": False,
                "limits": [{"metric_type": "api_calls", "limit_value": 1, "limit_type": "hard"}],
            },
        )
    trial = open_trial(backend, "opt_tiny").json()["trial_id"]
    url = f"{backend.url}/api/interceptor/{trial}.s1/v1/chat/completions"
    body = {"model": "scripted", "messages": TASK_MESSAGES}

    first, second = httpx.post(url, json=body), httpx.post(url, json=body)

    assert (first.status_code, second.status_code) == (200, 429)
    assert len(upstream.requests) == 1
    with backend.client() as client:
        record = client.delete(f"/api/interceptor/trials/{trial}").json()
    assert record["rollouts"]["s1"]["refused"] and record["rollouts"]["s1"]["calls"] == 2


def test_a_trial_with_a_model_holds_every_policy_call_to_it(upstream, backend, job_session):
    trial = open_trial(backend, job_session, model="synth-policy").json()["trial_id"]

    httpx.post(
        f"{backend.url}/api/interceptor/{trial}.s1/v1/chat/completions",
        json={"model": "whatever-the-task-app-likes", "messages": TASK_MESSAGES},
    )

    assert upstream.requests[-1]["model"] == "synth-policy"
