"""The real opencode (npm ``opencode-ai``) against a real ``synth-ai serve``: ``opencode run``
with an ``@ai-sdk/openai`` provider pointed at the bridge runs the shell command the scripted
scripted asks for and finishes with the scripted's answer."""

from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from tests.e2e.clients import E2E_KEY, client_bin, shell_then_answer

pytestmark = pytest.mark.slow


def isolated_env(tmp_path) -> dict:
    home = tmp_path / "oc-home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "OPENCODE_DISABLE_AUTOUPDATE": "1",
    }


def _config(tmp_path, base_url: str, headers: dict | None = None):
    options = {"baseURL": base_url, "apiKey": E2E_KEY}
    if headers:
        options["headers"] = headers
    config = tmp_path / "opencode.json"
    config.write_text(
        json.dumps(
            {
                "$schema": "https://opencode.ai/config.json",
                "provider": {
                    "synth": {
                        "npm": "@ai-sdk/openai",
                        "name": "synth-ai",
                        "options": options,
                        "models": {"synth-small": {"name": "synth-small"}},
                    }
                },
                "model": "synth/synth-small",
                "autoupdate": False,
                "share": "disabled",
                "permission": {"bash": "allow", "edit": "allow"},
            }
        )
    )
    return config


def test_opencode_with_only_a_base_url_and_key_is_charged_to_the_current_session(
    served, scripted, tmp_path
):
    """opencode as installed sends its own chat id (``ses_…``) as X-Session-ID: it is ignored,
    and the caller's current session pays."""
    scripted.responder = shell_then_answer(
        "bash", {"command": "echo plain > proof.txt", "description": "Write"}, "Written."
    )
    auth = {"Authorization": f"Bearer {E2E_KEY}"}
    current = httpx.post(f"{served.url}/api/v1/sessions", headers=auth, json={}).json()
    workdir = tmp_path / "work"
    workdir.mkdir()
    config = _config(tmp_path, f"{served.url}/api/v1")
    result = subprocess.run(
        [
            client_bin("SYNTH_AI_OPENCODE_BIN", "opencode"),
            "run",
            "--model",
            "synth/synth-small",
            "Write it.",
        ],
        cwd=workdir,
        env={**isolated_env(tmp_path), "OPENCODE_CONFIG": str(config), "PWD": str(workdir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert (workdir / "proof.txt").read_text().strip() == "plain"
    used = httpx.get(f"{served.url}/api/v1/sessions/{current['session_id']}", headers=auth).json()[
        "current_usage"
    ]
    assert used["api_calls"] >= 2  # the tool call and the answer


def test_opencode_run_executes_the_bash_call_and_prints_the_answer(served, scripted, tmp_path):
    scripted.responder = shell_then_answer(
        "bash",
        {
            "command": "echo synth-e2e > proof.txt && echo wrote",
            "description": "Write the proof file",
        },
        "The proof file is written.",
    )
    # opencode always sends its own chat-session id as X-Session-ID; X-Synth-Session-ID wins.
    session = httpx.post(
        f"{served.url}/api/v1/sessions",
        headers={"Authorization": f"Bearer {E2E_KEY}"},
        json={"limits": [{"metric_type": "tokens", "limit_value": 10_000_000}]},
    ).json()
    config = tmp_path / "opencode.json"
    config.write_text(
        json.dumps(
            {
                "$schema": "https://opencode.ai/config.json",
                "provider": {
                    "synth": {
                        "npm": "@ai-sdk/openai",
                        "name": "synth-ai",
                        "options": {
                            "baseURL": f"{served.url}/api/v1",
                            "apiKey": E2E_KEY,
                            "headers": {"X-Synth-Session-ID": session["session_id"]},
                        },
                        "models": {"synth-small": {"name": "synth-small"}},
                    }
                },
                "model": "synth/synth-small",
                "autoupdate": False,
                "share": "disabled",
                "permission": {"bash": "allow", "edit": "allow"},
            }
        )
    )
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = subprocess.run(
        [
            client_bin("SYNTH_AI_OPENCODE_BIN", "opencode"),
            "run",
            "--model",
            "synth/synth-small",
            "Write the proof file.",
        ],
        cwd=workdir,
        env={**isolated_env(tmp_path), "OPENCODE_CONFIG": str(config), "PWD": str(workdir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert (workdir / "proof.txt").read_text().strip() == "synth-e2e"
    assert "The proof file is written." in result.stdout
    with_tools = [r for r in scripted.requests if r.get("tools")]
    tool_messages = [m for m in with_tools[-1]["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 1 and "wrote" in tool_messages[0]["content"]
    used = httpx.get(
        f"{served.url}/api/v1/sessions/{session['session_id']}",
        headers={"Authorization": f"Bearer {E2E_KEY}"},
    ).json()["current_usage"]
    assert used["tokens"] > 0
