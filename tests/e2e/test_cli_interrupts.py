"""Interrupts and exit codes: Ctrl-C exits 130 everywhere and cleans up what the command
started; usage errors exit 2; expected failures exit 1 (docs/cli/README.md)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from synth_ai.adapters.records_file import pid_alive
from synth_ai.adapters.waitress_host import port_is_free

from tests.support.tunnels import ENV_KEY, EXAMPLE_APP, reap_deployments  # noqa: F401

pytestmark = pytest.mark.usefixtures("reap_deployments")


def spawn(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "synth_ai", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ENVIRONMENT_API_KEY": ENV_KEY, **(env or {})},
    )


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def records(synth_home) -> list[dict]:
    path = synth_home / "services.json"
    return json.loads(path.read_text() or "{}").get("services", []) if path.exists() else []


def test_ctrl_c_on_a_foreground_deploy_exits_130_and_removes_the_app_and_its_record(synth_home):
    process = spawn("deploy", "--runtime", "local", "--task-app", str(EXAMPLE_APP), "--port", "0")
    try:
        [record] = wait_for(lambda: records(synth_home), what="the deployment record")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Stopped." in err and "Traceback" not in err
    assert records(synth_home) == []
    assert port_is_free("127.0.0.1", record["port"])


def test_ctrl_c_while_a_background_deploy_waits_exits_130_and_leaves_nothing_running(
    synth_home, tmp_path
):
    slow = tmp_path / "slow_app.py"
    slow.write_text(
        "import runpy, time\ntime.sleep(60)\n"
        f"globals().update(runpy.run_path({str(EXAMPLE_APP)!r}))\n"
    )
    process = spawn(
        "deploy", "--runtime", "local", "--task-app", str(slow), "--background", "--port", "0"
    )
    logs = synth_home / "logs"
    wait_for(lambda: logs.exists() and any(logs.iterdir()), what="the runner's log")
    runner = wait_for(lambda: _runner_pid(slow), what="the runner process")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Interrupted." in err and "Traceback" not in err
    wait_for(lambda: not pid_alive(runner), timeout=15, what="the runner to stop")
    assert records(synth_home) == []


def _runner_pid(app) -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmdline = handle.read()
            except OSError:
                continue
            if b"synth_ai.task_app.runner" in cmdline and str(app).encode() in cmdline:
                return int(entry)
    return None


def test_ctrl_c_on_serve_exits_130(synth_home):
    from tests.support.serve_process import free_port

    port = free_port()
    process = spawn("serve", "--port", str(port))
    try:
        wait_for(lambda: not port_is_free("127.0.0.1", port), what="serve to listen")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert port_is_free("127.0.0.1", port)


def test_ctrl_c_on_a_command_waiting_for_a_backend_exits_130_without_aborted(synth_home):
    import socket

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    process = spawn("--base-url", url, "session", "list")
    try:
        wait_for(lambda: _accepted(silent), what="the CLI to connect")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        silent.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Aborted!" not in err and "Traceback" not in err


def _accepted(server) -> bool:
    server.settimeout(0.1)
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    _accepted.keep = conn  # keep it open: the CLI waits on it
    return True


def test_usage_errors_exit_2_and_expected_failures_exit_1(cli, tmp_path):
    usage = [
        cli("deploy", "--runtime", "sideways"),
        cli("artifacts", "list", "--type", "cats"),
        cli("sesion", "list"),
        cli("session", "show", "not an id"),
    ]
    assert [r.returncode for r in usage] == [2, 2, 2, 2]
    expected = [
        cli("artifacts", "show", "ft:Qwen/Qwen3-0.6B:job_missing"),
        cli("deploy", "stop", "svc_nope"),
        cli("artifacts", "register-prompt", str(tmp_path / "missing.json")),
    ]
    assert [r.returncode for r in expected] == [1, 1, 1]
    for result in usage + expected:
        assert "Traceback" not in result.stderr
        assert [line for line in result.stderr.splitlines() if line.startswith("Error:")]
