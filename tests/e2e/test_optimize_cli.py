"""``synth-ai optimize`` through the real console entry in a subprocess.

The subprocess starts its own in-process backend (no ``SYNTH_BACKEND_URL``) on the scripted
upstream; the task app runs in this test process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import tomlkit

from tests.conftest import run_cli
from tests.fakes.optimisation import TASK_KEY, arithmetic_task_app, prompt_learning, start_model

KEY = "sk-synth-e2e-optimise-key"


@pytest.fixture
def model():
    upstream, scripted = start_model(delay=0.02)
    yield upstream, scripted
    upstream.close()


@pytest.fixture
def task_app():
    from synth_ai.task_app.in_process import InProcessTaskApp

    with InProcessTaskApp(config=arithmetic_task_app(), api_key=TASK_KEY, port=0) as app:
        yield app


@pytest.fixture
def env(model):
    upstream, _ = model
    return {"SYNTH_AI_UPSTREAM_URL": upstream.base_url, "SYNTH_API_KEY": KEY}


def write_config(tmp_path, kind: str, task_app_url: str, **sections) -> str:
    path = tmp_path / f"{kind}.toml"
    path.write_text(tomlkit.dumps(prompt_learning(kind, task_app_url, **sections)))
    return str(path)


@pytest.mark.parametrize("kind", ["gepa", "mipro"])
def test_optimize_runs_a_job_in_the_foreground_and_artifacts_show_renders_its_best_prompt(
    kind, tmp_path, task_app, env
):
    config = write_config(tmp_path, kind, task_app.url)

    done = run_cli("optimize", config, "--format", "json", env=env, timeout=240)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["baseline_score"], result["best_score"]) == (
        "completed",
        0.0,
        1.0,
    )
    shown = run_cli("artifacts", "show", result["artifact_id"], env=env)
    assert shown.returncode == 0, shown.stderr
    assert "baseline score" in shown.stdout and "0.0000" in shown.stdout
    flat = " ".join(shown.stdout.replace("│", " ").split())  # panels wrap long lines
    assert "Rule: write the number in words." in flat
    as_json = json.loads(
        run_cli("artifacts", "show", result["artifact_id"], "--format", "json", env=env).stdout
    )
    assert as_json["best_score"] == 1.0
    assert as_json["metadata"]["learning_curve"][-1][1] == 1.0


def test_optimize_names_an_unknown_key_and_the_file_in_one_line(tmp_path, task_app, env):
    config = write_config(tmp_path, "gepa", task_app.url, gepa__rollout__budgte=5)

    done = run_cli("optimize", config, env=env)

    assert done.returncode == 1
    assert "prompt_learning.gepa.rollout.budgte" in done.stderr and config in done.stderr
    assert "Traceback" not in done.stderr


def test_optimize_resumes_a_job_whose_process_was_killed(tmp_path, task_app, env, synth_home):
    config = write_config(tmp_path, "mipro", task_app.url)
    process = _start(config, env)
    saved = _wait_for_rollouts(process, synth_home / "jobs", 14)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    done = run_cli("optimize", config, "--format", "json", env=env, timeout=240)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["best_score"] == 1.0
    assert result["rollouts_this_attempt"] <= result["rollouts"] - saved
    assert "resuming attempt 2" in done.stderr


def _start(config: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "optimize", config, "--format", "json"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_rollouts(process, jobs, at_least: int) -> int:
    deadline, saved = time.monotonic() + 120, 0
    while time.monotonic() < deadline and process.poll() is None and saved < at_least:
        for checkpoint in jobs.glob("*/checkpoint.json"):
            try:
                saved = len(json.loads(checkpoint.read_text()).get("rollouts", {}))
            except ValueError:
                continue
        time.sleep(0.05)
    assert process.poll() is None, "the job finished before the test could interrupt it"
    return saved


def test_ctrl_c_stops_the_job_records_its_best_so_far_and_exits_130(
    tmp_path, task_app, env, synth_home
):
    config = write_config(tmp_path, "mipro", task_app.url)
    process = _start(config, env)
    _wait_for_rollouts(process, synth_home / "jobs", 10)

    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)

    assert process.returncode == 130, err
    result = json.loads(out)
    assert (result["status"], result["reason"]) == ("failed", "canceled")
    shown = json.loads(
        run_cli("artifacts", "show", result["artifact_id"], "--format", "json", env=env).stdout
    )
    assert shown["status"] == "canceled" and shown["metadata"]["baseline_score"] == 0.0


def test_the_best_prompt_of_an_optimisation_job_downloads_as_json(tmp_path, task_app, env):
    config = write_config(tmp_path, "gepa", task_app.url)
    result = json.loads(
        run_cli("optimize", config, "--format", "json", env=env, timeout=240).stdout
    )

    done = run_cli(
        "artifacts",
        "download",
        result["artifact_id"],
        "--format",
        "json",
        "-o",
        str(tmp_path),
        env=env,
    )

    assert done.returncode == 0, done.stderr
    files = list(tmp_path.glob("*.json"))
    assert files, done.stdout
    messages = json.loads(files[0].read_text())
    text = json.dumps(messages)
    assert "Rule: write the number in words." in text


def test_a_backend_without_a_chat_upstream_fails_the_job_in_one_line_saying_what_to_set(
    tmp_path, task_app
):
    config = write_config(tmp_path, "gepa", task_app.url)

    done = run_cli("optimize", config, env={"SYNTH_API_KEY": KEY}, timeout=120)

    assert done.returncode == 1
    assert "SYNTH_AI_UPSTREAM_URL" in done.stderr or "[upstream]" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_unreachable_backend_fails_the_job_in_one_line(tmp_path, task_app):
    from tests.support.serve_process import free_port

    config = write_config(tmp_path, "gepa", task_app.url)
    url = f"http://127.0.0.1:{free_port()}"

    done = run_cli("optimize", config, env={"SYNTH_BACKEND_URL": url, "SYNTH_API_KEY": KEY})

    assert done.returncode == 1
    assert "not reachable" in done.stderr and url in done.stderr
    assert "Traceback" not in done.stderr


def test_a_canceled_job_resumes_and_a_completed_one_starts_afresh(
    tmp_path, task_app, env, synth_home
):
    config = write_config(tmp_path, "gepa", task_app.url)
    process = _start(config, env)
    _wait_for_rollouts(process, synth_home / "jobs", 6)
    process.send_signal(signal.SIGINT)
    canceled = json.loads(process.communicate(timeout=120)[0])

    resumed = run_cli("optimize", config, "--format", "json", env=env, timeout=240)
    again = run_cli("optimize", config, "--format", "json", env=env, timeout=240)

    first, second = json.loads(resumed.stdout), json.loads(again.stdout)
    assert first["artifact_id"] == canceled["artifact_id"] and first["best_score"] == 1.0
    assert "resuming" in resumed.stderr
    assert second["artifact_id"] != first["artifact_id"]
    assert second["rollouts_this_attempt"] == second["rollouts"]


def test_the_task_apps_key_can_come_from_an_env_file(tmp_path, task_app, env):
    document = prompt_learning(
        "gepa", task_app.url, gepa__rollout={"budget": 6, "max_concurrent": 6}
    )
    del document["prompt_learning"]["task_app_api_key"]
    config = tmp_path / "gepa.toml"
    config.write_text(tomlkit.dumps(document))
    env_file = tmp_path / ".env"
    env_file.write_text(f"ENVIRONMENT_API_KEY={TASK_KEY}\n")

    done = run_cli(
        "optimize", str(config), "--env-file", str(env_file), "--format", "json", env=env
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["reason"], result["rollouts"], result["baseline_score"]) == (
        "budget_exhausted",
        6,
        0.0,
    )
