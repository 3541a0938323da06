"""The bridge behind the real session guard: budgets reserved before the upstream is called,
real usage settled after — including when the upstream fails or the client goes away."""

from __future__ import annotations

import time

import openai
import pytest

from tests.conftest import TEST_KEY
from tests.support.scripted_upstream import Reply


@pytest.fixture
def api(upstream, backend):
    return backend


def start_session(api, **limits) -> str:
    with api.client() as http:
        resp = http.post(
            "/api/v1/sessions",
            json={
                "limits": [
                    {"metric_type": metric, "limit_value": value}
                    for metric, value in limits.items()
                ]
            },
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["session_id"]


def session(api, session_id) -> dict:
    with api.client() as http:
        return http.get(f"/api/v1/sessions/{session_id}").json()


def sdk(api, session_id) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=api.url + "/api/v1",
        api_key=TEST_KEY,
        max_retries=0,
        timeout=30,
        default_headers={"X-Session-ID": session_id},
    )


def test_a_turn_settles_the_upstream_usage_into_the_session(api, upstream):
    session_id = start_session(api, tokens=100_000)
    upstream.push(Reply(text="counted", usage={"prompt_tokens": 40, "completion_tokens": 2}))
    raw = sdk(api, session_id).responses.with_raw_response.create(model="synth-small", input="x")
    assert raw.headers["X-Session-ID"] == session_id
    state = session(api, session_id)
    assert state["current_usage"]["tokens"] == 42
    assert state["reserved_usage"]["tokens"] == 0


@pytest.mark.parametrize("stream", [False, True])
def test_the_budget_is_refused_mid_conversation_before_the_upstream_is_called(
    api, upstream, stream
):
    session_id = start_session(api, tokens=500)
    upstream.push(
        Reply(text="first answer", usage={"prompt_tokens": 300, "completion_tokens": 100})
    )
    client = sdk(api, session_id)
    first = client.responses.create(
        model="synth-small", input="first " * 60, max_output_tokens=100
    )  # a prompt bound of 376 tokens: the 300 the upstream counts fit in it
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(
            model="synth-small",
            input="second",
            previous_response_id=first.id,
            max_output_tokens=100,
            stream=stream,
        )
    assert caught.value.body["type"] == "usage_limit_reached"
    assert caught.value.body["code"] == "usage_limit_reached"
    assert len(upstream.requests) == 1
    assert caught.value.response.headers["x-should-retry"] == "false"
    state = session(api, session_id)
    assert state["current_usage"]["tokens"] == 400 and state["status"] == "active"


def test_an_upstream_failure_mid_stream_releases_the_reservation(api, upstream):
    session_id = start_session(api, tokens=100_000)
    upstream.push(Reply(text="cut off before the end of this sentence", cut_after_chunks=3))
    with sdk(api, session_id).responses.create(model="m", input="x", stream=True) as stream:
        kinds = [event.type for event in stream]
    assert kinds[-1] == "response.failed"
    state = session(api, session_id)
    assert state["reserved_usage"]["tokens"] == 0
    assert state["current_usage"]["tokens"] > 0


def test_a_client_disconnect_settles_the_real_usage_and_frees_the_reservation(api, upstream):
    session_id = start_session(api, tokens=100_000)
    upstream.push(Reply(text="word " * 200, chunk_delay=0.05))
    with (
        api.client() as http,
        http.stream(
            "POST",
            "/api/v1/responses",
            headers={"X-Session-ID": session_id},
            json={"model": "m", "input": "x", "stream": True},
        ) as resp,
    ):
        for line in resp.iter_lines():
            if "output_text.delta" in line:
                break
    deadline = time.monotonic() + 10
    state = session(api, session_id)
    while (
        state["reserved_usage"]["tokens"] or upstream.open_streams
    ) and time.monotonic() < deadline:
        time.sleep(0.1)
        state = session(api, session_id)
    assert state["reserved_usage"]["tokens"] == 0
    assert state["current_usage"]["tokens"] > 0
    assert upstream.open_streams == 0


def test_x_no_session_leaves_the_session_untouched(api, upstream):
    session_id = start_session(api, tokens=100_000)
    client = openai.OpenAI(
        base_url=api.url + "/v1",
        api_key=TEST_KEY,
        max_retries=0,
        default_headers={"X-No-Session": "true"},
    )
    assert client.responses.create(model="m", input="free").status == "completed"
    assert session(api, session_id)["current_usage"]["tokens"] == 0
