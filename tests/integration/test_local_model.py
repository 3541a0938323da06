"""The ``local`` provider on the real packaged Gemma 3 270M, through real Waitress: the chat route
and the Responses bridge, streamed and not, and concurrent requests on one loaded model.

Every request is greedy (``temperature: 0``) and capped at 8 output tokens, so the suite stays
fast and the same request always gets the same answer — which is what lets these tests compare
a streamed answer with a plain one, and concurrent answers with answers given alone.
"""

from __future__ import annotations

import json
import os
import pwd
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest
from synth_ai.adapters.llama_cpp import resolve_model_path
from synth_ai.adapters.llama_cpp.turns import gemma_prompt

from tests.conftest import TEST_KEY
from tests.support.event_invariants import assert_event_contract

CHAT = "/api/synth-research/v1/chat/completions"
COUNT = [{"role": "user", "content": "Count from one to ten: one, two, three,"}]


@pytest.fixture(scope="session")
def model_path() -> str:
    """The packaged Gemma, assembled once per machine under the real home (tests get a temporary
    HOME each, which would assemble 250 MB per test)."""
    cache = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "synth-ai" / "models"
    return str(resolve_model_path(None, cache))


@pytest.fixture
def local_settings(settings, model_path):
    settings.document = {
        "upstream": {"provider": "local", "model_path": model_path, "context_size": 2048}
    }
    return settings


@pytest.fixture
def local_backend(local_settings, backend):
    return backend


def ask(client, messages=COUNT, **extra) -> dict:
    body = {"model": "local", "messages": messages, "max_tokens": 8, "temperature": 0, **extra}
    response = client.post(CHAT, json=body, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def streamed(client, messages=COUNT, **extra) -> list:
    body = {
        "model": "local",
        "messages": messages,
        "max_tokens": 8,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
        **extra,
    }
    response = client.post(CHAT, json=body, timeout=120)
    assert response.status_code == 200, response.text
    return [
        line[6:] if line[6:] == "[DONE]" else json.loads(line[6:])
        for line in response.text.splitlines()
        if line.startswith("data: ")
    ]


def real_prompt_tokens(container, messages) -> int:
    model = container.chat_provider().model()
    text = gemma_prompt(messages).encode()
    return len(model.llama.tokenize(text, add_bos=True, special=True))


def test_a_completion_comes_from_the_local_model_with_usage_from_its_tokenizer(local_backend):
    client = local_backend.client()
    result = ask(client)
    choice = result["choices"][0]
    assert result["object"] == "chat.completion" and result["model"] == "local"
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"].strip()
    assert "four" in choice["message"]["content"].lower()
    usage = result["usage"]
    assert usage["prompt_tokens"] == real_prompt_tokens(local_backend.container, COUNT)
    assert 1 <= usage["completion_tokens"] <= 8
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_the_session_is_charged_the_real_token_counts_at_no_cost(local_backend):
    client = local_backend.client()
    response = client.post(
        CHAT,
        json={"model": "local", "messages": COUNT, "max_tokens": 8, "temperature": 0},
        timeout=120,
    )
    usage = response.json()["usage"]
    session = client.get(f"/api/v1/sessions/{response.headers['X-Session-ID']}").json()
    assert session["current_usage"]["tokens"] == usage["total_tokens"]
    assert session["current_usage"]["cost_usd"] == 0


def test_max_tokens_cuts_the_answer_at_that_many_tokens(local_backend):
    result = ask(local_backend.client(), max_tokens=2)
    assert result["usage"]["completion_tokens"] == 2
    assert result["choices"][0]["finish_reason"] == "length"


def test_a_stop_string_ends_the_answer_before_it(local_backend):
    client = local_backend.client()
    full = ask(client)["choices"][0]["message"]["content"]
    assert "five" in full
    cut = ask(client, stop=["five"])["choices"][0]
    assert cut["finish_reason"] == "stop"
    assert cut["message"]["content"] == full[: full.index("five")]


def test_a_streamed_answer_is_the_plain_answer_in_chunks_with_real_usage(local_backend):
    client = local_backend.client()
    plain = ask(client)
    events = streamed(client)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == plain["choices"][0]["message"]["content"]
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == plain["choices"][0]["finish_reason"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == plain["usage"]


def test_a_streamed_stop_string_never_shows_in_any_delta(local_backend):
    client = local_backend.client()
    events = streamed(client, stop=["five"])
    deltas = [c["choices"][0]["delta"].get("content") or "" for c in events[:-1] if c["choices"]]
    assert "five" not in "".join(deltas) and "fiv" not in deltas[-1]


def test_concurrent_requests_get_the_answers_they_get_alone(local_backend):
    prompts = [
        [{"role": "user", "content": f"Count from {start}: {start}, {start + 1},"}]
        for start in (1, 20, 300, 4000)
    ]
    client = local_backend.client()
    alone = [ask(client, p)["choices"][0]["message"]["content"] for p in prompts]

    def together(messages):
        with local_backend.client() as own:
            if messages is prompts[1]:
                return "".join(
                    c["choices"][0]["delta"].get("content") or ""
                    for c in streamed(own, messages)[:-1]
                    if c["choices"]
                )
            return ask(own, messages)["choices"][0]["message"]["content"]

    with ThreadPoolExecutor(len(prompts)) as pool:
        assert list(pool.map(together, prompts * 2)) == alone * 2


def sdk(backend) -> openai.OpenAI:
    return openai.OpenAI(base_url=backend.url + "/api/v1", api_key=TEST_KEY, max_retries=0)


def test_the_responses_bridge_answers_from_the_local_model(local_backend):
    response = sdk(local_backend).responses.create(
        model="local",
        instructions="Continue the list.",
        input="one, two, three,",
        max_output_tokens=8,
        temperature=0,
    )
    assert response.status in ("completed", "incomplete") and response.output_text.strip()
    messages = [{"role": "system", "content": "Continue the list."}]
    messages.append({"role": "user", "content": "one, two, three,"})
    assert response.usage.input_tokens == real_prompt_tokens(local_backend.container, messages)
    assert 1 <= response.usage.output_tokens <= 8


def test_the_responses_bridge_streams_the_local_model_under_the_event_contract(local_backend):
    client = sdk(local_backend)
    plain = client.responses.create(
        model="local", input="one, two, three,", max_output_tokens=8, temperature=0
    )
    with client.responses.create(
        model="local", input="one, two, three,", max_output_tokens=8, temperature=0, stream=True
    ) as stream:
        events = [event.model_dump(mode="json") for event in stream]
    terminal = assert_event_contract(events)
    assert terminal["type"] in ("response.completed", "response.incomplete")
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == plain.output_text
    assert terminal["response"]["usage"]["output_tokens"] == plain.usage.output_tokens
