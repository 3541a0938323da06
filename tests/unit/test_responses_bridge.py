"""``ResponsesBridge`` with fakes of every port: history, storage, metering, failures."""

import pytest
from synth_ai.domain.errors import (
    InvalidInput,
    LimitExceeded,
    NotFound,
    UpstreamError,
    UpstreamRateLimited,
)
from synth_ai.domain.responses.service import ResponsesBridge

from tests.fakes import (
    FakeClock,
    InMemoryResponseStore,
    RecordingMeter,
    ScriptedChatProvider,
    SequentialIds,
    chat_chunks,
)
from tests.support.event_invariants import assert_event_contract

USAGE = {"prompt_tokens": 11, "completion_tokens": 5}


@pytest.fixture
def chat():
    return ScriptedChatProvider()


@pytest.fixture
def bridge(chat):
    return ResponsesBridge(chat, InMemoryResponseStore(), FakeClock(), SequentialIds())


def stream(bridge, body, org="org_a", meter=None):
    turn = bridge.prepare(body, org)
    meter = meter or RecordingMeter()
    return list(bridge.events(turn, bridge.reserve(turn, meter))), meter


def test_a_streamed_turn_reserves_then_settles_the_real_usage_once(bridge, chat):
    chat.push(chat_chunks("hi", usage=USAGE))
    events, meter = stream(bridge, {"model": "m", "input": "hello", "max_output_tokens": 50})
    assert_event_contract(events)
    assert meter.reservations == [
        {
            "model": "m",
            "prompt_tokens": meter.reservations[0]["prompt_tokens"],
            "max_output_tokens": 50,
        }
    ]
    assert [(u.input_tokens, u.output_tokens) for u in meter.settled] == [(11, 5)]


def test_previous_response_id_continues_the_stored_conversation(bridge, chat):
    chat.push(chat_chunks("Paris"))
    chat.push(chat_chunks("About 2 million"))
    events, _ = stream(bridge, {"model": "m", "input": "capital of France?"})
    first = events[-1]["response"]["id"]
    stream(bridge, {"model": "m", "input": "population?", "previous_response_id": first})
    messages = chat.requests[1]["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "capital of France?"),
        ("assistant", "Paris"),
        ("user", "population?"),
    ]


def test_another_orgs_response_is_not_found(bridge, chat):
    chat.push(chat_chunks("secret"))
    events, _ = stream(bridge, {"model": "m", "input": "x"}, org="org_a")
    response_id = events[-1]["response"]["id"]
    assert bridge.get("org_a", response_id)["id"] == response_id
    with pytest.raises(NotFound):
        bridge.get("org_b", response_id)
    with pytest.raises(NotFound) as caught:
        bridge.prepare({"model": "m", "input": "y", "previous_response_id": response_id}, "org_b")
    assert caught.value.param == "previous_response_id"


def test_store_false_keeps_nothing(bridge, chat):
    chat.push(chat_chunks("x"))
    events, _ = stream(bridge, {"model": "m", "input": "x", "store": False})
    with pytest.raises(NotFound):
        bridge.get("org_a", events[-1]["response"]["id"])


def test_an_upstream_error_before_the_stream_is_a_failed_response_with_the_mapped_code(
    bridge, chat
):
    chat.push_error(UpstreamRateLimited("slow down"))
    events, meter = stream(bridge, {"model": "m", "input": "x"})
    terminal = assert_event_contract(events)
    assert terminal["type"] == "response.failed"
    assert terminal["response"]["error"]["code"] == "rate_limit_exceeded"
    assert len(meter.settled) == 1 and meter.settled[0].input_tokens == 0


def test_an_upstream_cut_mid_stream_fails_and_settles_what_was_consumed(bridge, chat):
    chat.push(
        chat_chunks("partial text")[:3], error=UpstreamError("cut", code="upstream_stream_cut")
    )
    events, meter = stream(bridge, {"model": "m", "input": "x"})
    assert assert_event_contract(events)["response"]["error"]["code"] == "upstream_stream_cut"
    assert len(meter.settled) == 1 and meter.settled[0].output_tokens > 0


def test_a_chunk_the_bridge_cannot_read_fails_the_response_instead_of_cutting_the_stream(
    bridge, chat
):
    chat.push(chat_chunks("partial answer")[:2] + [{"choices": ["not an object"]}])
    events, meter = stream(bridge, {"model": "m", "input": "x"})
    terminal = assert_event_contract(events)
    assert (terminal["type"], terminal["response"]["error"]["code"]) == (
        "response.failed",
        "server_error",
    )
    assert chat.streams[0].closed and len(meter.settled) == 1


def test_a_client_that_goes_away_closes_the_upstream_and_settles(bridge, chat):
    chat.push(chat_chunks("a long answer that the client never reads", usage=USAGE))
    turn = bridge.prepare({"model": "m", "input": "x"}, "org_a")
    meter = RecordingMeter()
    events = bridge.events(turn, bridge.reserve(turn, meter))
    for _ in range(5):
        next(events)
    events.close()
    assert chat.streams[0].closed
    assert len(meter.settled) == 1 and meter.settled[0].output_tokens > 0


def test_a_refused_reservation_raises_before_anything_is_sent_upstream(bridge, chat):
    turn = bridge.prepare({"model": "m", "input": "x"}, "org_a")
    with pytest.raises(LimitExceeded):
        bridge.reserve(turn, RecordingMeter(refuse=LimitExceeded("budget spent")))
    assert chat.requests == []


def test_run_returns_the_same_response_object_and_settles(bridge, chat):
    chat.push(chat_chunks("done", tool_calls=[("f", '{"a": 1}', "c1")], usage=USAGE))
    turn = bridge.prepare(
        {"model": "m", "input": "x", "tools": [{"type": "function", "name": "f"}]}, "org_a"
    )
    meter = RecordingMeter()
    response = bridge.run(turn, bridge.reserve(turn, meter))
    assert response["status"] == "completed"
    assert [i["type"] for i in response["output"]] == ["message", "function_call"]
    assert response["output"][1]["call_id"] == "c1"
    assert bridge.get("org_a", response["id"]) == response
    assert len(meter.settled) == 1


def test_run_settles_and_raises_when_the_upstream_fails(bridge, chat):
    chat.push_error(UpstreamError("boom"))
    turn = bridge.prepare({"model": "m", "input": "x"}, "org_a")
    meter = RecordingMeter()
    with pytest.raises(UpstreamError):
        bridge.run(turn, bridge.reserve(turn, meter))
    assert len(meter.settled) == 1


def test_submit_tool_outputs_continues_with_function_call_outputs(bridge, chat):
    chat.push(chat_chunks(tool_calls=[("f", "{}", "c1")]))
    chat.push(chat_chunks("thanks"))
    events, _ = stream(
        bridge, {"model": "m", "input": "x", "tools": [{"type": "function", "name": "f"}]}
    )
    response_id = events[-1]["response"]["id"]
    turn = bridge.prepare_tool_outputs(
        "org_a", response_id, {"tool_outputs": [{"tool_call_id": "c1", "output": "7"}]}
    )
    assert turn.request.previous_response_id == response_id
    list(bridge.events(turn, bridge.reserve(turn, RecordingMeter())))
    assert chat.requests[1]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": "7",
    }
    with pytest.raises(InvalidInput, match="not a tool call"):
        bridge.prepare_tool_outputs(
            "org_a", response_id, {"tool_outputs": [{"call_id": "nope", "output": ""}]}
        )
    for not_an_id in (["c1"], {"c1": 1}, 7):  # a 400 naming the field, never a crash
        with pytest.raises(InvalidInput, match="not a tool call") as caught:
            bridge.prepare_tool_outputs(
                "org_a", response_id, {"tool_outputs": [{"call_id": not_an_id, "output": ""}]}
            )
        assert caught.value.param == "tool_outputs[0].call_id"


def test_an_empty_conversation_is_refused(bridge):
    with pytest.raises(InvalidInput, match="empty"):
        bridge.prepare({"model": "m", "input": []}, "org_a")


class BrokenStore:
    def save(self, record) -> None:
        from synth_ai.domain.errors import ServiceUnavailable

        raise ServiceUnavailable("Redis is not reachable")

    def get(self, org_id, response_id):
        return None


def test_a_store_that_fails_still_lets_the_client_have_its_terminal_event(chat):
    bridge = ResponsesBridge(chat, BrokenStore(), FakeClock(), SequentialIds())
    chat.push(chat_chunks("answer"))
    events, meter = stream(bridge, {"model": "m", "input": "x"})
    assert assert_event_contract(events)["type"] == "response.completed"
    assert len(meter.settled) == 1


def test_a_sqlite_store_that_cannot_write_still_lets_the_client_have_its_terminal_event(
    chat, tmp_path
):
    from synth_ai.adapters.sqlite import Database
    from synth_ai.adapters.sqlite.responses import SqliteResponseStore

    (tmp_path / "synth.db").mkdir()  # unopenable: sqlite3 raises on every call
    store = SqliteResponseStore(Database(tmp_path / "synth.db"))
    bridge = ResponsesBridge(chat, store, FakeClock(), SequentialIds())
    chat.push(chat_chunks("answer"))
    events, meter = stream(bridge, {"model": "m", "input": "x"})
    assert assert_event_contract(events)["type"] == "response.completed"
    assert len(meter.settled) == 1
