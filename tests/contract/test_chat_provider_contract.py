"""``ChatProvider``: the same assertions for the OpenAI-compatible adapter (against the scripted
upstream on 127.0.0.1) and the in-process llama.cpp adapter (on the real packaged model).

Shapes, not words: the two answer differently, but both answer in the Chat Completions wire
shape, stream chunks that end with a usage chunk, honour the output cap, and keep the model name
the client used.
"""

from __future__ import annotations

import pytest
from synth_ai.adapters.llama_cpp import LlamaCppChatProvider
from synth_ai.adapters.openai_chat import OpenAIChatProvider

from tests.support.local_model import local_model_path  # noqa: F401  (the fixture)
from tests.support.scripted_upstream import Reply, ScriptedUpstream

MESSAGES = [
    {"role": "system", "content": "Label the sentiment."},
    {"role": "user", "content": "I loved it."},
    {"role": "assistant", "content": "positive"},
    {"role": "user", "content": "What a wonderful day."},
]


class ChatProviderContract:
    model = "synth-small"

    def make(self, request):
        raise NotImplementedError

    def test_a_completion_is_one_assistant_message_with_usage_under_the_client_model_name(
        self, request
    ):
        provider = self.make(request)
        result = provider.complete({"model": self.model, "messages": MESSAGES, "max_tokens": 4})
        assert result["object"] == "chat.completion" and result["model"] == self.model
        [choice] = result["choices"]
        assert choice["message"]["role"] == "assistant"
        assert isinstance(choice["message"]["content"], str)
        assert choice["finish_reason"] in ("stop", "length")
        usage = result["usage"]
        assert usage["prompt_tokens"] > 0 and 0 < usage["completion_tokens"] <= 4
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

    def test_a_stream_is_chunks_then_one_usage_chunk(self, request):
        provider = self.make(request)
        with provider.stream({"model": self.model, "messages": MESSAGES, "max_tokens": 4}) as s:
            chunks = list(s)
        assert all(c["object"] == "chat.completion.chunk" for c in chunks)
        assert all(c["model"] == self.model for c in chunks)
        with_choices = [c for c in chunks if c["choices"]]
        assert with_choices[-1]["choices"][0]["finish_reason"] in ("stop", "length")
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] <= 4

    def test_a_stream_closed_early_can_be_followed_by_another_request(self, request):
        provider = self.make(request)
        stream = provider.stream({"model": self.model, "messages": MESSAGES, "max_tokens": 4})
        next(iter(stream))
        stream.close()
        again = provider.complete({"model": self.model, "messages": MESSAGES, "max_tokens": 4})
        assert again["choices"][0]["message"]["role"] == "assistant"

    def test_models_are_openai_model_objects(self, request):
        models = self.make(request).models()
        assert models and all(m["object"] == "model" and m["id"] for m in models)


class TestOpenAIChatProvider(ChatProviderContract):
    def make(self, request):
        upstream = ScriptedUpstream.start()
        upstream.default = Reply(
            text="positive", usage={"prompt_tokens": 9, "completion_tokens": 1}
        )
        request.addfinalizer(upstream.close)
        provider = OpenAIChatProvider(upstream.base_url, aliases={"synth-small": "tiny"})
        request.addfinalizer(provider.close)
        return provider


class TestLlamaCppChatProvider(ChatProviderContract):
    @pytest.fixture(autouse=True)
    def _model(self, local_model_path):
        self.path = local_model_path

    def make(self, request):
        return LlamaCppChatProvider(self.path, context_size=2048, threads=1)
