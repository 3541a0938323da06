"""``synth-ai deploy`` through the real CLI in subprocesses."""

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from synth_ai.adapters.records_file import pid_alive
from synth_ai.adapters.waitress_host import port_is_free

from tests.support.tunnels import (  # noqa: F401
    ENV_KEY,
    EXAMPLE_APP,
    cloudflare_api,
    fake_cloudflare,
    reap_deployments,
)

pytestmark = pytest.mark.usefixtures("reap_deployments")


def write_env(tmp_path, text: str = f"ENVIRONMENT_API_KEY={ENV_KEY}\n"):
    path = tmp_path / ".env"
    path.write_text(text)
    return str(path)


def deploy_example(cli, tmp_path, runtime: str, *options: str):
    """``synth-ai deploy`` of the example app in the background on a free port."""
    return cli(
        "deploy",
        "--runtime",
        runtime,
        "--task-app",
        str(EXAMPLE_APP),
        "--env",
        write_env(tmp_path),
        "--port",
        "0",
        "--background",
        *options,
    )


def services(synth_home) -> list[dict]:
    return json.loads((synth_home / "services.json").read_text())["services"]


def test_background_local_deploy_is_recorded_listed_and_stopped(cli, tmp_path, synth_home):
    result = deploy_example(cli, tmp_path, "local")
    assert result.returncode == 0, result.stderr
    assert "running in the background at http://127.0.0.1:" in result.stdout
    [record] = services(synth_home)
    assert record["type"] == "local" and record["app_id"] == "arithmetic"
    assert record["task_app_path"] == str(EXAMPLE_APP) and pid_alive(record["pid"])
    assert httpx.get(record["url"] + "/info", headers={"X-API-Key": ENV_KEY}).status_code == 200

    listed = json.loads(cli("deploy", "list", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [record["id"]]
    table = cli("deploy", "list").stdout
    assert record["id"] in table and "arithmetic" in table

    stopped = cli("deploy", "stop", record["id"])
    assert stopped.returncode == 0 and f"Stopped {record['id']}" in stopped.stdout
    assert not pid_alive(record["pid"])
    assert port_is_free("127.0.0.1", record["port"])
    assert json.loads(cli("deploy", "list", "--format", "json").stdout) == []


def test_background_tunnel_deploy_records_the_quick_url_and_stop_all_ends_cloudflared(
    cli, tmp_path, synth_home, fake_cloudflare
):
    result = deploy_example(cli, tmp_path, "tunnel")
    assert result.returncode == 0, result.stderr
    [record] = services(synth_home)
    assert record["type"] == "tunnel" and record["url"].endswith(".trycloudflare.com")
    assert record["hostname"] == record["url"].removeprefix("https://")
    routed = httpx.get(fake_cloudflare.edge.url + "/health", headers={"Host": record["hostname"]})
    assert routed.json()["healthy"] is True
    assert cli("deploy", "stop", "--all").returncode == 0
    assert not pid_alive(record["pid"]) and not pid_alive(record["tunnel_pid"])


def test_foreground_deploy_runs_until_ctrl_c_and_removes_its_record(tmp_path, synth_home):
    env = {**os.environ, "ENVIRONMENT_API_KEY": ENV_KEY}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "synth_ai",
            "deploy",
            "--runtime",
            "local",
            "--task-app",
            str(EXAMPLE_APP),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = process.stdout.readline()
    assert "ready at http://127.0.0.1:" in line, line + process.stderr.read()
    [record] = services(synth_home)
    assert record["pid"] == process.pid
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 130
    assert services(synth_home) == []
    assert port_is_free("127.0.0.1", record["port"])


def test_stale_records_are_dropped_when_listed(cli, synth_home):
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = {
        "id": "svc_dead",
        "url": "http://127.0.0.1:1",
        "port": 1,
        "type": "local",
        "pid": int(done.stdout),
        "created_at": time.time(),
    }
    (synth_home / "services.json").write_text(json.dumps({"services": [stale]}))
    assert json.loads(cli("deploy", "list", "--format", "json").stdout) == []
    assert services(synth_home) == []


def test_a_record_whose_pid_now_runs_something_else_is_dropped_and_never_signalled(cli, synth_home):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        reused = {
            "id": "svc_reused",
            "url": "http://127.0.0.1:1",
            "port": 1,
            "type": "local",
            "pid": other.pid,
            "created_at": time.time(),
        }
        (synth_home / "services.json").write_text(json.dumps({"services": [reused]}))
        stopped = cli("deploy", "stop", "--all")
        assert stopped.returncode == 0 and "No running deployments." in stopped.stdout
        assert services(synth_home) == []
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_bad_input_is_reported_in_one_line(cli, tmp_path):
    def local(*options: str, **kwargs):
        return cli(
            "deploy", "--runtime", "local", "--task-app", str(EXAMPLE_APP), *options, **kwargs
        )

    missing_env = local("--env", str(tmp_path / "nope.env"))
    assert missing_env.returncode == 1 and "nope.env does not exist" in missing_env.stderr
    bad_line = local("--env", write_env(tmp_path, "ENVIRONMENT_API_KEY\n"))
    assert (
        bad_line.returncode == 1 and ".env:1: cannot parse 'ENVIRONMENT_API_KEY'" in bad_line.stderr
    )
    no_key = local(env={"ENVIRONMENT_API_KEY": ""})
    assert no_key.returncode == 1 and "ENVIRONMENT_API_KEY is not set" in no_key.stderr
    not_py = cli("deploy", "--runtime", "local", "--task-app", str(tmp_path / "app.txt"))
    assert not_py.returncode == 1 and "not found" in not_py.stderr
    local_subdomain = local("--tunnel-subdomain", "x")
    assert local_subdomain.returncode == 2 and "need --runtime tunnel" in local_subdomain.stderr
    quick_subdomain = cli(
        "deploy", "--runtime", "tunnel", "--task-app", str(EXAMPLE_APP), "--tunnel-subdomain", "x"
    )
    assert (
        quick_subdomain.returncode == 2 and "needs --tunnel-mode managed" in quick_subdomain.stderr
    )
    bad_port = local("--port", "70000")
    assert (
        bad_port.returncode == 2
        and "70000' is outside the accepted range: a whole number 0–65535" in bad_port.stderr
    )
    bad_host = local("--host", "256.1.1.1", env={"ENVIRONMENT_API_KEY": ENV_KEY})
    assert bad_host.returncode == 1 and "cannot listen on 256.1.1.1:8114" in bad_host.stderr
    unknown = cli("deploy", "stop", "svc_nope")
    assert unknown.returncode == 1 and "no running deployment with id 'svc_nope'" in unknown.stderr
    assert (
        "Traceback" not in missing_env.stderr + bad_line.stderr + unknown.stderr + bad_host.stderr
    )


def test_a_tunnel_without_cloudflared_installed_says_how_to_install_it(cli, tmp_path):
    result = cli(
        "deploy",
        "--runtime",
        "tunnel",
        "--task-app",
        str(EXAMPLE_APP),
        "--env",
        write_env(tmp_path),
        "--port",
        "0",
        env={"PATH": str(tmp_path), "SYNTH_AI_CLOUDFLARED": ""},
    )
    assert result.returncode == 1
    assert (
        "cloudflared is not installed" in result.stderr
        and "brew install cloudflared" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_background_task_app_that_crashes_shows_its_log(cli, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('exploded at import')\n")
    result = cli(
        "deploy",
        "--runtime",
        "local",
        "--task-app",
        str(broken),
        "--env",
        write_env(tmp_path),
        "--background",
    )
    assert result.returncode == 1
    assert "exited with code 1 before it was ready" in result.stderr
    assert "exploded at import" in result.stderr


def test_a_background_deploy_that_is_not_ready_in_time_leaves_nothing_running(
    cli, tmp_path, synth_home, fake_cloudflare, monkeypatch
):
    monkeypatch.setenv("FAKE_CLOUDFLARED_SILENT", "1")  # cloudflared never prints its URL
    (synth_home / "config.toml").write_text("[tunnels]\nurl_timeout = 60\n")
    # --wait 5: time enough, even on a busy machine, for the runner to start cloudflared
    result = deploy_example(cli, tmp_path, "tunnel", "--wait", "5")
    assert result.returncode == 1 and "was not ready within 5s and was stopped" in result.stderr
    [cloudflared] = fake_cloudflare.started_pids()
    assert not pid_alive(cloudflared)
