"""``features/codex.feature``: the real Codex CLI, the real ``synth-ai serve`` and CLI, the real
``openai`` SDK, against a scripted chat model on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import openai
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.e2e.clients import CODEX_EXEC, client_bin, shell_then_answer
from tests.support.event_invariants import TERMINAL
from tests.support.scripted_upstream import Reply, ScriptedUpstream, ToolCall
from tests.support.serve_process import ServeProcess

scenarios("codex.feature")
pytestmark = pytest.mark.slow
KEY = "sk-synth-bdd-key"
SHELL = {
    "type": "function",
    "name": "exec_command",
    "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}},
}


@pytest.fixture
def world(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    state = {"tmp": tmp_path, "work": work}
    yield state
    if "server" in state:
        state["server"].stop()
    if "upstream" in state:
        state["upstream"].close()


def api(world, method, path, **kwargs):
    resp = httpx.request(
        method,
        world["server"].url + path,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=10,
        **kwargs,
    )
    resp.raise_for_status()
    return resp.json()


@given(
    parsers.parse(
        'a chat model that asks for the shell command "{command}" and then answers "{answer}"'
    )
)
def chat_model(world, command, answer):
    world["upstream"] = ScriptedUpstream.start()
    world["upstream"].responder = shell_then_answer("exec_command", {"cmd": command}, answer)


@given("synth-ai serve running against that model")
def serve(world):
    home = world["tmp"] / "serve-home"
    home.mkdir()
    world["server"] = ServeProcess(home, world["upstream"].base_url, KEY)


def codex_env(world) -> dict:
    codex_home = world["tmp"] / "codex-home"
    codex_home.mkdir(exist_ok=True)
    return {
        **os.environ,
        "CODEX_HOME": str(codex_home),
        "SYNTH_BDD_KEY": KEY,
        "SYNTH_AI_CODEX_BIN": client_bin("SYNTH_AI_CODEX_BIN", "codex"),
    }


@when('I run "codex exec" against the bridge asking it to write the proof file')
def run_codex(world):
    provider = (
        f'model_providers.synth={{name="synth", base_url="{world["server"].url}/api/v1", '
        f'env_key="SYNTH_BDD_KEY", wire_api="responses"}}'
    )
    world["result"] = subprocess.run(
        [
            client_bin("SYNTH_AI_CODEX_BIN", "codex"),
            *CODEX_EXEC,
            "-c",
            provider,
            "-c",
            'model_provider="synth"',
            "-m",
            "synth-small",
            "Write the proof file.",
        ],
        cwd=world["work"],
        env=codex_env(world),
        capture_output=True,
        text=True,
        timeout=120,
    )


@given(parsers.parse('a "codex.toml" with a session limit of {dollars:d} dollars'))
def codex_toml(world, dollars):
    (world["work"] / "codex.toml").write_text(f"[session]\nlimit_cost_usd = {dollars}\n")


@when('I run "synth-ai codex" with "exec" asking it to write the proof file')
def run_launcher(world):
    world["result"] = subprocess.run(
        [
            sys.executable,
            "-m",
            "synth_ai",
            "--base-url",
            world["server"].url,
            "--api-key",
            KEY,
            "codex",
            "--",
            *CODEX_EXEC,
            "Write the proof file.",
        ],
        cwd=world["work"],
        env=codex_env(world),
        capture_output=True,
        text=True,
        timeout=120,
    )


@then("Codex exits successfully")
def exits_ok(world):
    result = world["result"]
    assert result.returncode == 0, result.stderr[-3000:]


@then(parsers.parse('the file "{name}" contains "{text}"'))
def file_contains(world, name, text):
    assert (world["work"] / name).read_text().strip() == text


@then("the command's output went back to the model as the result of its tool call")
def output_went_back(world):
    messages = world["upstream"].requests[-1]["messages"]
    call = next(m for m in messages if m.get("tool_calls"))["tool_calls"][0]
    (tool,) = [m for m in messages if m["role"] == "tool"]
    assert tool["tool_call_id"] == call["id"]
    assert json.loads(call["function"]["arguments"])["cmd"].startswith("echo synth-bdd")


@then(parsers.parse('Codex shows the answer "{answer}"'))
def codex_answer(world, answer):
    events = [
        json.loads(line) for line in world["result"].stdout.splitlines() if line.startswith("{")
    ]
    texts = [
        e["item"]["text"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "agent_message"
    ]
    assert texts == [answer]


@then(parsers.parse("one session with a {dollars:d} dollar limit was created, charged and ended"))
def session_ended(world, dollars):
    (session,) = [
        s for s in api(world, "GET", "/api/v1/sessions") if s["metadata"].get("client") == "codex"
    ]
    assert ("cost_usd", dollars) in {
        (lim["metric_type"], lim["limit_value"]) for lim in session["limits"]
    }
    assert session["current_usage"]["tokens"] > 0
    assert session["status"] == "ended"


@given(parsers.parse("a session with a limit of {tokens:d} tokens"), target_fixture="session_id")
def token_session(world, tokens):
    return api(
        world,
        "POST",
        "/api/v1/sessions",
        json={"limits": [{"metric_type": "tokens", "limit_value": tokens}]},
    )["session_id"]


@given(parsers.parse("the model reports {tokens:d} tokens for its first answer"))
def first_answer_usage(world, tokens):
    world["upstream"].responder = None
    world["upstream"].push(
        Reply(text="first", usage={"prompt_tokens": tokens - 100, "completion_tokens": 100})
    )


def sdk(world, **headers) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=world["server"].url + "/api/v1",
        api_key=KEY,
        max_retries=0,
        default_headers=headers,
    )


@when("I send a first message and then a follow-up with the openai SDK in that session")
def two_turns(world, session_id):
    client = sdk(world, **{"X-Session-ID": session_id})
    # A first prompt of 360 bytes: its bound (376 tokens) holds the 350 the model reports.
    first = client.responses.create(model="synth-small", input="first " * 60, max_output_tokens=100)
    try:
        client.responses.create(
            model="synth-small",
            input="again",
            previous_response_id=first.id,
            max_output_tokens=100,
            stream=True,
        )
    except openai.RateLimitError as refused:
        world["refused"] = refused


@then(parsers.parse('the follow-up is refused with "{kind}"'))
def refused(world, kind):
    assert world["refused"].body["type"] == kind


@then("the model was called only once")
def called_once(world):
    assert len(world["upstream"].requests) == 1


@given(parsers.parse('the model calls "__internal_stop" with the final message "{message}"'))
def model_stops(world, message):
    world["upstream"].responder = None
    world["upstream"].push(
        Reply(tool_calls=[ToolCall("__internal_stop", {"final_message": message})])
    )


@when("I send a message with a shell tool with the openai SDK")
def send_with_tool(world):
    with sdk(world).responses.create(
        model="synth-small", input="finish", tools=[SHELL], stream=True
    ) as stream:
        world["events"] = [event.model_dump(mode="json") for event in stream]


@then(parsers.parse('the response is completed with the answer "{answer}"'))
def completed_with(world, answer):
    terminal = world["events"][-1]
    assert terminal["type"] == "response.completed"
    assert terminal["response"]["output"][0]["content"][0]["text"] == answer


@then(parsers.parse('no event mentions "{name}"'))
def no_mention(world, name):
    assert name not in json.dumps(world["events"])


@given("the model's connection drops after it has started answering")
def model_drops(world):
    world["upstream"].responder = None
    world["upstream"].push(Reply(text="a long answer cut off half way " * 4, drop_after_chunks=4))


@then(parsers.parse('the response fails once with "{code}"'))
def fails_once(world, code):
    types = [event["type"] for event in world["events"]]
    assert "response.output_text.delta" in types  # it had started
    terminals = [t for t in types if t in TERMINAL]
    assert terminals == ["response.failed"] and types[-1] == "response.failed", types
    assert world["events"][-1]["response"]["error"]["code"] == code


@then("no reservation of the turn is left open")
def nothing_reserved(world):
    deadline = time.monotonic() + 10
    while True:
        sessions = api(world, "GET", "/api/v1/sessions")
        if sessions and all(v == 0 for s in sessions for v in s["reserved_usage"].values()):
            break
        assert time.monotonic() < deadline, sessions
        time.sleep(0.2)
    assert sum(s["current_usage"]["api_calls"] for s in sessions) == 1  # settled, not dropped
