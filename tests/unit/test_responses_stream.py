"""The chat-chunks → Responses-events state machine."""

import json

from synth_ai.domain.chat.assemble import completion_chunks
from synth_ai.domain.responses.items import INTERNAL_STOP
from synth_ai.domain.responses.request import ResponsesRequest
from synth_ai.domain.responses.stream import TurnStream
from synth_ai.domain.responses.translate import to_chat

from tests.fakes import SequentialIds, chat_chunks
from tests.support.event_invariants import assert_event_contract

TOOLS = [
    {"type": "function", "name": "exec_command", "parameters": {"type": "object"}},
    {"type": "custom", "name": "apply_patch"},
]


def run(chunks, *, tools=TOOLS, fail: tuple[str, str] | None = None) -> list[dict]:
    plan = to_chat(ResponsesRequest.parse({"model": "m", "input": "x", "tools": tools}))
    machine = TurnStream(
        response_id="resp_1",
        created_at=1.0,
        model="m",
        echo={},
        tools=plan.tools,
        ids=SequentialIds(),
        prompt_estimate=10,
    )
    events = machine.start()
    for chunk in chunks:
        events += machine.feed(chunk)
    events += machine.fail(*fail) if fail else machine.finish()
    return events


def types(events):
    return [e["type"] for e in events]


def test_text_streams_in_the_documented_order_and_completes_with_usage():
    events = run(chat_chunks("hello world", usage={"prompt_tokens": 7, "completion_tokens": 3}))
    terminal = assert_event_contract(events)
    assert types(events) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert (
        "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        == "hello world"
    )
    assert terminal["response"]["output"][0]["content"][0]["text"] == "hello world"
    assert terminal["response"]["usage"]["input_tokens"] == 7
    assert terminal["response"]["usage"]["total_tokens"] == 10


def test_reasoning_becomes_its_own_item_before_the_answer_and_its_tokens_are_counted():
    events = run(
        chat_chunks(
            "42",
            reasoning="let me think",
            usage={
                "prompt_tokens": 5,
                "completion_tokens": 9,
                "completion_tokens_details": {"reasoning_tokens": 6},
            },
        )
    )
    terminal = assert_event_contract(events)
    kinds = [item["type"] for item in terminal["response"]["output"]]
    assert kinds == ["reasoning", "message"]
    reasoning = terminal["response"]["output"][0]
    assert reasoning["content"] == [{"type": "reasoning_text", "text": "let me think"}]
    assert "response.reasoning_text.delta" in types(events)
    assert terminal["response"]["usage"]["output_tokens_details"]["reasoning_tokens"] == 6


def test_a_reasoning_only_answer_is_not_left_empty():
    events = run(chat_chunks("", reasoning="only thoughts here"))
    terminal = assert_event_contract(events)
    assert terminal["response"]["output"][0]["content"][0]["text"] == "only thoughts here"
    assert terminal["response"]["usage"]["output_tokens"] > 0


def test_parallel_tool_calls_stream_their_arguments_one_item_after_the_other():
    events = run(
        chat_chunks(
            tool_calls=[
                ("exec_command", '{"cmd": "ls -la"}', "call_a"),
                ("exec_command", '{"cmd": "pwd"}', "call_b"),
            ]
        )
    )
    terminal = assert_event_contract(events)
    calls = terminal["response"]["output"]
    assert [c["call_id"] for c in calls] == ["call_a", "call_b"]
    assert json.loads(calls[0]["arguments"]) == {"cmd": "ls -la"}
    deltas = [
        e["delta"]
        for e in events
        if e["type"] == "response.function_call_arguments.delta" and e["item_id"] == calls[0]["id"]
    ]
    assert "".join(deltas) == '{"cmd": "ls -la"}' and len(deltas) > 1
    done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert [d["arguments"] for d in done] == [calls[0]["arguments"], calls[1]["arguments"]]


def test_custom_tool_calls_come_back_with_the_raw_input():
    events = run(
        chat_chunks(tool_calls=[("apply_patch", json.dumps({"input": "*** Begin Patch"}), "p1")])
    )
    terminal = assert_event_contract(events)
    item = terminal["response"]["output"][0]
    assert item == {
        "id": item["id"],
        "type": "custom_tool_call",
        "call_id": "p1",
        "name": "apply_patch",
        "input": "*** Begin Patch",
        "status": "completed",
    }
    assert "response.custom_tool_call_input.done" in types(events)


def test_internal_stop_ends_the_turn_completed_without_showing_the_call():
    events = run(chat_chunks("all done", tool_calls=[(INTERNAL_STOP, "{}")]))
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    assert [i["type"] for i in terminal["response"]["output"]] == ["message"]
    assert INTERNAL_STOP not in json.dumps(events)


def test_internal_stop_with_a_final_message_and_no_text_becomes_the_answer():
    events = run(
        chat_chunks(
            tool_calls=[(INTERNAL_STOP, json.dumps({"final_message": "Finished."}))],
            finish="length",
        )
    )
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.completed"
    assert terminal["response"]["output"][0]["content"][0]["text"] == "Finished."


def test_internal_stop_beside_a_real_call_keeps_the_real_call():
    events = run(
        chat_chunks(
            tool_calls=[("exec_command", '{"cmd":"ls"}', "c1"), (INTERNAL_STOP, "{}", "c2")]
        )
    )
    terminal = assert_event_contract(events)
    assert [i["call_id"] for i in terminal["response"]["output"]] == ["c1"]


def test_length_finish_is_incomplete_with_the_reason():
    terminal = assert_event_contract(run(chat_chunks("truncat", finish="length")))
    assert terminal["type"] == "response.incomplete"
    assert terminal["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert terminal["response"]["output"][0]["status"] == "incomplete"


def test_a_tool_call_cut_by_the_length_limit_is_an_incomplete_item():
    events = run(
        chat_chunks(
            tool_calls=[
                ("exec_command", '{"cmd": "ls"}', "call_a"),
                ("exec_command", '{"cmd": "rm'),
            ],
            finish="length",
        )
    )
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.incomplete"
    assert [c["status"] for c in terminal["response"]["output"]] == ["completed", "incomplete"]


def test_failure_mid_text_closes_the_text_as_incomplete_and_fails_once():
    chunks = chat_chunks("partial answer")[:3]
    events = run(chunks, fail=("upstream_stream_cut", "cut"))
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.failed"
    assert terminal["response"]["error"] == {"code": "upstream_stream_cut", "message": "cut"}
    assert terminal["response"]["output"][0]["status"] == "incomplete"


def test_failure_mid_tool_call_drops_the_half_streamed_call():
    chunks = chat_chunks(tool_calls=[("exec_command", '{"cmd": "rm -rf build"}')])[:3]
    events = run(chunks, fail=("upstream_stream_cut", "cut"))
    terminal = assert_event_contract(events)
    assert terminal["response"]["output"] == []
    assert "response.output_item.done" not in types(events)


def test_text_after_a_tool_call_opens_a_new_message_without_overlap():
    chunks = chat_chunks(tool_calls=[("exec_command", "{}")])[:-1]
    chunks.append(
        {"choices": [{"index": 0, "delta": {"content": "late words"}, "finish_reason": "stop"}]}
    )
    terminal = assert_event_contract(run(chunks))
    assert [i["type"] for i in terminal["response"]["output"]] == ["function_call", "message"]


def test_usage_is_estimated_when_the_upstream_reports_none():
    events = run(chat_chunks("some generated text"))
    usage = events[-1]["response"]["usage"]
    assert usage["input_tokens"] == 10 and usage["output_tokens"] > 0


def test_a_non_streaming_completion_replays_as_the_same_chunks():
    completion = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "ok",
                    "reasoning_content": "hmm",
                    "tool_calls": [
                        {
                            "id": "c9",
                            "type": "function",
                            "function": {"name": "exec_command", "arguments": "{}"},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    }
    terminal = assert_event_contract(run(completion_chunks(completion)))
    assert [i["type"] for i in terminal["response"]["output"]] == [
        "reasoning",
        "message",
        "function_call",
    ]
    assert terminal["response"]["usage"]["output_tokens"] == 4


def test_parallel_calls_whose_argument_deltas_interleave_keep_all_their_arguments():
    def chunk(*calls):
        return {"choices": [{"index": 0, "delta": {"tool_calls": list(calls)}}]}

    def named(index, call_id):
        return {
            "index": index,
            "id": call_id,
            "function": {"name": "exec_command", "arguments": ""},
        }

    def args(index, fragment):
        return {"index": index, "function": {"arguments": fragment}}

    events = run(
        [
            chunk(named(0, "call_a"), named(1, "call_b")),
            chunk(args(0, '{"cmd": '), args(1, '{"cmd": ')),
            chunk(args(0, '"ls"}'), args(1, '"pwd"}')),
        ]
    )
    terminal = assert_event_contract(events)
    calls = terminal["response"]["output"]
    assert [(c["call_id"], json.loads(c["arguments"])) for c in calls] == [
        ("call_a", {"cmd": "ls"}),
        ("call_b", {"cmd": "pwd"}),
    ]
    done = [e["arguments"] for e in events if e["type"] == "response.function_call_arguments.done"]
    assert done == [c["arguments"] for c in calls]
