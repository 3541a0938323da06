"""The real Codex CLI (npm ``@openai/codex``) against a real ``synth-ai serve``: ``codex exec``
asks the bridge, the scripted chat scripted asks for a shell command, Codex runs it, sends the
output back, and the turn completes."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.e2e.clients import CODEX_EXEC, E2E_KEY, client_bin, shell_then_answer
from tests.support.scripted_upstream import Reply, ToolCall

pytestmark = pytest.mark.slow


def codex_exec(served, tmp_path, prompt: str, *extra: str) -> subprocess.CompletedProcess:
    codex_home = tmp_path / "codex-home"
    codex_home.mkdir(exist_ok=True)
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    provider = (
        f'model_providers.synth={{name="synth", base_url="{served.url}/api/v1", '
        f'env_key="SYNTH_E2E_KEY", wire_api="responses"}}'
    )
    env = {
        **os.environ,
        "CODEX_HOME": str(codex_home),
        "SYNTH_E2E_KEY": E2E_KEY,
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [
            client_bin("SYNTH_AI_CODEX_BIN", "codex"),
            *CODEX_EXEC,
            "-c",
            provider,
            "-c",
            'model_provider="synth"',
            "-m",
            "synth-small",
            *extra,
            prompt,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_codex_exec_runs_the_shell_command_the_model_asks_for_and_completes(
    served, scripted, tmp_path
):
    scripted.responder = shell_then_answer(
        "exec_command",
        {"cmd": "echo synth-e2e > proof.txt && echo wrote"},
        "The proof file is written.",
    )
    result = codex_exec(
        served,
        tmp_path,
        "Write the proof file.",
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert (tmp_path / "work" / "proof.txt").read_text().strip() == "synth-e2e"
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    messages = [
        e["item"]["text"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "agent_message"
    ]
    assert messages == ["The proof file is written."]
    assert any(e.get("type") == "turn.completed" for e in events)
    tool_messages = [m for m in scripted.requests[-1]["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 1 and "wrote" in tool_messages[0]["content"]
    first_call = next(m for m in scripted.requests[-1]["messages"] if m.get("tool_calls"))
    assert first_call["tool_calls"][0]["id"] == tool_messages[0]["tool_call_id"]


def test_codex_stops_when_a_reasoning_model_calls_internal_stop(served, scripted, tmp_path):
    """A reasoning model that thinks aloud, runs a command, then ends the task with __internal_stop."""

    def respond(body):
        if any(m.get("role") == "tool" for m in body["messages"]):
            return Reply(
                reasoning="The file exists now, so I am done.",
                tool_calls=[ToolCall("__internal_stop", {"final_message": "Stopped cleanly."})],
            )
        return Reply(
            reasoning="I should write the file first.",
            tool_calls=[ToolCall("exec_command", {"cmd": "echo stop-e2e > proof.txt"})],
        )

    scripted.responder = respond
    result = codex_exec(
        served,
        tmp_path,
        "Write the proof file, then stop.",
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert (tmp_path / "work" / "proof.txt").read_text().strip() == "stop-e2e"
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    messages = [
        e["item"]["text"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "agent_message"
    ]
    assert messages == ["Stopped cleanly."]
    assert "__internal_stop" not in result.stdout
    assert len(scripted.requests) == 2, "Codex kept looping after __internal_stop"
    assert "__internal_stop" in [t["function"]["name"] for t in scripted.requests[0]["tools"]]
