"""``synth-ai scan`` through the real console entry: help, watch mode, Ctrl+C."""

import json
import os
import signal
import subprocess
import sys

from tests.conftest import run_cli


def test_scan_is_listed_in_the_root_help():
    result = run_cli("--help")
    assert "scan" in result.stdout and "Find running task apps" in result.stdout


def test_watch_with_json_prints_one_report_per_line_until_ctrl_c(synth_home):
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "scan", "--port-range", "1:2", "--watch"]
        + ["--interval", "0.1", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        reports = [json.loads(line) for line in lines]
        assert all(r["scan_summary"]["total_found"] == len(r["apps"]) for r in reports)
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_watch_redraws_the_table_until_ctrl_c(synth_home):
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "scan", "--port-range", "1:2", "--watch"]
        + ["--interval", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        first = process.stdout.readline()
        assert "No task apps found" in first
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 130
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_a_timeout_that_is_not_a_number_is_one_line_and_exit_2():
    result = run_cli("scan", "--timeout", "soon")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: --timeout 'soon' is not a number of seconds, e.g. 2"
    ]
