"""``synth-ai serve`` as a user runs it: first start makes a key, signals stop it cleanly."""

import os
import re
import signal
import stat
import subprocess
import sys
import time

import httpx
import pytest
from synth_ai.adapters.waitress_host import find_free_port, port_is_free


def start_serve(home, port, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env["SYNTH_AI_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def read_banner(process, timeout=30.0) -> str:
    """stdout up to the 'API key' line (serve prints it once it is listening)."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "API key" in line:
            return "".join(lines)
    process.kill()
    raise AssertionError(f"no banner from synth-ai serve: {''.join(lines)} {process.stderr.read()}")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_first_start_prints_url_and_a_new_key_that_the_cli_then_uses_and_a_signal_stops_it(
    synth_home, cli, stop_signal
):
    port = find_free_port()
    process = start_serve(synth_home, port)
    try:
        banner = read_banner(process)
        assert f"listening on http://127.0.0.1:{port}" in banner
        key = re.search(r"API key \(new, saved to .*config\.toml\): (sk-synth-\S+)", banner).group(
            1
        )
        assert stat.S_IMODE(os.stat(synth_home / "config.toml").st_mode) == 0o600
        me = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {key}"}
        )
        assert me.status_code == 200
        listed = cli(
            "--base-url", f"http://127.0.0.1:{port}", "artifacts", "list", "--format", "json"
        )
        assert listed.returncode == 0, (
            listed.stderr
        )  # no --api-key: the CLI read it from config.toml
    finally:
        process.send_signal(stop_signal)
        code = process.wait(timeout=15)
    assert code == (130 if stop_signal == signal.SIGINT else 0)  # Ctrl+C: 130, like every command
    assert "Shutting down" in process.stderr.read()
    assert port_is_free("127.0.0.1", port)


def test_a_second_start_keeps_the_key_it_made_the_first_time(synth_home):
    first = start_serve(synth_home, find_free_port())
    key = re.search(r"(sk-synth-\S+)", read_banner(first)).group(1)
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=15)
    second = start_serve(synth_home, find_free_port())
    try:
        banner = read_banner(second)
        assert "API key: configured in" in banner and "sk-synth-" not in banner
        assert key in (synth_home / "config.toml").read_text()
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=15)


def test_a_busy_port_is_one_clear_error(synth_home, cli):
    port = find_free_port()
    holder = start_serve(synth_home, port)
    try:
        read_banner(holder)
        result = cli(
            "serve", "--port", str(port), env={"SYNTH_AI_HOME": str(synth_home)}, timeout=30
        )
        assert result.returncode == 1
        assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.send_signal(signal.SIGTERM)
        holder.wait(timeout=15)
