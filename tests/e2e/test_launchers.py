"""``synth-ai codex`` and ``synth-ai opencode`` as a user runs them: a real subprocess, the real
client, a backend with the Responses bridge, a session created with the ``[session]`` limits,
sent on every request as ``X-Session-ID``, and ended however the client exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.clients import CODEX_EXEC, E2E_KEY, client_bin, shell_then_answer
from tests.support.scripted_upstream import Reply

pytestmark = pytest.mark.slow


def sessions(served) -> list[dict]:
    resp = httpx.get(
        f"{served.url}/api/v1/sessions", headers={"Authorization": f"Bearer {E2E_KEY}"}, timeout=10
    )
    resp.raise_for_status()
    return [s for s in resp.json() if (s.get("metadata") or {}).get("client")]


def launcher_env(tmp_path: Path) -> dict:
    (tmp_path / "codex-home").mkdir(exist_ok=True)
    return {
        **os.environ,
        "CODEX_HOME": str(tmp_path / "codex-home"),
        "SYNTH_AI_CODEX_BIN": client_bin("SYNTH_AI_CODEX_BIN", "codex"),
        "SYNTH_AI_OPENCODE_BIN": client_bin("SYNTH_AI_OPENCODE_BIN", "opencode"),
    }


def synth(served, *args, env, cwd, timeout=120, popen=False):
    argv = [sys.executable, "-m", "synth_ai", "--base-url", served.url, "--api-key", E2E_KEY, *args]
    if popen:
        return subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_synth_ai_codex_runs_codex_in_a_session_with_the_configured_limits(
    served, scripted, tmp_path
):
    scripted.responder = shell_then_answer(
        "exec_command", {"cmd": "echo launched > proof.txt"}, "Done."
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "codex.toml").write_text("[session]\nlimit_cost_usd = 5.0\nlimit_tokens = 100000\n")
    result = synth(
        served,
        "codex",
        "--model",
        "synth-small",
        "--",
        *CODEX_EXEC,
        "Write the proof.",
        env=launcher_env(tmp_path),
        cwd=work,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "proof.txt").read_text().strip() == "launched"
    (session,) = sessions(served)
    assert session["metadata"]["client"] == "codex"
    assert {(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]} >= {
        ("cost_usd", 5.0),
        ("tokens", 100000),
    }
    assert session["current_usage"]["tokens"] > 0, (
        "Codex's requests were not charged to the session"
    )
    assert session["status"] == "ended"
    assert not (tmp_path / "user-home" / ".codex").exists()
    spent = f"synth-ai: session {session['session_id']} spent $"
    assert spent in result.stderr and "of $5.0000" in result.stderr  # printed at exit
    assert "tokens of 100,000 tokens" in result.stderr


def test_the_session_is_ended_when_codex_fails(served, scripted, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = synth(
        served, "codex", "--", "exec", "--no-such-flag", "x", env=launcher_env(tmp_path), cwd=work
    )
    assert result.returncode != 0
    (session,) = sessions(served)
    assert [(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]] == [
        ("cost_usd", 20.0)
    ]
    assert session["status"] == "ended"


def test_the_session_is_ended_when_the_launcher_is_terminated(served, scripted, tmp_path):
    scripted.default = Reply(text="slow", delay=30)
    work = tmp_path / "work"
    work.mkdir()
    process = synth(
        served, "codex", "--", *CODEX_EXEC, "wait", env=launcher_env(tmp_path), cwd=work, popen=True
    )
    try:
        deadline = time.monotonic() + 60
        while not scripted.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert scripted.requests, "codex never reached the scripted upstream"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    (session,) = sessions(served)
    assert session["status"] == "ended"


def test_synth_ai_opencode_uses_a_private_config_and_ends_the_session(served, scripted, tmp_path):
    scripted.responder = shell_then_answer(
        "bash", {"command": "echo oc-launched > proof.txt", "description": "Write proof"}, "Done."
    )
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "oc-home"
    env = {
        **launcher_env(tmp_path),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "PWD": str(work),
        "TMPDIR": str(tmp_path),
    }
    result = synth(
        served,
        "opencode",
        "--config",
        str(_session_file(tmp_path)),
        "--",
        "run",
        "Write the proof.",
        env=env,
        cwd=work,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "proof.txt").read_text().strip() == "oc-launched"
    (session,) = sessions(served)
    assert ("cost_usd", 2.5) in {
        (lim["metric_type"], lim["limit_value"]) for lim in session["limits"]
    }
    assert session["current_usage"]["tokens"] > 0, (
        "opencode's requests were not charged to the session"
    )
    assert session["status"] == "ended"
    assert not list(tmp_path.glob("synth-opencode-*")), (
        "the private config directory was left behind"
    )
    assert not (home / ".config" / "opencode" / "opencode.json").exists()
    assert f"synth-ai: session {session['session_id']} spent $" in result.stderr
    assert "of $2.5000" in result.stderr


def _session_file(tmp_path: Path) -> Path:
    path = tmp_path / "synth.toml"
    path.write_text("[session]\nlimit_cost_usd = 2.5\n")
    return path


@pytest.mark.parametrize(
    ("command", "hint"),
    [("codex", "npm install -g @openai/codex"), ("opencode", "npm install -g opencode-ai")],
)
def test_a_missing_client_is_a_clear_message(served, tmp_path, command, hint):
    env = {
        **os.environ,
        "PATH": str(tmp_path),
        "SYNTH_AI_CODEX_BIN": "",
        "SYNTH_AI_OPENCODE_BIN": "",
    }
    result = synth(served, command, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert f"{command} is not installed" in result.stderr and hint in result.stderr
    assert sessions(served) == []
