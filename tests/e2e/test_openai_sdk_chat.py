"""The official openai SDK, given any base URL the docs name (/api/synth-research/v1, /api/v1,
/v1), works unchanged, and sees a hard limit as a 429 with type usage_limit_reached that it
does not retry."""

import openai
import pytest

from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply


@pytest.fixture(params=["/api/synth-research/v1", "/api/v1", "/v1"])
def sdk(request, upstream, backend):
    client = openai.OpenAI(
        base_url=f"{backend.url}{request.param}", api_key=backend.api_key, max_retries=0
    )
    yield client
    client.close()


def test_the_openai_sdk_lists_models_and_completes_with_and_without_streaming(sdk, upstream):
    assert "synth-small" in {model.id for model in sdk.models.list()}
    upstream.push(Reply(text="plain answer"), Reply(text="streamed answer"))
    completion = sdk.chat.completions.create(
        model="synth-small", messages=[{"role": "user", "content": "hi"}]
    )
    assert (
        completion.choices[0].message.content == "plain answer"
        and completion.usage.total_tokens > 0
    )
    stream = sdk.chat.completions.create(
        model="synth-small",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "streamed answer"
    )
    assert chunks[-1].usage.completion_tokens > 0


def test_the_openai_sdk_sees_a_hard_limit_as_usage_limit_reached(sdk, backend):
    backend.client().post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "api_calls", "limit_value": 1}]}
    )
    sdk.chat.completions.create(model="synth-small", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.RateLimitError) as refused:
        sdk.chat.completions.create(
            model="synth-small", messages=[{"role": "user", "content": "again"}]
        )
    assert refused.value.status_code == 429
    assert (
        refused.value.body["type"] == "usage_limit_reached"
        and refused.value.body["metric"] == "api_calls"
    )


def test_the_openai_sdk_does_not_retry_a_budget_refusal(upstream, backend):
    import httpx

    sent = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    client = openai.OpenAI(
        base_url=f"{backend.url}/v1", api_key=backend.api_key, max_retries=3, http_client=http
    )
    backend.client().post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "api_calls", "limit_value": 1}]}
    )
    client.chat.completions.create(
        model="synth-small", messages=[{"role": "user", "content": "hi"}]
    )
    sent.clear()
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(
            model="synth-small", messages=[{"role": "user", "content": "again"}]
        )
    assert len(sent) == 1  # x-should-retry: false, where a plain 429 is retried 3 times
    client.close()
