"""The httpx Chat Completions adapter against the scripted upstream on 127.0.0.1."""

import pytest
from synth_ai.adapters.openai_chat import OpenAIChatProvider, UnconfiguredChatProvider
from synth_ai.domain.errors import (
    ContextLengthExceeded,
    ServiceUnavailable,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)

from tests.support.scripted_upstream import Reply, ScriptedUpstream, ToolCall


@pytest.fixture
def upstream():
    upstream = ScriptedUpstream.start()
    yield upstream
    upstream.close()


@pytest.fixture
def provider(upstream):
    provider = OpenAIChatProvider(
        upstream.base_url, "upstream-key", aliases={"synth-small": "tiny-model"}
    )
    yield provider
    provider.close()


def test_complete_resolves_the_alias_and_keeps_the_client_model_name(upstream, provider):
    upstream.push(Reply(text="hello there"))
    result = provider.complete(
        {"model": "synth-small", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert upstream.requests[0]["model"] == "tiny-model"
    assert upstream.headers[0]["HTTP_AUTHORIZATION"] == "Bearer upstream-key"
    assert result["model"] == "synth-small"
    assert result["choices"][0]["message"]["content"] == "hello there"
    assert result["usage"]["completion_tokens"] > 0


def test_stream_asks_for_usage_and_yields_every_chunk_until_done(upstream, provider):
    upstream.push(
        Reply(text="streamed words here", tool_calls=[ToolCall("exec_command", {"cmd": "ls"})])
    )
    with provider.stream(
        {"model": "synth-small", "messages": [{"role": "user", "content": "hi"}]}
    ) as stream:
        chunks = list(stream)
    assert upstream.requests[0]["stream_options"] == {"include_usage": True}
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "streamed words here"
    assert chunks[-1]["usage"]["prompt_tokens"] > 0
    assert stream.done


def test_a_stream_cut_before_done_raises_instead_of_ending_quietly(upstream, provider):
    upstream.push(Reply(text="this will be cut off early", cut_after_chunks=2))
    stream = provider.stream({"model": "m", "messages": []})
    with pytest.raises(UpstreamError, match="before \\[DONE\\]"):
        list(stream)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(status=429, error={"message": "slow down"}), UpstreamRateLimited),
        (
            Reply(
                status=400,
                error={
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                },
            ),
            ContextLengthExceeded,
        ),
        (Reply(status=500, error={"message": "boom"}), UpstreamError),
    ],
)
def test_upstream_errors_map_to_named_errors(upstream, provider, reply, error):
    upstream.push(reply, reply)
    with pytest.raises(error):
        provider.complete({"model": "m", "messages": []})
    with pytest.raises(error):
        provider.stream({"model": "m", "messages": []})


def test_an_unreachable_upstream_is_a_clear_error():
    provider = OpenAIChatProvider("http://127.0.0.1:9/v1", timeout=2, connect_timeout=1)
    with pytest.raises(UpstreamUnavailable, match="not reachable"):
        provider.complete({"model": "m", "messages": []})


def test_no_configured_upstream_answers_503_with_how_to_configure_one():
    with pytest.raises(ServiceUnavailable, match=r"\[upstream\] base_url"):
        UnconfiguredChatProvider().complete({"model": "m"})


@pytest.mark.parametrize("field", ["max_completion_tokens", "max_tokens"])
def test_the_output_cap_is_sent_under_the_field_the_upstream_honours(upstream, field):
    provider = OpenAIChatProvider(upstream.base_url, max_tokens_field=field)
    other = "max_tokens" if field == "max_completion_tokens" else "max_completion_tokens"
    for request in ({other: 77}, {field: 77}, {"max_tokens": 12, "max_completion_tokens": 77}):
        provider.complete({"model": "m", "messages": [], **request})
        sent = upstream.requests[-1]
        assert sent[field] == 77 and other not in sent
    with provider.stream({"model": "m", "messages": [], other: 33}) as stream:
        list(stream)
    assert upstream.requests[-1][field] == 33 and other not in upstream.requests[-1]
    provider.close()


def test_a_request_without_a_cap_gets_none_added_by_the_adapter(upstream, provider):
    provider.complete({"model": "m", "messages": []})
    assert "max_tokens" not in upstream.requests[-1]
    assert "max_completion_tokens" not in upstream.requests[-1]
