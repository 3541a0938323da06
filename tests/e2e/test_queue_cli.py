"""``synth-ai queue`` and ``synth-ai experiment`` through the real CLI, real worker processes and
real Redis, including the faults: kill -9 mid-job, a broker restart, cancel with running jobs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import run_cli
from tests.support.queue import (
    REDIS_URL,
    QueueHome,
    overlapping_runs_of_one_job,
    pid_alive,
    read_ledger,
    wait_for,
    write_experiment,
)


@pytest.fixture
def qhome(tmp_path):
    home = QueueHome(tmp_path / "home", REDIS_URL)
    yield home
    home.close()


def cli(home: QueueHome, *args: str, timeout: float = 60, ok: bool = True, **env):
    result = run_cli(*args, env={**home.env, **env}, timeout=timeout)
    if ok:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def status(home: QueueHome, experiment_id: str) -> dict:
    return json.loads(cli(home, "experiment", "status", experiment_id, "--format", "json").stdout)


def wait_finished(home: QueueHome, experiment_id: str, timeout: float = 60) -> dict:
    return wait_for(
        lambda: (
            (s := status(home, experiment_id))["status"] in ("completed", "failed", "canceled")
            and s
        ),
        timeout=timeout,
        interval=0.3,
    )


def submit(home: QueueHome, path) -> str:
    return cli(home, "experiment", "submit", str(path)).stdout.strip()


def test_a_background_worker_runs_a_submitted_experiment_to_completion(qhome, tmp_path):
    started = cli(qhome, "queue", "start", "--background", "--concurrency", "3")
    assert "started" in started.stdout
    path = write_experiment(tmp_path / "exp", jobs=4, parallelism=2, nap=0.2)
    experiment_id = submit(qhome, path)
    assert experiment_id.startswith("exp_")
    done = wait_finished(qhome, experiment_id)
    assert done["status"] == "completed" and done["job_counts"] == {"completed": 4}
    assert all(j["result"]["pid"] > 0 for j in done["jobs"])
    listed = json.loads(cli(qhome, "experiment", "list", "--format", "json").stdout)
    assert [e["experiment_id"] for e in listed["experiments"]] == [experiment_id]
    workers = json.loads(cli(qhome, "queue", "status", "--format", "json").stdout)["workers"]
    assert [(w["pid"], w["concurrency"]) for w in workers] == [(qhome.worker_pids()[0], 3)]
    assert (qhome.home / "queue" / "worker.log").read_text().count("completed") == 4


def test_a_second_start_stops_the_first_worker_gracefully(qhome):
    cli(qhome, "queue", "start", "--background")
    (first,) = qhome.worker_pids()
    cli(qhome, "queue", "start", "--background")
    (second,) = qhome.worker_pids()
    assert second != first and not pid_alive(first)
    assert "stopping: draining" in (qhome.home / "queue" / "worker.log").read_text()
    workers = json.loads(cli(qhome, "queue", "status", "--format", "json").stdout)["workers"]
    assert [w["pid"] for w in workers] == [second]
    stopped = cli(qhome, "queue", "stop")
    assert f"worker {second} stopped" in stopped.stdout and qhome.worker_pids() == []


def test_sigterm_lets_the_running_job_finish_and_the_worker_exit_zero(qhome, tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "queue", "start"],
        env={**os.environ, **qhome.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: qhome.worker_pids() == [worker.pid], timeout=20)
        path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1, nap=1.5)
        experiment_id = submit(qhome, path)
        wait_for(lambda: read_ledger(tmp_path / "exp"), timeout=20)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=30)
    assert status(qhome, experiment_id)["status"] == "completed"


def test_a_job_whose_worker_was_killed_runs_again_and_completes_never_concurrently(qhome, tmp_path):
    cli(qhome, "queue", "start", "--background")
    (victim,) = qhome.worker_pids()
    path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1, nap=2)
    experiment_id = submit(qhome, path)
    (first_run,) = wait_for(lambda: read_ledger(tmp_path / "exp"), timeout=20)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: not pid_alive(victim), timeout=10)
    wait_for(lambda: not pid_alive(first_run[3]), timeout=10)  # the command died with it
    killed_at = time.time()
    cli(qhome, "queue", "start", "--background")
    done = wait_finished(qhome, experiment_id, timeout=60)
    assert done["status"] == "completed"
    assert done["jobs"][0]["attempts"] == 2
    ledger = read_ledger(tmp_path / "exp")
    assert [e[1] for e in ledger] == ["start", "start", "end"]
    assert ledger[1][2] > killed_at
    assert overlapping_runs_of_one_job(ledger[1:]) == []


def test_cancel_terminates_the_whole_process_group_of_running_jobs(qhome, tmp_path):
    cli(qhome, "queue", "start", "--background", "--concurrency", "2")
    folder = tmp_path / "exp"
    command = (
        "sleep 60 & echo $! > child-$SYNTH_AI_JOB_ID.pid; echo $$ > sh-$SYNTH_AI_JOB_ID.pid; wait"
    )
    path = write_experiment(folder, jobs=3, parallelism=2, command=command)
    experiment_id = submit(qhome, path)
    wait_for(lambda: len(list(folder.glob("sh-*.pid"))) == 2, timeout=20)
    pids = [int(p.read_text()) for p in folder.glob("*.pid")]
    assert len(pids) == 4 and all(pid_alive(p) for p in pids)
    out = cli(qhome, "experiment", "cancel", experiment_id)
    assert out.stdout.strip() == f"{experiment_id} canceled"
    assert [p for p in pids if pid_alive(p)] == []
    done = status(qhome, experiment_id)
    assert [j["status"] for j in done["jobs"]] == ["canceled"] * 3


def test_an_experiment_completes_across_a_broker_restart(tmp_path):
    from tests.support.redis_server import RedisServer

    with RedisServer.start(tmp_path / "redis") as server:
        home = QueueHome(tmp_path / "home", server.url)
        try:
            cli(home, "queue", "start", "--background")
            path = write_experiment(tmp_path / "exp", jobs=4, parallelism=1, nap=0.8)
            experiment_id = submit(home, path)
            wait_for(lambda: read_ledger(tmp_path / "exp"), timeout=20)
            server.restart(down_for=3)
            done = wait_finished(home, experiment_id, timeout=90)
            assert done["status"] == "completed"
            assert [j["attempts"] for j in done["jobs"]] == [1, 1, 1, 1]
        finally:
            home.close()


def test_starting_a_worker_with_the_broker_down_says_so_in_one_line(qhome):
    result = cli(qhome, "queue", "start", "--broker", "redis://127.0.0.1:1/0", ok=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the broker is not reachable at redis://127.0.0.1:1/0" in lines[0]
    assert "Traceback" not in result.stderr


def test_submit_refuses_a_bad_override_naming_the_field_and_file_and_stores_nothing(
    qhome, tmp_path
):
    path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1)
    document = json.loads(path.read_text())
    document["jobs"][0]["config_overrides"] = {"command.rnu": "x"}
    path.write_text(json.dumps(document))
    result = cli(qhome, "experiment", "submit", str(path), ok=False)
    assert result.returncode == 1
    assert f"{path}: jobs[0].config_overrides: 'command.rnu' is not a key of" in result.stderr
    listed = json.loads(cli(qhome, "experiment", "list", "--format", "json").stdout)
    assert listed["experiments"] == []


def test_experiment_run_works_in_the_foreground_without_a_broker(tmp_path):
    home = QueueHome(tmp_path / "home", "redis://127.0.0.1:1/0")  # never used
    path = write_experiment(tmp_path / "exp", jobs=3, parallelism=2, nap=0.1)
    result = cli(home, "experiment", "run", str(path), "--format", "json")
    done = json.loads(result.stdout)
    assert done["status"] == "completed" and done["job_counts"] == {"completed": 3}
    assert (
        max(
            sum(1 for e in read_ledger(tmp_path / "exp")[: i + 1] if e[1] == "start")
            - sum(1 for e in read_ledger(tmp_path / "exp")[: i + 1] if e[1] == "end")
            for i in range(6)
        )
        <= 2
    )
