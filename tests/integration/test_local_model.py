"""The ``local`` provider on the real packaged Gemma 3 270M, through real Waitress: the chat route
and the Responses bridge, streamed and not, and concurrent requests on one loaded model.

Every request is greedy (``temperature: 0``) and capped at 8 output tokens, so the suite stays
fast and the same request always gets the same answer — which is what lets these tests compare
a streamed answer with a plain one, and concurrent answers with answers given alone.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest
from synth_ai.adapters.llama_cpp.turns import gemma_prompt

from tests.conftest import TEST_KEY
from tests.support.event_invariants import assert_event_contract
from tests.support.local_model import local_model_path  # noqa: F401  (the fixture)

CHAT = "/api/synth-research/v1/chat/completions"
# Two demonstrations as turns: the packaged base model answers "positive" (greedy) and ends its
# turn, where a bare question only gets an echo of the prompt.
SENTIMENT = [
    {"role": "user", "content": "I loved it."},
    {"role": "assistant", "content": "positive"},
    {"role": "user", "content": "I hated it."},
    {"role": "assistant", "content": "negative"},
    {"role": "user", "content": "What a wonderful day."},
]


@pytest.fixture
def local_settings(settings, local_model_path):
    settings.document = {
        "upstream": {
            "provider": "local",
            "model_path": local_model_path,
            "context_size": 2048,
            "threads": 1,  # two test workers share two cores: no oversubscription
        }
    }
    return settings


@pytest.fixture
def local_backend(local_settings, backend):
    return backend


def ask(client, messages=SENTIMENT, **extra) -> dict:
    body = {"model": "local", "messages": messages, "max_tokens": 8, "temperature": 0, **extra}
    response = client.post(CHAT, json=body, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def streamed(client, messages=SENTIMENT, **extra) -> list:
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
    return len(model.llama.tokenize(text, add_bos=True, special=False))


def test_a_completion_comes_from_the_local_model_with_usage_from_its_tokenizer(local_backend):
    client = local_backend.client()
    result = ask(client)
    choice = result["choices"][0]
    assert result["object"] == "chat.completion" and result["model"] == "local"
    assert choice["message"] == {"role": "assistant", "content": "positive"}
    assert choice["finish_reason"] == "stop"  # at the end of its turn, which is not shown
    usage = result["usage"]
    assert usage["prompt_tokens"] == real_prompt_tokens(local_backend.container, SENTIMENT)
    assert 1 <= usage["completion_tokens"] <= 8
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_the_session_is_charged_the_real_token_counts_at_no_cost(local_backend):
    client = local_backend.client()
    response = client.post(
        CHAT,
        json={"model": "local", "messages": SENTIMENT, "max_tokens": 8, "temperature": 0},
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
    cut = ask(local_backend.client(), stop=["iti"])["choices"][0]
    assert cut["message"]["content"] == "pos" and cut["finish_reason"] == "stop"


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
    events = streamed(client, stop=["iti"])
    deltas = [c["choices"][0]["delta"].get("content") or "" for c in events[:-1] if c["choices"]]
    assert "".join(deltas) == "pos" and not any("it" in d for d in deltas)


def test_concurrent_requests_get_the_answers_they_get_alone(local_backend):
    prompts = [
        [*SENTIMENT[:-1], {"role": "user", "content": review}]
        for review in ("Great food.", "Awful service.", "A fine film.", "Never again.")
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
        instructions="Label the sentiment.",
        input=SENTIMENT,
        max_output_tokens=8,
        temperature=0,
    )
    assert response.status == "completed" and response.output_text == "positive"
    messages = [{"role": "system", "content": "Label the sentiment."}, *SENTIMENT]
    assert response.usage.input_tokens == real_prompt_tokens(local_backend.container, messages)
    assert 1 <= response.usage.output_tokens <= 8


def test_the_responses_bridge_streams_the_local_model_under_the_event_contract(local_backend):
    client = sdk(local_backend)
    plain = client.responses.create(
        model="local", input=SENTIMENT, max_output_tokens=8, temperature=0
    )
    with client.responses.create(
        model="local", input=SENTIMENT, max_output_tokens=8, temperature=0, stream=True
    ) as stream:
        events = [event.model_dump(mode="json") for event in stream]
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == plain.output_text == "positive"
    assert terminal["response"]["usage"]["output_tokens"] == plain.usage.output_tokens


def test_a_cut_answer_ends_the_response_incomplete(local_backend):
    response = sdk(local_backend).responses.create(
        model="local", input=SENTIMENT, max_output_tokens=1, temperature=0
    )
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
