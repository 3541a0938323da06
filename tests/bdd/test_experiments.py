"""features/experiments.feature on the real thing: the CLI in subprocesses, a real background
worker process, the real Redis broker (a queue name of the test's own)."""

from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.conftest import run_cli
from tests.support.queue import (
    REDIS_URL,
    QueueHome,
    max_concurrent,
    overlapping_runs_of_one_job,
    pid_alive,
    read_ledger,
    wait_for,
    write_experiment,
)

scenarios("experiments.feature")

CHILD_COMMAND = (
    "sleep 60 & echo $! > child-$SYNTH_AI_JOB_ID.pid; echo $$ > sh-$SYNTH_AI_JOB_ID.pid; wait"
)


@pytest.fixture
def world(tmp_path):
    home = QueueHome(tmp_path / "home", REDIS_URL)
    state = {"home": home, "folder": tmp_path / "exp"}
    yield state
    if "served" in state:
        state["served"].stop()
    home.close()


def cli(world, command: str, *extra: str):
    args = command.split()[1:] + list(extra)
    result = run_cli(*args, env=world["home"].env, timeout=90)
    world["result"] = result
    return result


def ok(world, command: str, *extra: str):
    result = cli(world, command, *extra)
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def view(world) -> dict:
    out = ok(world, "synth-ai experiment status", world["experiment_id"], "--format", "json")
    return json.loads(out.stdout)


@given("a synth-ai home whose queue uses the real Redis broker")
def home(world):
    assert world["home"].broker.startswith("redis://")


@given(parsers.parse('a queue worker started with "{command}"'))
def worker_started(world, command):
    ok(world, command)
    assert len(world["home"].worker_pids()) == 1


@given(
    parsers.re(
        r"an experiment file of (?P<jobs>\d+) command jobs? with parallelism (?P<parallelism>\d+)"
        r"(?P<extra>.*)$"
    )
)
def experiment_file(world, jobs, parallelism, extra):
    nap = 2.0 if "2 seconds" in extra else 0.3
    command = CHILD_COMMAND if "child process" in extra else None
    world["path"] = write_experiment(
        world["folder"], jobs=int(jobs), parallelism=int(parallelism), nap=nap, command=command
    )
    world["jobs"], world["parallelism"] = int(jobs), int(parallelism)


@given(parsers.parse('its second job overrides "{key}"'))
def bad_override(world, key):
    document = json.loads(world["path"].read_text())
    document["jobs"][1]["config_overrides"] = {key: "x"}
    world["path"].write_text(json.dumps(document))


@given(parsers.parse('I submitted it with "{command}"'))
@when(parsers.parse('I submit it with "{command}"'))
def submit(world, command):
    result = cli(world, command, str(world["path"]))
    if result.returncode == 0:
        world["experiment_id"] = result.stdout.strip()


@then(parsers.parse('the experiment id starts with "{prefix}"'))
def experiment_id(world, prefix):
    assert world["experiment_id"].startswith(prefix)


@then(parsers.parse('"synth-ai experiment status" soon shows the experiment {state}'))
def soon(world, state):
    wait_for(lambda: view(world)["status"] == state, timeout=60, interval=0.3)


@then(parsers.parse("every job ran exactly once and never more than {n:d} at a time"))
def ran_once(world, n):
    ledger = read_ledger(world["folder"])
    starts = [e[0] for e in ledger if e[1] == "start"]
    assert sorted(starts) == sorted(j["job_id"] for j in view(world)["jobs"])
    assert max_concurrent(ledger) == n


@then(
    parsers.parse(
        '"synth-ai experiment results" lists {n:d} completed jobs with their result files'
    )
)
def results(world, n):
    out = ok(world, "synth-ai experiment results", world["experiment_id"], "--format", "json")
    jobs = json.loads(out.stdout)["jobs"]
    assert len(jobs) == n and all(j["status"] == "completed" and j["result"]["pid"] for j in jobs)
    table = ok(world, "synth-ai experiment results", world["experiment_id"]).stdout
    assert table.count("completed") == n


@then(parsers.parse('"synth-ai experiment logs" prints the first job\'s output'))
def logs(world):
    first = view(world)["jobs"][0]["job_id"]
    out = ok(world, "synth-ai experiment logs", first)
    assert out.stdout.splitlines() == [f"ran {first}"]


@then(parsers.parse('the command fails with one line naming "{field}" and the job\'s TOML file'))
def fails_one_line(world, field):
    result = world["result"]
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert field in lines[0] and str(world["folder"] / "job.toml") in lines[0]


@then(parsers.parse('"synth-ai experiment list" shows no experiment'))
def none_listed(world):
    out = ok(world, "synth-ai experiment list", "--format", "json")
    assert json.loads(out.stdout) == {"experiments": []}


@when("the job has started and I kill the worker with SIGKILL")
def kill_worker(world):
    (run,) = wait_for(lambda: read_ledger(world["folder"]), timeout=20)
    (pid,) = world["home"].worker_pids()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), timeout=10)
    wait_for(lambda: not pid_alive(run[3]), timeout=10)
    world["killed_at"] = time.time()


@when(parsers.parse('I start a worker again with "{command}"'))
def start_again(world, command):
    ok(world, command)


@then("the job ran twice, never at the same time, and counts 2 attempts")
def ran_twice(world):
    ledger = read_ledger(world["folder"])
    assert [e[1] for e in ledger] == ["start", "start", "end"]
    assert ledger[1][2] > world["killed_at"]
    assert overlapping_runs_of_one_job(ledger[1:]) == []
    assert view(world)["jobs"][0]["attempts"] == 2


@when("both running jobs have started their children")
def children_started(world):
    wait_for(lambda: len(list(world["folder"].glob("sh-*.pid"))) == 2, timeout=20)
    world["pids"] = [int(p.read_text()) for p in world["folder"].glob("*.pid")]
    assert len(world["pids"]) == 4 and all(pid_alive(p) for p in world["pids"])


@when(parsers.parse('I cancel it with "{command}"'))
def cancel(world, command):
    ok(world, command, world["experiment_id"])


@then("every job is canceled")
def all_canceled(world):
    assert [j["status"] for j in view(world)["jobs"]] == ["canceled"] * 3


@then("none of the jobs' processes is alive")
def none_alive(world):
    assert [p for p in world["pids"] if pid_alive(p)] == []


@when(parsers.parse('I run "{command}"'))
def run(world, command):
    ok(world, command)


@then(
    parsers.parse("it lists one worker of this host with concurrency {n:d} and a fresh heartbeat")
)
def one_worker(world, n):
    workers = json.loads(world["result"].stdout)["workers"]
    assert len(workers) == 1
    (worker,) = workers
    assert worker["host"] == socket.gethostname() and worker["concurrency"] == n
    assert worker["pid"] == world["home"].worker_pids()[0]
    assert worker["heartbeat_age_s"] < 5 and not worker["stale"]


@then("no worker of this home is running")
def no_worker(world):
    assert world["home"].worker_pids() == []
    out = ok(world, "synth-ai queue status", "--format", "json")
    assert json.loads(out.stdout)["workers"] == []


@given("synth-ai serve runs on this home")
def serve_on_home(world):
    from tests.support.serve_process import ServeProcess

    world["served"] = ServeProcess(
        world["home"].home,
        "http://127.0.0.1:9/v1",
        "sk-synth-bdd-dashboard-key",
        extra_env=world["home"].env,
    )


@when(parsers.parse('I follow the experiment\'s events with the token "{command}" prints'))
def follow_events(world, command):
    import httpx

    served = world["served"]
    printed = run_cli(*command.split()[1:], env=served.env, timeout=60)
    assert printed.returncode == 0, printed.stderr
    url = printed.stdout.strip()
    token = url.split("#token=", 1)[1]
    world["frames"] = frames = []
    path = f"/api/experiments/{world['experiment_id']}/events"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", served.url + path, headers=headers, timeout=90) as stream:
        assert stream.status_code == 200, stream.read()
        name = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                frames.append((name, json.loads(line[len("data: ") :])))
    world["token"] = token


@then("the stream showed a job running, then the experiment completed, and then ended")
def stream_showed(world):
    frames = world["frames"]
    states = [data["status"] for name, data in frames if name == "experiment"]
    assert "running" in states and states[-1] == "completed"
    last = [data for name, data in frames if name == "experiment"][-1]
    assert all(j["status"] == "completed" and j["eta_s"] == 0.0 for j in last["jobs"])
    assert frames[-1] == ("end", {"reason": "terminal"})


@then(parsers.parse('the workers the dashboard lists are the ones "{command}" prints'))
def dashboard_workers(world, command):
    import httpx

    served = world["served"]
    shown = httpx.get(
        served.url + "/api/queue/workers",
        headers={"Authorization": f"Bearer {world['token']}"},
        timeout=30,
    ).json()
    printed = json.loads(ok(world, command, "--format", "json").stdout)
    assert [w["worker_id"] for w in shown["workers"]] == [
        w["worker_id"] for w in printed["workers"]
    ]
    assert shown["broker"] == printed["broker"]
