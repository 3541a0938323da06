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

from tests.e2e.clients import client_bin, shell_then_answer
from tests.support.scripted_upstream import Reply, ScriptedUpstream
from tests.support.serve_process import ServeProcess

pytestmark = pytest.mark.slow
KEY = "sk-synth-e2e-launcher-key"


@pytest.fixture
def upstream():
    upstream = ScriptedUpstream.start()
    yield upstream
    upstream.close()


@pytest.fixture
def site(tmp_path, upstream):
    home = tmp_path / "serve-home"
    home.mkdir()
    server = ServeProcess(home, upstream.base_url, KEY)
    yield server
    server.stop()


def sessions(site) -> list[dict]:
    resp = httpx.get(f"{site.url}/api/v1/sessions", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    resp.raise_for_status()
    return [s for s in resp.json() if (s.get("metadata") or {}).get("client")]


def launcher_env(tmp_path: Path) -> dict:
    (tmp_path / "codex-home").mkdir(exist_ok=True)
    return {**os.environ, "CODEX_HOME": str(tmp_path / "codex-home"),
            "SYNTH_AI_CODEX_BIN": client_bin("SYNTH_AI_CODEX_BIN", "codex"),
            "SYNTH_AI_OPENCODE_BIN": client_bin("SYNTH_AI_OPENCODE_BIN", "opencode")}


def synth(site, *args, env, cwd, timeout=120, popen=False):
    argv = [sys.executable, "-m", "synth_ai", "--base-url", site.url, "--api-key", KEY, *args]
    if popen:
        return subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


CODEX_EXEC = ["exec", "--json", "--skip-git-repo-check", "--disable", "plugins", "-c", "analytics.enabled=false",
              "--sandbox", "workspace-write", "-c", 'approval_policy="never"']


def test_synth_ai_codex_runs_codex_in_a_session_with_the_configured_limits(site, upstream, tmp_path):
    upstream.responder = shell_then_answer("exec_command", {"cmd": "echo launched > proof.txt"}, "Done.")
    work = tmp_path / "work"
    work.mkdir()
    (work / "codex.toml").write_text("[session]\nlimit_cost_usd = 5.0\nlimit_tokens = 100000\n")
    result = synth(site, "codex", "--model", "synth-small", "--", *CODEX_EXEC, "Write the proof.",
                   env=launcher_env(tmp_path), cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "proof.txt").read_text().strip() == "launched"
    (session,) = sessions(site)
    assert session["metadata"]["client"] == "codex"
    assert {(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]} >= {
        ("cost_usd", 5.0), ("tokens", 100000)}
    assert session["current_usage"]["tokens"] > 0, "Codex's requests were not charged to the session"
    assert session["status"] == "ended"
    assert not (tmp_path / "user-home" / ".codex").exists()


def test_the_session_is_ended_when_codex_fails(site, upstream, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = synth(site, "codex", "--", "exec", "--no-such-flag", "x", env=launcher_env(tmp_path), cwd=work)
    assert result.returncode != 0
    (session,) = sessions(site)
    assert [(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]] == [("cost_usd", 20.0)]
    assert session["status"] == "ended"


def test_the_session_is_ended_when_the_launcher_is_terminated(site, upstream, tmp_path):
    upstream.default = Reply(text="slow", delay=30)
    work = tmp_path / "work"
    work.mkdir()
    process = synth(site, "codex", "--", *CODEX_EXEC, "wait", env=launcher_env(tmp_path), cwd=work, popen=True)
    try:
        deadline = time.monotonic() + 60
        while not upstream.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert upstream.requests, "codex never reached the upstream"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    (session,) = sessions(site)
    assert session["status"] == "ended"


def test_synth_ai_opencode_uses_a_private_config_and_ends_the_session(site, upstream, tmp_path):
    upstream.responder = shell_then_answer(
        "bash", {"command": "echo oc-launched > proof.txt", "description": "Write proof"}, "Done.")
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "oc-home"
    env = {**launcher_env(tmp_path), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "PWD": str(work), "TMPDIR": str(tmp_path)}
    result = synth(site, "opencode", "--config", str(_session_file(tmp_path)), "--", "run", "Write the proof.",
                   env=env, cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "proof.txt").read_text().strip() == "oc-launched"
    (session,) = sessions(site)
    assert ("cost_usd", 2.5) in {(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]}
    assert session["current_usage"]["tokens"] > 0, "opencode's requests were not charged to the session"
    assert session["status"] == "ended"
    assert not list(tmp_path.glob("synth-opencode-*")), "the private config directory was left behind"
    assert not (home / ".config" / "opencode" / "opencode.json").exists()


def _session_file(tmp_path: Path) -> Path:
    path = tmp_path / "synth.toml"
    path.write_text("[session]\nlimit_cost_usd = 2.5\n")
    return path


@pytest.mark.parametrize(("command", "hint"), [("codex", "npm install -g @openai/codex"),
                                               ("opencode", "npm install -g opencode-ai")])
def test_a_missing_client_is_a_clear_message(site, tmp_path, command, hint):
    env = {**os.environ, "PATH": str(tmp_path), "SYNTH_AI_CODEX_BIN": "", "SYNTH_AI_OPENCODE_BIN": ""}
    result = synth(site, command, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert f"{command} is not installed" in result.stderr and hint in result.stderr
    assert sessions(site) == []
