"""The reservation bounds the spend only if the upstream cannot produce more than was reserved:
a request that sets no output cap is sent upstream with the cap its reservation assumed
(``[session] max_output_tokens``), and an upstream that overruns anyway is charged in full and
stops the session before the next request can spend."""

import json

import pytest
from synth_ai.adapters.waitress_host import BackgroundServer

from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply

CHAT = "/api/synth-research/chat/completions"
RESPONSES = "/api/v1/responses"
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def capped(settings, upstream):
    settings.document = {"session": {"max_output_tokens": 321}}
    return upstream


@pytest.mark.parametrize("stream", [False, True])
def test_a_chat_request_without_a_cap_is_sent_upstream_with_the_reserved_cap(
    capped, backend, stream
):
    client = backend.client()
    response = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "stream": stream})
    assert response.status_code == 200, response.text
    assert capped.requests[-1]["max_completion_tokens"] == 321
    assert "max_tokens" not in capped.requests[-1]


def test_a_chat_request_with_its_own_cap_is_sent_upstream_with_that_cap(capped, backend):
    client = backend.client()
    client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "max_tokens": 50})
    assert capped.requests[-1]["max_completion_tokens"] == 50  # the default [upstream] field
    assert "max_tokens" not in capped.requests[-1]


def test_an_opted_out_chat_request_reserves_nothing_and_is_not_capped(capped, backend):
    client = backend.client()
    client.post(
        CHAT, json={"model": "synth-small", "messages": HELLO}, headers={"X-No-Session": "true"}
    )
    assert "max_completion_tokens" not in capped.requests[-1]


def test_a_responses_turn_without_a_cap_is_sent_upstream_with_the_reserved_cap(capped, backend):
    client = backend.client()
    response = client.post(RESPONSES, json={"model": "synth-small", "input": "hello"})
    assert response.status_code == 200, response.text
    assert capped.requests[-1]["max_completion_tokens"] == 321


def test_an_upstream_that_reports_more_than_reserved_is_charged_only_the_reservation(
    upstream, backend
):
    client = backend.client()
    sid = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 1000}]}
    ).json()["session_id"]
    # Reserves 21 + 200 tokens, but the upstream says it produced 5000.
    upstream.push(Reply(text="x", usage={"prompt_tokens": 5, "completion_tokens": 5000}))
    first = client.post(CHAT, json={"model": "synth-small", "messages": HELLO, "max_tokens": 200})
    assert first.status_code == 200
    session = client.get(f"/api/v1/sessions/{sid}").json()
    assert session["current_usage"]["tokens"] == 221 and session["status"] == "active"
    assert session["reserved_usage"]["tokens"] == 0
    [entry] = client.get("/api/v1/usage", params={"session_id": sid}).json()["data"]
    assert entry["output_tokens"] == 5000 and entry["metadata"]["overrun"]["tokens"] == 5005 - 221


def test_a_request_for_several_choices_reserves_the_output_cap_for_each(upstream, backend):
    client = backend.client()
    sid = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 1000}]}
    ).json()["session_id"]
    body = {"model": "synth-small", "messages": HELLO, "max_tokens": 300}
    four = client.post(CHAT, json={**body, "n": 4})  # 4 x 300 do not fit in 1000 - 21
    assert four.status_code == 200 and upstream.requests[-1]["n"] == 4
    assert upstream.requests[-1]["max_completion_tokens"] == (1000 - 21) // 4
    client.post(
        f"/api/v1/sessions/{sid}/limits/increase", json={"metric_type": "tokens", "increase_by": 1}
    )
    three = client.post(CHAT, json={**body, "n": 3})
    assert three.status_code == 200 and upstream.requests[-1]["n"] == 3
    for bad in (0, "2", 1.5):
        refused = client.post(CHAT, json={**body, "n": bad})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "n"


def _two_answers_without_usage(environ, start_response):
    """An upstream that writes two choices (n=2) and reports no usage."""
    body = json.dumps(
        {
            "id": "chatcmpl-two",
            "object": "chat.completion",
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": "z" * 400}}
                for i in range(2)
            ],
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def two_answers(settings):
    server = BackgroundServer.start(_two_answers_without_usage)
    settings.upstream_url = f"{server.url}/v1"
    yield server
    server.close()


def test_without_upstream_usage_every_choice_is_counted(two_answers, backend):
    client = backend.client()
    response = client.post(CHAT, json={"model": "m", "messages": HELLO, "n": 2, "max_tokens": 200})
    assert response.status_code == 200
    used = client.get(f"/api/v1/sessions/{response.headers['X-Session-ID']}").json()
    assert used["current_usage"]["tokens"] == 2 * 100 + 2 + 4  # 2 x 400 chars, '"hello"', framing


def test_a_request_with_both_caps_reserves_for_the_larger(upstream, backend):
    client = backend.client()
    client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 1000}]}
    )
    both = client.post(
        CHAT,
        json={
            "model": "synth-small",
            "messages": HELLO,
            "max_completion_tokens": 10,
            "max_tokens": 5000,  # an upstream that reads only max_tokens may write 5000
        },
    )
    assert both.status_code == 200  # held to what 1000 - 21 affords, in both fields
    assert upstream.requests[-1]["max_completion_tokens"] == 1000 - 21
