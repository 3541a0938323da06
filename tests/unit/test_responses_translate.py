"""Pure translation of Responses requests into Chat Completions requests."""

import json

import pytest
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.responses.items import INTERNAL_STOP
from synth_ai.domain.responses.request import ResponsesRequest
from synth_ai.domain.responses.translate import MISSING_OUTPUT, to_chat


def chat(body: dict, history=(), **kwargs) -> dict:
    return to_chat(ResponsesRequest.parse({"model": "m", **body}), history, **kwargs).body


def fn_tool(name: str) -> dict:
    return {
        "type": "function",
        "name": name,
        "description": f"{name} tool",
        "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}},
    }


def test_a_string_input_and_instructions_become_system_and_user_messages():
    body = chat({"input": "hello", "instructions": "be brief"})
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello"},
    ]
    assert "tools" not in body


def test_developer_messages_become_system_and_content_parts_are_joined():
    body = chat(
        {
            "input": [
                {
                    "type": "message",
                    "role": "developer",
                    "content": [{"type": "input_text", "text": "rules"}],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "a"},
                        {"type": "input_text", "text": "b"},
                    ],
                },
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "answer"}],
                },
                {"type": "message", "role": "system", "content": "plain string"},
            ]
        }
    )
    assert body["messages"] == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "ab"},
        {"role": "assistant", "content": "answer"},
        {"role": "system", "content": "plain string"},
    ]


def test_images_keep_chat_content_parts():
    body = chat(
        {
            "input": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "what is this"},
                        {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                    ],
                }
            ]
        }
    )
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]


def test_adjacent_function_calls_become_one_assistant_message_followed_by_their_outputs():
    body = chat(
        {
            "input": [
                {"role": "user", "content": "list both"},
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "running"}],
                },
                {
                    "type": "function_call",
                    "call_id": "c1",
                    "name": "exec_command",
                    "arguments": '{"cmd":"ls"}',
                },
                {
                    "type": "function_call",
                    "call_id": "c2",
                    "name": "exec_command",
                    "arguments": '{"cmd":"pwd"}',
                },
                {"type": "function_call_output", "call_id": "c2", "output": "/tmp"},
                {"type": "function_call_output", "call_id": "c1", "output": "a.txt"},
            ],
            "tools": [fn_tool("exec_command")],
        }
    )
    assistant, first, second = body["messages"][1:]
    assert assistant["content"] == "running"
    assert [c["id"] for c in assistant["tool_calls"]] == ["c1", "c2"]
    assert assistant["tool_calls"][0]["function"] == {
        "name": "exec_command",
        "arguments": '{"cmd":"ls"}',
    }
    assert first == {"role": "tool", "tool_call_id": "c1", "content": "a.txt"}
    assert second == {"role": "tool", "tool_call_id": "c2", "content": "/tmp"}


def test_an_orphaned_function_call_gets_a_placeholder_output_so_the_upstream_accepts_it():
    body = chat(
        {
            "input": [
                {"role": "user", "content": "go"},
                {
                    "type": "function_call",
                    "call_id": "lost",
                    "name": "exec_command",
                    "arguments": "{}",
                },
                {"role": "user", "content": "never mind"},
            ]
        }
    )
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "tool", "user"]
    assert body["messages"][2] == {
        "role": "tool",
        "tool_call_id": "lost",
        "content": MISSING_OUTPUT,
    }


def test_an_output_without_its_call_becomes_a_user_message():
    body = chat({"input": [{"type": "function_call_output", "call_id": "ghost", "output": "42"}]})
    assert body["messages"] == [{"role": "user", "content": "Output of tool call ghost:\n42"}]


def test_an_output_sent_before_an_unrelated_message_still_directly_follows_its_call():
    body = chat(
        {
            "input": [
                {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
                {"role": "developer", "content": "interjection"},
                {
                    "type": "function_call_output",
                    "call_id": "c1",
                    "output": [{"type": "input_text", "text": "done"}],
                },
            ]
        }
    )
    assert [m["role"] for m in body["messages"]] == ["assistant", "tool", "system"]
    assert body["messages"][1]["content"] == "done"


def test_custom_tools_become_functions_taking_an_input_string_and_their_calls_round_trip():
    body = chat(
        {
            "tools": [
                {
                    "type": "custom",
                    "name": "apply_patch",
                    "description": "patch files",
                    "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"},
                }
            ],
            "input": [
                {
                    "type": "custom_tool_call",
                    "call_id": "p1",
                    "name": "apply_patch",
                    "input": "*** Begin",
                },
                {"type": "custom_tool_call_output", "call_id": "p1", "output": "applied"},
            ],
        }
    )
    tool = body["tools"][0]["function"]
    assert tool["name"] == "apply_patch"
    assert tool["parameters"]["required"] == ["input"]
    assert "start: /.+/" in tool["description"]
    call = body["messages"][0]["tool_calls"][0]
    assert json.loads(call["function"]["arguments"]) == {"input": "*** Begin"}
    assert body["messages"][1] == {"role": "tool", "tool_call_id": "p1", "content": "applied"}


def test_namespace_tools_and_additional_tools_items_are_flattened_and_builtins_dropped():
    request = ResponsesRequest.parse(
        {
            "model": "m",
            "tools": [
                fn_tool("exec_command"),
                {"type": "web_search"},
                {"type": "tool_search"},
                {
                    "type": "namespace",
                    "name": "agents",
                    "tools": [fn_tool("spawn_agent"), fn_tool("close_agent")],
                },
            ],
            "input": [
                {"type": "additional_tools", "tools": [fn_tool("late_tool")]},
                {"role": "user", "content": "x"},
            ],
        }
    )
    plan = to_chat(request)
    names = [t["function"]["name"] for t in plan.body["tools"]]
    assert names == ["exec_command", "spawn_agent", "close_agent", "late_tool", INTERNAL_STOP]
    assert plan.tools.namespaces == {"spawn_agent": "agents", "close_agent": "agents"}


def test_internal_stop_is_offered_only_when_tools_are_and_tool_choice_allows_it():
    assert INTERNAL_STOP in [
        t["function"]["name"] for t in chat({"input": "x", "tools": [fn_tool("f")]})["tools"]
    ]
    assert "tools" not in chat({"input": "x"})
    none = chat({"input": "x", "tools": [fn_tool("f")], "tool_choice": "none"})
    assert [t["function"]["name"] for t in none["tools"]] == ["f"]
    forced = chat(
        {"input": "x", "tools": [fn_tool("f")], "tool_choice": {"type": "function", "name": "f"}}
    )
    assert forced["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert [t["function"]["name"] for t in forced["tools"]] == ["f"]
    off = chat({"input": "x", "tools": [fn_tool("f")]}, internal_stop=False)
    assert [t["function"]["name"] for t in off["tools"]] == ["f"]


@pytest.mark.parametrize("tools", [[fn_tool("f")], []])
def test_forcing_a_tool_the_request_does_not_offer_names_it_and_the_offered_ones(tools):
    with pytest.raises(InvalidInput) as caught:
        chat({"input": "x", "tools": tools, "tool_choice": {"type": "function", "name": "g"}})
    assert caught.value.param == "tool_choice"
    assert "'g'" in caught.value.message and str([t["name"] for t in tools]) in caught.value.message


def test_sampling_limits_and_json_schema_format_are_translated():
    body = chat(
        {
            "input": "x",
            "max_output_tokens": 64,
            "temperature": 0.2,
            "top_p": 0.9,
            "parallel_tool_calls": False,
            "tools": [fn_tool("f")],
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": "answer",
                    "strict": True,
                    "schema": {"type": "object"},
                }
            },
        }
    )
    assert (
        body["max_completion_tokens"] == 64 and body["temperature"] == 0.2 and body["top_p"] == 0.9
    )
    assert body["parallel_tool_calls"] is False
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    }


def test_reasoning_items_and_unknown_fields_and_item_types_are_ignored():
    body = chat(
        {
            "input": [
                {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "xyz"},
                {"type": "web_search_call", "id": "ws"},
                {"role": "user", "content": "hi", "id": "msg_1"},
            ],
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": "k",
            "client_metadata": {"a": 1},
        }
    )
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_history_comes_before_the_new_input():
    history = [
        {"type": "message", "role": "user", "content": "first"},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "one"}],
        },
    ]
    body = chat({"input": "second"}, history)
    assert [m["content"] for m in body["messages"]] == ["first", "one", "second"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "x"}, "model"),
        ({"model": "m", "input": 3}, "input"),
        (
            {"model": "m", "input": [{"type": "message", "role": "robot", "content": "x"}]},
            "input[0].role",
        ),
        ({"model": "m", "input": [{"type": "function_call", "name": "f"}]}, "input[0].call_id"),
        ({"model": "m", "input": "x", "max_output_tokens": 0}, "max_output_tokens"),
        ({"model": "m", "input": "x", "temperature": 7}, "temperature"),
        ({"model": "m", "input": "x", "tool_choice": "sometimes"}, "tool_choice"),
        ({"model": "m", "input": "x", "tools": [{"type": "function"}]}, "tools[0].name"),
        (
            {"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "name": "a"}}},
            "text.format.schema",
        ),
    ],
)
def test_bad_requests_say_which_field_is_wrong(body, param):
    with pytest.raises(InvalidInput) as caught:
        ResponsesRequest.parse(body)
    assert caught.value.param == param


def test_a_single_leading_system_message_and_non_text_content_are_left_as_they_are():
    from synth_ai.domain.responses.translate import merge_leading_system

    one = [{"role": "system", "content": "a"}, {"role": "user", "content": "b"}]
    assert merge_leading_system(one) == one
    with_parts = [
        {"role": "system", "content": "a"},
        {"role": "system", "content": [{"type": "text", "text": "b"}]},
        {"role": "user", "content": "c"},
    ]
    assert merge_leading_system(with_parts) == with_parts


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": [{"type": ["message"], "role": "user", "content": "x"}]}, "input[0].type"),
        ({"input": [{"type": {}, "role": "assistant", "content": ""}]}, "input[0].type"),
        ({"input": [{"type": False, "role": "user", "content": "x"}]}, "input[0].type"),
        ({"input": [{"type": "message", "role": {}, "content": "x"}]}, "input[0].role"),
        ({"input": "x", "stream": {}}, "stream"),
        ({"input": "x", "store": "yes"}, "store"),
        ({"input": "x", "tool_choice": {"type": "function", "name": ["a"]}}, "tool_choice"),
    ],
)
def test_a_field_of_the_wrong_json_type_is_a_400_naming_it_not_a_crash(body, param):
    with pytest.raises(InvalidInput) as caught:
        to_chat(ResponsesRequest.parse({"model": "m", **body}), (), internal_stop=True)
    assert caught.value.param == param


def test_an_integral_float_output_cap_is_an_integer():
    request = ResponsesRequest.parse({"model": "m", "input": "x", "max_output_tokens": 512.0})
    assert request.max_output_tokens == 512 and isinstance(request.max_output_tokens, int)
