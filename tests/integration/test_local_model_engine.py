"""The local provider called directly on the real packaged model: closing a generation early,
the context limit, and one load per process."""

from __future__ import annotations

import pytest
from synth_ai.adapters.llama_cpp import LlamaCppChatProvider
from synth_ai.adapters.llama_cpp.engine import Generation, Sampling
from synth_ai.domain.errors import ContextLengthExceeded

from tests.support.local_model import local_model_path  # noqa: F401  (the fixture)

REVIEW = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]


def provider(path: str, **options) -> LlamaCppChatProvider:
    return LlamaCppChatProvider(path, threads=1, **{"context_size": 2048, **options})


def test_a_generation_closed_part_way_stops_at_its_next_token(local_model_path):
    model = provider(local_model_path).model()
    tokens = model.tokenize_chat(REVIEW)
    state = Generation(prompt_tokens=len(tokens))
    pieces = model.generate(tokens, Sampling(max_tokens=64, temperature=0), state)
    assert next(pieces)
    pieces.close()  # the client went away mid-answer
    model.drain()
    assert state.finish_reason is None and state.completion_tokens < 64


def test_a_stream_closed_part_way_leaves_the_model_to_the_next_request(local_model_path):
    local = provider(local_model_path)
    # Greedy, so the answer surely starts with text (sampled, it may end its turn at once).
    stream = local.stream(
        {"model": "local", "messages": REVIEW, "max_tokens": 64, "temperature": 0}
    )
    chunks = iter(stream)
    assert next(chunks)["choices"][0]["delta"]["role"] == "assistant"
    assert next(chunks)["choices"][0]["delta"]["content"]
    stream.close()
    answer = local.complete({"model": "local", "messages": REVIEW, "max_tokens": 2})
    assert answer["usage"]["completion_tokens"] == 2


def test_a_prompt_longer_than_the_context_is_refused_as_context_length_exceeded(
    local_model_path,
):
    local = provider(local_model_path, context_size=64)
    long = [{"role": "user", "content": "word " * 200}]
    with pytest.raises(ContextLengthExceeded, match="context is 64"):
        local.complete({"model": "local", "messages": long, "max_tokens": 4})


def test_providers_with_the_same_file_and_settings_share_one_loaded_model(local_model_path):
    assert provider(local_model_path).model() is provider(local_model_path).model()
