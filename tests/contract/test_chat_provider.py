"""The ``ChatProvider`` contract, run on the fake and on ``adapters/openai_chat`` (httpx against
the scripted upstream on 127.0.0.1)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pytest
from synth_ai.domain.errors import UpstreamError, UpstreamRateLimited

from tests.fakes.responses import ScriptedChatProvider, chat_chunks
from tests.support.scripted_upstream import Reply, ScriptedUpstream, ToolCall, approx_tokens

HELLO = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


class ChatProviderContract(ABC):
    @abstractmethod
    def make_provider(self, *replies: Reply):
        """A provider whose next calls answer ``replies`` in order."""

    def test_a_configured_provider_says_so(self):
        assert self.make_provider().configured is True

    def test_a_completion_carries_the_reply_text_and_its_usage(self):
        result = self.make_provider(Reply(text="hello there")).complete(HELLO)
        assert result["choices"][0]["message"]["content"] == "hello there"
        assert result["choices"][0]["finish_reason"] == "stop"
        assert result["usage"]["completion_tokens"] > 0

    def test_a_stream_yields_the_text_in_deltas_and_ends_with_its_usage(self):
        with self.make_provider(Reply(text="streamed words here")).stream(HELLO) as stream:
            chunks = list(stream)
        text = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices")
        )
        assert text == "streamed words here"
        finishes = [c["choices"][0].get("finish_reason") for c in chunks if c.get("choices")]
        assert finishes[-1] == "stop"
        assert chunks[-1]["usage"]["completion_tokens"] > 0

    def test_streamed_tool_call_arguments_join_into_one_call(self):
        reply = Reply(tool_calls=[ToolCall("exec_command", {"cmd": "ls -la"}, id="call_1")])
        with self.make_provider(reply).stream(HELLO) as stream:
            chunks = list(stream)
        calls = [
            call
            for c in chunks
            if c.get("choices")
            for call in c["choices"][0]["delta"].get("tool_calls") or []
        ]
        assert calls[0]["id"] == "call_1" and calls[0]["function"]["name"] == "exec_command"
        assert "".join(c["function"].get("arguments") or "" for c in calls) == '{"cmd": "ls -la"}'

    def test_a_rate_limited_upstream_raises_upstream_rate_limited(self):
        provider = self.make_provider(
            Reply(status=429, error={"message": "slow down"}),
            Reply(status=429, error={"message": "slow down"}),
        )
        with pytest.raises(UpstreamRateLimited):
            provider.complete(HELLO)
        with pytest.raises(UpstreamRateLimited):
            list(provider.stream(HELLO))

    def test_a_stream_cut_before_done_raises_instead_of_ending_quietly(self):
        stream = self.make_provider(Reply(text="cut off early", cut_after_chunks=2)).stream(HELLO)
        with pytest.raises(UpstreamError):
            list(stream)

    def test_a_stream_may_be_closed_before_its_end(self):
        stream = self.make_provider(Reply(text="a long answer " * 20)).stream(HELLO)
        first = next(iter(stream))
        stream.close()
        assert "choices" in first


# -- the implementations ---------------------------------------------------------------------


def _fake_reply(reply: Reply):
    """What the fake is told so that it answers like the scripted upstream would."""
    if reply.status >= 400:
        error = UpstreamRateLimited if reply.status == 429 else UpstreamError
        return error((reply.error or {}).get("message", f"HTTP {reply.status}"))
    output = approx_tokens(reply.text) + sum(
        approx_tokens(c.arguments_text()) for c in reply.tool_calls
    )
    chunks = chat_chunks(
        reply.text,
        reasoning=reply.reasoning,
        tool_calls=[(c.name, c.arguments_text(), c.id or "call_0") for c in reply.tool_calls],
        usage={"prompt_tokens": 5, "completion_tokens": output, "total_tokens": 5 + output},
    )
    if reply.cut_after_chunks is not None:
        cut = UpstreamError("the upstream closed the stream before [DONE]")
        return chunks[: reply.cut_after_chunks], cut
    return chunks, None


class TestScriptedChatProvider(ChatProviderContract):
    def make_provider(self, *replies: Reply):
        provider = ScriptedChatProvider()
        for reply in replies:
            told = _fake_reply(reply)
            if isinstance(told, Exception):
                provider.push_error(told)
            else:
                provider.push(*told)
        return provider


@pytest.fixture(scope="module")
def scripted_upstream():
    upstream = ScriptedUpstream.start(threads=4)
    yield upstream
    upstream.close()


class TestOpenAIChatProvider(ChatProviderContract):
    @pytest.fixture(autouse=True)
    def _upstream(self, scripted_upstream):
        from synth_ai.adapters.openai_chat import OpenAIChatProvider

        self.upstream = scripted_upstream
        self.upstream.replies.clear()
        self.provider = OpenAIChatProvider(scripted_upstream.base_url, "key", timeout=10)
        yield
        self.provider.close()

    def make_provider(self, *replies: Reply):
        self.upstream.push(*replies)
        return self.provider
