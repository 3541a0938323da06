"""Scripting and reading: --format json on deploy and deploy stop with ISO 8601 timestamps,
tables that respect COLUMNS when piped, progress only on a terminal, sub-cent money, "did you
mean" for top-level commands."""

import json
import re
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from synth_ai.adapters.records_file import pid_alive

from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply
from tests.support.terminal import run_in_terminal
from tests.support.tunnels import ENV_KEY, EXAMPLE_APP, reap_deployments  # noqa: F401

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.mark.usefixtures("reap_deployments")
def test_deploy_and_deploy_stop_print_json_records_with_iso_timestamps(cli):
    env = {"ENVIRONMENT_API_KEY": ENV_KEY}
    started = cli(
        "deploy", "--runtime", "local", "--task-app", str(EXAMPLE_APP), "--port", "0",
        "--background", "--format", "json", env=env,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    record = json.loads(started.stdout)
    assert record["app_id"] == "arithmetic" and pid_alive(record["pid"])
    assert ISO.match(record["created_at"]), record["created_at"]
    listed = json.loads(cli("deploy", "list", "--format", "json").stdout)
    assert listed == [record]
    stopped = cli("deploy", "stop", record["id"], "--format", "json")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout) == [record]
    assert not pid_alive(record["pid"])
    assert json.loads(cli("deploy", "stop", "--all", "--format", "json").stdout) == []


def test_session_json_uses_iso_timestamps_and_sub_cent_spend_is_not_zero(upstream, backend, cli):
    env = {"SYNTH_BACKEND_URL": backend.url, "SYNTH_API_KEY": backend.api_key}
    started = json.loads(cli("session", "start", "--format", "json", env=env).stdout)
    assert ISO.match(started["created_at"])
    datetime.fromisoformat(started["created_at"].replace("Z", "+00:00"))
    upstream.push(Reply(text="ok", usage={"prompt_tokens": 10, "completion_tokens": 2}))
    chat = backend.client().post(
        "/api/synth-research/chat/completions",
        json={"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 200, chat.text
    spent = json.loads(cli("session", "show", "--format", "json", env=env).stdout)
    cost = spent["current_usage"]["cost_usd"]
    assert 0 < cost < 0.0001
    shown = cli("session", "show", env={**env, "COLUMNS": "200"}).stdout
    assert re.search(r"cost_usd +│ +\$0\.0000\d", shown), shown  # not $0.0000


def test_tables_respect_columns_when_piped(cli):
    cli("artifacts", "register-model", "ft:Qwen/Qwen3-0.6B:job_" + "x" * 60)
    for columns in (60, 100, 160):
        table = cli("artifacts", "list", env={"COLUMNS": str(columns)}).stdout
        widths = {len(line) for line in table.splitlines() if line.strip()}
        assert max(widths) <= columns, (columns, table)
    default = cli("artifacts", "list").stdout
    assert max(len(line) for line in default.splitlines()) <= 120


@pytest.mark.usefixtures("reap_deployments")
def test_a_background_deploy_shows_a_spinner_on_a_terminal_and_nothing_when_piped(cli, tmp_path):
    slow = tmp_path / "slow_app.py"
    slow.write_text(
        "import runpy, time\ntime.sleep(2)\n"
        f"globals().update(runpy.run_path({str(EXAMPLE_APP)!r}))\n"
    )
    args = ("deploy", "--runtime", "local", "--task-app", str(slow), "--port", "0", "--background")
    code, shown = run_in_terminal(*args, env={"ENVIRONMENT_API_KEY": ENV_KEY})
    assert code == 0, shown
    assert f"Starting {slow.name}" in shown and "running in the background" in shown
    piped = cli(*args, env={"ENVIRONMENT_API_KEY": ENV_KEY})
    assert piped.returncode == 0, piped.stderr
    assert "Starting" not in piped.stderr + piped.stdout
    cli("deploy", "stop", "--all")


def test_a_mistyped_top_level_command_suggests_the_closest(cli):
    for typo, meant in (("sesion", "session"), ("artifact", "artifacts"), ("deplyo", "deploy")):
        result = cli(typo)
        assert result.returncode == 2
        assert f"Error: No such command '{typo}'. Did you mean '{meant}'?" in result.stderr
    nothing_close = cli("frobnicate")
    assert nothing_close.returncode == 2
    assert "Error: No such command 'frobnicate'.\n" in nothing_close.stderr


class SlowBackend(BaseHTTPRequestHandler):
    """Answers every request with an empty JSON list after two seconds."""

    def do_GET(self):  # noqa: N802
        time.sleep(2)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


def test_a_backend_slower_than_a_second_gets_a_spinner_on_a_terminal_only(cli):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        code, shown = run_in_terminal("--base-url", url, "--api-key", "k", "session", "list")
        piped = cli("--base-url", url, "--api-key", "k", "session", "list")
    finally:
        server.shutdown()
    assert code == 0, shown
    assert f"Waiting for {url}" in shown and "No sessions yet" in shown
    assert piped.returncode == 0 and "Waiting" not in piped.stdout + piped.stderr
