"""``synth-ai queue start --metrics-port``: a bad port is one line and exit 1, before any job."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import run_cli
from tests.support.queue import REDIS_URL, QueueHome


@pytest.fixture
def qhome(tmp_path):
    home = QueueHome(tmp_path / "home", REDIS_URL)
    yield home
    home.close()


def test_a_metrics_port_in_use_stops_the_worker_with_one_line(qhome):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("queue", "start", "--metrics-port", str(port), env=qhome.env, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], done.stderr
    assert "--metrics-port" in lines[0] and "Traceback" not in done.stderr
    assert qhome.worker_pids() == []


def test_a_metrics_port_out_of_range_in_the_config_names_the_value(qhome):
    config = qhome.home / "config.toml"
    config.write_text(config.read_text() + "metrics_port = 70000\n")
    done = run_cli("queue", "start", env=qhome.env, timeout=60)
    assert done.returncode == 1
    assert "[queue]" in done.stderr and "metrics_port must be 0-65535" in done.stderr
    assert "70000" in done.stderr and "Traceback" not in done.stderr
