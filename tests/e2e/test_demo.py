"""README command 1 (``scripts/demo``) end to end, in its reduced form, on the real local model.

``examples/demo.py --reduced`` is what ``scripts/demo`` runs after installing: a real
``synth-ai serve`` subprocess on the packaged Gemma 3 270M, the sentiment task app in the demo's
process, a MIPRO and a GEPA job through the queue's in-memory transport — with fewer seeds,
trials and rollouts, and output caps of a few tokens, so it stays well under 90 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.local_model import local_model_path  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as stopped.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, local_model_path):
    tmp_path = tmp_path_factory.mktemp("demo")
    summary = tmp_path / "summary.json"
    env = {
        **os.environ,
        "SYNTH_AI_HOME": str(tmp_path / "home"),
        "SYNTH_AI_LOCAL_MODEL_PATH": local_model_path,
    }
    for name in ("SYNTH_AI_UPSTREAM_URL", "SYNTH_AI_UPSTREAM_PROVIDER", "SYNTH_BACKEND_URL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "examples/demo.py", "--reduced", "--threads", "1"]
        + ["--summary-json", str(summary)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done, json.loads(summary.read_text()) if summary.exists() else None


@pytest.mark.timeout(300)
def test_the_demo_optimises_a_prompt_on_the_local_model_and_stops_everything_it_started(
    demo_run,
):
    done, summary = demo_run

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert Path(summary["home"]).name == "home"
    assert [r["kind"] for r in summary["results"]] == ["mipro", "gepa"]
    for result in summary["results"]:
        assert result["status"] == "completed"
        assert result["artifact_id"].startswith("pl_")
        assert 0.0 <= result["baseline_score"] <= result["best_score"] <= 1.0
        assert result["tokens"] > 0 and result["spend_usd"] == 0.0  # "local" is priced at $0
        assert result["best_messages"][0]["role"] == "system"
        shown = f"artifacts show {result['artifact_id']}"
        assert shown in done.stdout and f"download {result['artifact_id']}" in done.stdout
    out = done.stdout
    assert "baseline validation score" in out and "best validation score" in out
    assert "initial prompt" in out and "best prompt" in out and "spend counted" in out
    backend_pid = summary["backend_pid"]
    assert f"backend pid {backend_pid} " in out and "llama.cpp" in out
    assert f"stopped the backend (pid {backend_pid})" in out
    assert not alive(backend_pid)


def test_the_artifact_the_demo_prints_opens_with_the_printed_command(demo_run):
    done, summary = demo_run
    assert done.returncode == 0, done.stderr[-3000:]
    artifact_id = summary["results"][0]["artifact_id"]

    shown = subprocess.run(
        [Path(sys.executable).with_name("synth-ai"), "artifacts", "show", artifact_id],
        env={**os.environ, "SYNTH_AI_HOME": summary["home"]},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert shown.returncode == 0, shown.stderr
    assert "baseline score" in shown.stdout


def test_the_demo_says_in_one_line_that_it_needs_python_3_11(tmp_path):
    old_python = tmp_path / "python3.10"
    old_python.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.10.12"\nexit 1\n')
    old_python.chmod(0o755)

    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo")],
        env={**os.environ, "PYTHON": str(old_python)},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "needs Python >= 3.11 (found: Python 3.10.12)" in done.stderr
