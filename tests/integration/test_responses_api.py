"""The Responses bridge end to end: the official ``openai`` SDK → real Waitress → the bridge →
a scripted Chat Completions upstream on 127.0.0.1."""

from __future__ import annotations

import json
import time

import openai
import pytest
from dependency_injector import providers
from synth_ai.settings.config import ApiKey

from tests.conftest import TEST_KEY
from tests.fakes import RecordingMeterFactory
from tests.support.event_invariants import assert_event_contract
from tests.support.scripted_upstream import Reply, ToolCall

FOREIGN_KEY = "sk-synth-test-foreign-org-key"
SHELL = {
    "type": "function",
    "name": "exec_command",
    "description": "Run a shell command",
    "parameters": {
        "type": "object",
        "properties": {"cmd": {"type": "string"}},
        "required": ["cmd"],
    },
}


@pytest.fixture
def bridge_settings(settings):
    settings.upstream_timeout = 2.0
    settings.model_aliases = {"synth-small": "scripted-small"}
    settings.api_keys.append(ApiKey(FOREIGN_KEY, "org_foreign", "user_foreign"))
    return settings


@pytest.fixture
def meters(container):
    factory = RecordingMeterFactory()
    container.meter_factory.override(providers.Object(factory))
    return factory


@pytest.fixture
def api(bridge_settings, upstream, meters, backend):
    return backend


def sdk(backend, prefix="/api/v1", key=TEST_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=backend.url + prefix, api_key=key, max_retries=0, timeout=30)


def stream_events(backend, **kwargs) -> list[dict]:
    with sdk(backend).responses.create(stream=True, **kwargs) as stream:
        return [event.model_dump(mode="json") for event in stream]


def last_messages(upstream, n=-1) -> list[dict]:
    return upstream.requests[n]["messages"]


# -- text -----------------------------------------------------------------------------------------
def test_a_text_response_comes_back_as_a_response_object(api, upstream):
    upstream.push(Reply(text="Hello from upstream"))
    response = sdk(api).responses.create(model="synth-small", input="Say hello")
    assert response.status == "completed"
    assert response.output_text == "Hello from upstream"
    assert response.id.startswith("resp_") and response.object == "response"
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert last_messages(upstream) == [{"role": "user", "content": "Say hello"}]


def test_the_client_model_name_is_kept_while_the_alias_is_resolved_upstream(api, upstream):
    response = sdk(api).responses.create(model="synth-small", input="x")
    assert response.model == "synth-small"
    assert upstream.requests[0]["model"] == "scripted-small"


def test_a_streamed_text_response_follows_the_event_contract(api, upstream):
    upstream.push(Reply(text="streamed words arrive one chunk at a time"))
    events = stream_events(api, model="synth-small", input="talk")
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == "streamed words arrive one chunk at a time"
    assert terminal["response"]["usage"]["total_tokens"] > 0
    assert upstream.requests[0]["stream"] is True


def test_the_sse_wire_names_each_event_and_ends_right_after_the_terminal_one(api, upstream):
    upstream.push(Reply(text="wire"))
    with (
        api.client() as http,
        http.stream(
            "POST", "/api/v1/responses", json={"model": "m", "input": "x", "stream": True}
        ) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = resp.read().decode()
    frames = [f for f in raw.split("\n\n") if f.strip()]
    for frame in frames:
        event_line, data_line = frame.split("\n")
        assert event_line == f"event: {json.loads(data_line[6:])['type']}"
    assert json.loads(frames[-1].split("\n")[1][6:])["type"] == "response.completed"


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/synth-research/v1", "/v1"])
def test_every_route_alias_serves_responses(api, upstream, prefix):
    upstream.push(Reply(text=f"via {prefix}"))
    assert sdk(api, prefix).responses.create(model="m", input="x").output_text == f"via {prefix}"


def test_instructions_and_opening_developer_messages_reach_the_upstream_as_one_system_message(
    api, upstream
):
    sdk(api).responses.create(
        model="m",
        instructions="Be terse.",
        input=[
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "Rules."}],
            },
            {"role": "developer", "content": "More rules."},
            {"role": "user", "content": "hi"},
            {"role": "developer", "content": "Later note."},
            {"role": "user", "content": "again"},
        ],
    )
    assert last_messages(upstream) == [
        {"role": "system", "content": "Be terse.\n\nRules.\n\nMore rules."},
        {"role": "user", "content": "hi"},
        {"role": "system", "content": "Later note."},
        {"role": "user", "content": "again"},
    ]


def test_sampling_options_and_json_schema_output_are_passed_on(api, upstream):
    upstream.push(Reply(text='{"answer": 4}'))
    response = sdk(api).responses.create(
        model="m",
        input="2+2 as JSON",
        temperature=0.1,
        top_p=0.5,
        max_output_tokens=40,
        text={
            "format": {
                "type": "json_schema",
                "name": "sum",
                "strict": True,
                "schema": {"type": "object", "properties": {"answer": {"type": "integer"}}},
            }
        },
    )
    body = upstream.requests[0]
    assert (body["temperature"], body["top_p"], body["max_completion_tokens"]) == (0.1, 0.5, 40)
    assert body["response_format"]["json_schema"]["name"] == "sum"
    assert json.loads(response.output_text) == {"answer": 4}


def test_a_length_cut_is_an_incomplete_response(api, upstream):
    upstream.push(Reply(text="trunc", finish_reason="length"))
    events = stream_events(api, model="m", input="long essay", max_output_tokens=2)
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.incomplete"
    assert terminal["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_a_length_cut_without_streaming_is_an_incomplete_response_object(api, upstream):
    upstream.push(Reply(text="trunc", finish_reason="length"))
    response = sdk(api).responses.create(model="m", input="long essay", max_output_tokens=2)
    assert (response.status, response.incomplete_details.reason) == (
        "incomplete",
        "max_output_tokens",
    )
    assert (response.output_text, response.output[0].status) == ("trunc", "incomplete")


def test_unknown_request_fields_are_ignored(api, upstream):
    response = sdk(api).responses.create(
        model="m",
        input="x",
        extra_body={
            "prompt_cache_key": "k",
            "client_metadata": {"a": "b"},
            "include": ["reasoning.encrypted_content"],
            "some_future_field": {"nested": True},
        },
    )
    assert response.status == "completed"


# -- reasoning ------------------------------------------------------------------------------------
def test_upstream_reasoning_becomes_a_streamed_reasoning_item_before_the_answer(api, upstream):
    upstream.push(Reply(reasoning="First, think carefully.", text="The answer is 4."))
    events = stream_events(api, model="m", input="2+2?")
    terminal = assert_event_contract(events)
    output = terminal["response"]["output"]
    assert [item["type"] for item in output] == ["reasoning", "message"]
    assert output[0]["content"][0]["text"] == "First, think carefully."
    assert (
        "".join(e["delta"] for e in events if e["type"] == "response.reasoning_text.delta")
        == "First, think carefully."
    )
    assert output[1]["content"][0]["text"] == "The answer is 4."


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
def test_both_upstream_reasoning_keys_become_a_reasoning_item(api, upstream, key, stream):
    upstream.push(Reply(reasoning="Two and two.", text="4", reasoning_key=key))
    if stream:
        events = stream_events(api, model="m", input="2+2?")
        response = assert_event_contract(events)["response"]
        deltas = [e["delta"] for e in events if e["type"] == "response.reasoning_text.delta"]
        assert "".join(deltas) == "Two and two."
    else:
        response = sdk(api).responses.create(model="m", input="2+2?").model_dump(mode="json")
    reasoning, message = response["output"]
    assert (reasoning["type"], reasoning["content"][0]["text"]) == ("reasoning", "Two and two.")
    assert message["content"][0]["text"] == "4"


def test_a_reasoning_only_reply_is_not_empty_and_its_tokens_are_counted(api, upstream):
    upstream.push(Reply(reasoning="thinking but never answering"))
    response = sdk(api).responses.create(model="m", input="x")
    assert response.output[0].type == "reasoning"
    assert response.usage.output_tokens > 0


# -- tools ----------------------------------------------------------------------------------------
def test_a_single_tool_call_comes_back_as_a_function_call_item(api, upstream):
    upstream.push(Reply(tool_calls=[ToolCall("exec_command", {"cmd": "ls"}, id="call_one")]))
    response = sdk(api).responses.create(model="m", input="list files", tools=[SHELL])
    call = response.output[0]
    assert (call.type, call.call_id, call.name) == ("function_call", "call_one", "exec_command")
    assert json.loads(call.arguments) == {"cmd": "ls"}
    tools = [t["function"]["name"] for t in upstream.requests[0]["tools"]]
    assert tools == ["exec_command", "__internal_stop"]


def test_streamed_tool_arguments_arrive_as_deltas_that_add_up(api, upstream):
    upstream.push(Reply(tool_calls=[ToolCall("exec_command", {"cmd": "echo a long command line"})]))
    events = stream_events(api, model="m", input="run it", tools=[SHELL])
    assert_event_contract(events)
    deltas = [e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"]
    done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert len(deltas) > 1 and "".join(deltas) == done[0]["arguments"]
    assert json.loads(done[0]["arguments"]) == {"cmd": "echo a long command line"}


def test_parallel_tool_calls_are_separate_items_with_their_own_call_ids(api, upstream):
    upstream.push(
        Reply(
            text="Running both.",
            tool_calls=[
                ToolCall("exec_command", {"cmd": "ls"}, id="call_a"),
                ToolCall("exec_command", {"cmd": "pwd"}, id="call_b"),
            ],
        )
    )
    events = stream_events(api, model="m", input="both", tools=[SHELL], parallel_tool_calls=True)
    terminal = assert_event_contract(events)
    output = terminal["response"]["output"]
    assert [i["type"] for i in output] == ["message", "function_call", "function_call"]
    assert [i["call_id"] for i in output[1:]] == ["call_a", "call_b"]
    assert upstream.requests[0]["parallel_tool_calls"] is True


def test_tool_outputs_sent_as_full_history_reach_the_upstream_as_tool_messages(api, upstream):
    upstream.push(Reply(text="Both listed."))
    sdk(api).responses.create(
        model="m",
        tools=[SHELL],
        store=False,
        input=[
            {"role": "user", "content": "both"},
            {
                "type": "function_call",
                "call_id": "call_a",
                "name": "exec_command",
                "arguments": '{"cmd":"ls"}',
            },
            {
                "type": "function_call",
                "call_id": "call_b",
                "name": "exec_command",
                "arguments": '{"cmd":"pwd"}',
            },
            {"type": "function_call_output", "call_id": "call_a", "output": "a.txt"},
            {"type": "function_call_output", "call_id": "call_b", "output": "/work"},
        ],
    )
    user, assistant, out_a, out_b = last_messages(upstream)
    assert [c["id"] for c in assistant["tool_calls"]] == ["call_a", "call_b"]
    assert (out_a["tool_call_id"], out_a["content"]) == ("call_a", "a.txt")
    assert (out_b["tool_call_id"], out_b["content"]) == ("call_b", "/work")


def test_previous_response_id_carries_the_tool_call_into_the_next_turn(api, upstream):
    upstream.push(
        Reply(tool_calls=[ToolCall("exec_command", {"cmd": "date"}, id="call_d")]),
        Reply(text="It is late."),
    )
    client = sdk(api)
    first = client.responses.create(model="m", input="what time?", tools=[SHELL])
    second = client.responses.create(
        model="m",
        tools=[SHELL],
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": "call_d", "output": "23:59"}],
    )
    assert second.output_text == "It is late."
    user, assistant, tool = last_messages(upstream)
    assert assistant["tool_calls"][0]["id"] == "call_d"
    assert tool == {"role": "tool", "tool_call_id": "call_d", "content": "23:59"}
    assert second.previous_response_id == first.id


def test_a_conversation_chains_over_three_turns(api, upstream):
    upstream.push(Reply(text="one"), Reply(text="two"), Reply(text="three"))
    client = sdk(api)
    first = client.responses.create(model="m", input="count 1")
    second = client.responses.create(model="m", input="count 2", previous_response_id=first.id)
    client.responses.create(model="m", input="count 3", previous_response_id=second.id)
    assert [m["content"] for m in last_messages(upstream)] == [
        "count 1",
        "one",
        "count 2",
        "two",
        "count 3",
    ]


def test_an_unknown_previous_response_id_is_a_404(api, upstream):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(api).responses.create(model="m", input="x", previous_response_id="resp_missing")
    assert caught.value.body["param"] == "previous_response_id"
    assert upstream.requests == []


def test_custom_tools_become_functions_and_calls_come_back_as_custom_tool_calls(api, upstream):
    patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch"
    upstream.push(
        Reply(tool_calls=[ToolCall("apply_patch", {"input": patch}, id="call_p")]),
        Reply(text="Patched."),
    )
    tool = {
        "type": "custom",
        "name": "apply_patch",
        "description": "Apply a patch",
        "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch"},
    }
    client = sdk(api)
    events = stream_events(api, model="m", input="add a.txt", tools=[tool])
    terminal = assert_event_contract(events)
    item = terminal["response"]["output"][0]
    assert (item["type"], item["call_id"], item["input"]) == ("custom_tool_call", "call_p", patch)
    assert upstream.requests[0]["tools"][0]["function"]["parameters"]["required"] == ["input"]
    final = client.responses.create(
        model="m",
        tools=[tool],
        previous_response_id=terminal["response"]["id"],
        input=[{"type": "custom_tool_call_output", "call_id": "call_p", "output": "Done!"}],
    )
    assert final.output_text == "Patched."
    assistant, tool_message = last_messages(upstream)[1:]
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"input": patch}
    assert tool_message == {"role": "tool", "tool_call_id": "call_p", "content": "Done!"}


# -- __internal_stop ------------------------------------------------------------------------------
def test_internal_stop_ends_the_turn_and_is_never_shown_to_the_client(api, upstream):
    upstream.push(Reply(text="All done.", tool_calls=[ToolCall("__internal_stop", {})]))
    events = stream_events(api, model="m", input="finish up", tools=[SHELL])
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    assert [i["type"] for i in terminal["response"]["output"]] == ["message"]
    assert "__internal_stop" not in json.dumps(events)


def test_internal_stop_final_message_becomes_the_answer_and_stays_out_of_history(api, upstream):
    upstream.push(
        Reply(tool_calls=[ToolCall("__internal_stop", {"final_message": "Task complete."})]),
        Reply(text="next"),
    )
    client = sdk(api)
    first = client.responses.create(model="m", input="do it", tools=[SHELL])
    assert first.output_text == "Task complete." and first.status == "completed"
    assert "__internal_stop" not in client.responses.retrieve(first.id).model_dump_json()
    client.responses.create(model="m", input="more", tools=[SHELL], previous_response_id=first.id)
    assert "__internal_stop" not in json.dumps(last_messages(upstream))


# -- storage --------------------------------------------------------------------------------------
def test_a_stored_response_can_be_retrieved(api, upstream):
    created = sdk(api).responses.create(model="m", input="keep me")
    fetched = sdk(api).responses.retrieve(created.id)
    assert fetched.model_dump() == created.model_dump()


def test_another_organisation_cannot_retrieve_a_response(api, upstream):
    created = sdk(api).responses.create(model="m", input="private")
    with pytest.raises(openai.NotFoundError):
        sdk(api, key=FOREIGN_KEY).responses.retrieve(created.id)


def test_store_false_keeps_nothing_to_retrieve(api, upstream):
    created = sdk(api).responses.create(model="m", input="ephemeral", store=False)
    with pytest.raises(openai.NotFoundError):
        sdk(api).responses.retrieve(created.id)


def test_submit_tool_outputs_continues_a_stored_response(api, upstream):
    upstream.push(
        Reply(tool_calls=[ToolCall("exec_command", {"cmd": "whoami"}, id="call_w")]),
        Reply(text="You are root."),
        Reply(text="again"),
    )
    first = sdk(api).responses.create(model="m", input="who am i", tools=[SHELL])
    with api.client() as http:
        resp = http.post(
            f"/api/v1/responses/{first.id}/submit_tool_outputs",
            json={"tool_outputs": [{"tool_call_id": "call_w", "output": "root"}]},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["output"][0]["content"][0]["text"] == "You are root."
        assert last_messages(upstream)[-1] == {
            "role": "tool",
            "tool_call_id": "call_w",
            "content": "root",
        }
        with http.stream(
            "POST",
            f"/api/v1/responses/{first.id}/submit_tool_outputs",
            json={"stream": True, "tool_outputs": [{"call_id": "call_w", "output": "root"}]},
        ) as sse:
            frames = [
                json.loads(line[6:]) for line in sse.iter_lines() if line.startswith("data: ")
            ]
        assert_event_contract(frames)
        bad = http.post(
            f"/api/v1/responses/{first.id}/submit_tool_outputs",
            json={"tool_outputs": [{"call_id": "call_zzz", "output": "x"}]},
        )
        assert bad.status_code == 400 and "call_zzz" in bad.json()["error"]["message"]


# -- failures -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (
            Reply(status=429, error={"message": "Rate limit reached, try again in 1s"}),
            "rate_limit_exceeded",
        ),
        (
            Reply(
                status=400,
                error={
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                },
            ),
            "context_length_exceeded",
        ),
        (Reply(status=500, error={"message": "internal boom"}), "upstream_error"),
    ],
)
def test_an_upstream_error_is_a_failed_response_with_a_mapped_code(api, upstream, reply, code):
    upstream.push(reply)
    events = stream_events(api, model="m", input="x")
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.failed"
    assert terminal["response"]["error"]["code"] == code


def test_an_upstream_that_disconnects_mid_stream_fails_the_response(api, upstream):
    upstream.push(Reply(text="this answer will be cut off half way through", cut_after_chunks=4))
    events = stream_events(api, model="m", input="x")
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.failed"
    assert terminal["response"]["error"]["code"] == "upstream_stream_cut"
    assert [e["type"] for e in events].count("response.failed") == 1


def test_an_upstream_timeout_is_a_failed_response(api, upstream):
    upstream.push(Reply(text="too slow", delay=4))
    terminal = assert_event_contract(stream_events(api, model="m", input="x"))
    assert terminal["response"]["error"]["code"] == "upstream_timeout"


def test_an_upstream_that_stalls_mid_stream_is_a_failed_response(api, upstream):
    upstream.push(Reply(text="stalls", chunk_delay=2.4, cut_after_chunks=2))
    events = stream_events(api, model="m", input="x")
    terminal = assert_event_contract(events)
    assert (terminal["type"], terminal["response"]["error"]["code"]) == (
        "response.failed",
        "upstream_timeout",
    )


def test_a_non_streaming_upstream_failure_is_an_http_error_with_the_openai_body(api, upstream):
    upstream.push(Reply(status=429, error={"message": "slow down"}))
    with pytest.raises(openai.RateLimitError) as caught:
        sdk(api).responses.create(model="m", input="x")
    assert caught.value.body["code"] == "rate_limit_exceeded"


def test_bad_input_is_a_400_naming_the_field(api, upstream):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(api).responses.create(
            model="m", input=[{"type": "message", "role": "robot", "content": "x"}]
        )
    assert caught.value.body["param"] == "input[0].role"
    assert upstream.requests == []


def test_forcing_a_tool_that_is_not_offered_is_a_400_before_the_upstream(api, upstream):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(api).responses.create(
            model="m", input="x", tools=[SHELL], tool_choice={"type": "function", "name": "rm_rf"}
        )
    assert caught.value.body["param"] == "tool_choice"
    assert (
        "rm_rf" in caught.value.body["message"] and "exec_command" in caught.value.body["message"]
    )
    assert upstream.requests == []


def test_a_missing_api_key_is_refused(api, upstream):
    with pytest.raises(openai.AuthenticationError):
        sdk(api, key="sk-wrong").responses.create(model="m", input="x")


# -- metering -------------------------------------------------------------------------------------
def test_each_turn_reserves_first_and_settles_the_upstream_usage_once(api, upstream, meters):
    upstream.push(Reply(text="metered", usage={"prompt_tokens": 123, "completion_tokens": 45}))
    sdk(api).responses.create(model="synth-small", input="x", max_output_tokens=99)
    stream_events(api, model="synth-small", input="y")
    reservations, settled = meters.meter.reservations, meters.meter.settled
    assert [r["max_output_tokens"] for r in reservations] == [99, None]
    assert (settled[0].input_tokens, settled[0].output_tokens) == (123, 45)
    assert len(settled) == 2


def test_a_refused_budget_mid_conversation_is_a_429_before_any_upstream_call(api, upstream, meters):
    from synth_ai.domain.errors import LimitExceeded

    first = sdk(api).responses.create(model="m", input="first turn")
    meters.meter.refuse = LimitExceeded(
        "session budget of $0.01 is spent — raise the limit or start a new session"
    )
    with pytest.raises(openai.RateLimitError) as caught:
        sdk(api).responses.create(
            model="m", input="second turn", previous_response_id=first.id, stream=True
        )
    assert caught.value.body["type"] == "usage_limit_reached"
    assert len(upstream.requests) == 1


def test_a_client_that_disconnects_closes_the_upstream_stream_and_settles(api, upstream, meters):
    upstream.push(Reply(text="word " * 200, chunk_delay=0.05))
    with (
        api.client() as http,
        http.stream(
            "POST", "/api/v1/responses", json={"model": "m", "input": "x", "stream": True}
        ) as resp,
    ):
        for line in resp.iter_lines():
            if "response.output_text.delta" in line:
                break
    deadline = time.monotonic() + 10
    while (upstream.open_streams or not meters.meter.settled) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert upstream.open_streams == 0
    assert len(meters.meter.settled) == 1
    assert meters.meter.settled[0].output_tokens > 0


def test_a_codex_shaped_request_is_understood(api, upstream):
    upstream.push(Reply(tool_calls=[ToolCall("spawn_agent", {"task": "x"}, id="call_ns")]))
    body = {
        "model": "synth-small",
        "stream": True,
        "store": False,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "reasoning": {"summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "abc",
        "tools": [
            SHELL,
            {"type": "web_search", "external_web_access": False},
            {
                "type": "namespace",
                "name": "multi_agent_v1",
                "description": "agents",
                "tools": [
                    {
                        "type": "function",
                        "name": "spawn_agent",
                        "strict": False,
                        "parameters": {
                            "type": "object",
                            "properties": {"task": {"type": "string"}},
                        },
                    }
                ],
            },
        ],
        "input": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "developer",
                "content": [{"type": "input_text", "text": "You are Codex."}],
            },
            {
                "type": "message",
                "id": "msg_2",
                "role": "user",
                "content": [{"type": "input_text", "text": "delegate"}],
            },
        ],
    }
    with api.client() as http, http.stream("POST", "/v1/responses", json=body) as resp:
        frames = [json.loads(line[6:]) for line in resp.iter_lines() if line.startswith("data: ")]
    terminal = assert_event_contract(frames)
    item = terminal["response"]["output"][0]
    assert (item["name"], item["namespace"], item["call_id"]) == (
        "spawn_agent",
        "multi_agent_v1",
        "call_ns",
    )
    assert [t["function"]["name"] for t in upstream.requests[0]["tools"]] == [
        "exec_command",
        "spawn_agent",
        "__internal_stop",
    ]
