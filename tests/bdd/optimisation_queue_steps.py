"""Steps of features/prompt_optimisation.feature's queue scenarios: GEPA and MIPRO jobs submitted
with ``synth-ai experiment submit`` to a real ``synth-ai queue start --background`` worker on the
real Redis broker, every model call through the configured backend (``synth-ai serve``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import tomlkit
from pytest_bdd import given, parsers, then, when

from tests.conftest import run_cli
from tests.fakes.optimisation import RULE_WORDS, prompt_learning
from tests.support.queue import pid_alive, wait_for

SLOW_CALL_S = 0.4  # the scripted model's delay when a scenario needs a job to be caught running


def _cli(world, *args: str, timeout: float = 120):
    done = run_cli(*args, env=world["env"], timeout=timeout)
    world["done"] = done
    return done


def _ok(world, *args: str, timeout: float = 120):
    done = _cli(world, *args, timeout=timeout)
    assert done.returncode == 0, done.stderr + done.stdout
    return done


def _view(world) -> dict:
    done = _ok(world, "experiment", "status", world["experiment_id"], "--format", "json")
    return json.loads(done.stdout)


def _jobs(world) -> list[dict]:
    return _view(world)["jobs"]


def _rollouts_done(world) -> int:
    """The first job's stored progress, read over HTTP (a CLI run per poll would be too slow
    to catch a job mid-search on a loaded machine)."""
    env = world["env"]
    response = httpx.get(
        f"{env['SYNTH_BACKEND_URL']}/api/experiments/{world['experiment_id']}",
        headers={"Authorization": f"Bearer {env['SYNTH_API_KEY']}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["jobs"][0]["progress"].get("done", 0)


def _remember_workers(world) -> None:
    world["worker_pids"].update(world["queue_home"].worker_pids())


def _write_job(world, kind: str, **sections) -> str:
    path = world["tmp"] / f"queue-{kind}.toml"
    path.write_text(tomlkit.dumps(prompt_learning(kind, world["task_app_url"], **sections)))
    return path.name


def _write_experiment(world, jobs: list[dict], parallelism: int) -> None:
    path = world["tmp"] / "experiment.json"
    path.write_text(json.dumps({"name": "optimise", "parallelism": parallelism, "jobs": jobs}))
    world["experiment_path"] = str(path)


@given(parsers.parse('a queue worker started with "{command}" on the real Redis broker'))
def worker_started(world, command):
    assert world["queue_home"].broker.startswith("redis://")
    _ok(world, *command.split()[1:])
    assert len(world["queue_home"].worker_pids()) == 1
    _remember_workers(world)


@given(parsers.parse("an experiment file of a GEPA job and a MIPRO job with parallelism {n:d}"))
def gepa_and_mipro(world, n):
    jobs = [
        {"job_type": kind, "config_path": _write_job(world, kind)} for kind in ("gepa", "mipro")
    ]
    _write_experiment(world, jobs, n)


@given("an experiment file of one GEPA job whose model calls are slow")
def slow_gepa(world):
    world["model"].delay = SLOW_CALL_S
    name = _write_job(
        world, "gepa", gepa__rollout={"budget": 60, "max_concurrent": 2, "minibatch_size": 3}
    )
    _write_experiment(world, [{"job_type": "gepa", "config_path": name}], 1)


@given(parsers.parse('I submitted it with "{command}"'))
@when(parsers.parse('I submit it with "{command}"'))
def submit(world, command):
    done = _ok(world, *command.split()[1:], world["experiment_path"])
    world["experiment_id"] = done.stdout.strip()
    assert world["experiment_id"].startswith("exp_")
    world["watch"] = subprocess.Popen(  # the live view, from the start to the end
        [sys.executable, "-m", "synth_ai", "experiment", "status", world["experiment_id"]]
        + ["--watch", "--interval", "0.5"],
        env={**os.environ, **world["env"]},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@then(parsers.parse('"synth-ai experiment status --format json" soon shows the experiment {state}'))
def soon(world, state):
    wait_for(lambda: _view(world)["status"] == state, timeout=180, interval=0.5)


@then(
    parsers.parse(
        "both jobs completed with a baseline score of {baseline:g} and a best score of {best:g}"
    )
)
def both_completed(world, baseline, best):
    jobs = _jobs(world)
    assert [(j["job_type"], j["status"]) for j in jobs] == [
        ("gepa", "completed"),
        ("mipro", "completed"),
    ], jobs
    for job in jobs:
        assert (job["result"]["baseline_score"], job["result"]["best_score"]) == (baseline, best)
        assert job["result"]["artifact_id"].startswith("pl_")


@then(
    "each job's stored progress holds its rollouts, candidates, train and validation scores, "
    "spend and ETA"
)
def stored_progress(world):
    for job in _jobs(world):
        progress, result = job["progress"], job["result"]
        assert progress["done"] == result["rollouts"] and progress["total"] > 0
        assert progress["candidates"] == result["candidates"] >= 2
        assert progress["candidates_tried"] >= progress["candidates"]
        assert progress["best_score"] == 1.0
        assert progress["best_train_score"] is not None or job["job_type"] == "mipro"
        assert progress["spend_usd"] > 0 and "eta_s" in progress


@then(
    '"synth-ai experiment status --watch" rendered the jobs\' progress, candidates, scores and spend'
)
def watch_rendered(world):
    watch = world["watch"]
    out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    for column in ("progress", "cands", "best", "train", "spend", "eta"):
        assert column in out
    for job in _jobs(world):
        row = next(line for line in out.splitlines() if job["job_id"] in line)
        progress = job["progress"]
        assert f"{progress['done']}/{progress['total']}" in row
        assert f"${progress['spend_usd']:.4f}" in row and "completed" in row


@then("every model call went through the configured backend, none through one of the worker's own")
def through_the_backend(world, server):
    # Only the backend ``synth-ai serve`` knows the scripted model: a backend the worker started
    # for itself would have no upstream for "scripted", and no policy call would be counted.
    rollouts = sum(j["result"]["rollouts"] for j in _jobs(world))
    assert world["model"].calls["policy"] == rollouts


@then(
    '"synth-ai artifacts show" on each job\'s artifact shows the baseline score and the learned rule'
)
def show_each(world):
    for job in _jobs(world):
        shown = _ok(world, "artifacts", "show", job["result"]["artifact_id"])
        flat = " ".join(shown.stdout.replace("│", " ").split())
        assert "baseline score 0.0000" in flat and RULE_WORDS in flat


@then('"synth-ai artifacts download" on each job\'s artifact writes its best prompt')
def download_each(world):
    for job in _jobs(world):
        target = world["tmp"] / f"{job['job_type']}-best.json"
        _ok(world, "artifacts", "download", job["result"]["artifact_id"], "-o", str(target))
        text = target.read_text()
        assert RULE_WORDS in text


@when(parsers.parse("the job has run {n:d} rollouts and I kill the worker with SIGKILL"))
def kill_mid_job(world, n):
    wait_for(lambda: _rollouts_done(world) >= n, timeout=60, interval=0.1)
    (pid,) = world["queue_home"].worker_pids()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), timeout=10)


@when(parsers.parse("the job has run {n:d} rollouts"))
def has_run(world, n):
    wait_for(lambda: _rollouts_done(world) >= n, timeout=60, interval=0.1)


@when(parsers.parse('I start a worker again with "{command}"'))
def start_again(world, command):
    _ok(world, *command.split()[1:])
    _remember_workers(world)


@then("the job counts 2 attempts and its second attempt ran fewer rollouts than the whole job")
def resumed(world):
    (job,) = _jobs(world)
    assert (job["status"], job["attempts"]) == ("completed", 2), job
    result = job["result"]
    assert 0 < result["rollouts_this_attempt"] < result["rollouts"]
    assert result["best_score"] == 1.0


@then("the job resumed from its checkpoint and its pl_ job says succeeded")
def handed_back_and_resumed(world):
    (job,) = _jobs(world)
    result = job["result"]
    assert job["status"] == "completed" and result["best_score"] == 1.0
    assert 0 < result["rollouts_this_attempt"] < result["rollouts"]
    shown = _ok(world, "artifacts", "show", result["artifact_id"], "--format", "json")
    assert json.loads(shown.stdout)["status"] == "succeeded"


@when(parsers.parse('I cancel it with "{command}"'))
def cancel(world, command):
    _ok(world, *command.split()[1:], world["experiment_id"])


@then("the job is canceled and its pl_ job says canceled")
def canceled(world):
    (job,) = wait_for(
        lambda: [j for j in _jobs(world) if j["status"] == "canceled"], timeout=30, interval=0.3
    )
    assert job["reason"] == "canceled"
    artifact = job["result"]["artifact_id"]
    shown = _ok(world, "artifacts", "show", artifact, "--format", "json")
    assert json.loads(shown.stdout)["status"] == "canceled"
    assert job["result"]["rollouts"] < 60
    assert world["watch"].wait(timeout=30) == 0


@when(parsers.parse('I stop the worker with "{command}"'))
def stop_worker(world, command):
    _ok(world, *command.split()[1:])


@then("no process of any worker is alive")
def all_gone(world):
    assert world["worker_pids"]
    assert world["queue_home"].worker_pids() == []
    wait_for(lambda: not [p for p in world["worker_pids"] if pid_alive(p)], timeout=20)
