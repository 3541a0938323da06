"""Step definitions for features/metrics.feature: ``synth-ai serve`` and a background queue
worker as subprocesses on the real Redis broker, an eval job against an in-process task app
whose policy calls go through the backend to a scripted model."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.conftest import TEST_KEY, run_cli
from tests.support.metrics import scrape
from tests.support.queue import REDIS_URL, QueueHome, wait_for
from tests.support.scripted_upstream import Reply, ScriptedUpstream
from tests.support.serve_process import ServeProcess
from tests.support.tunnels import ENV_KEY

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arithmetic_task_app.py"

scenarios("metrics.feature")

CHAT_ROUTE = "/api/synth-research/v1/chat/completions"


@pytest.fixture
def world(tmp_path):
    return {"tmp": tmp_path}


def _ok(world, *args: str):
    done = run_cli(*args, env=world["env"], timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return done


@given("a synth-ai backend is serving with a scripted model and the real Redis broker")
def backend(tmp_path, world, monkeypatch):
    from synth_ai.task_app import InProcessTaskApp

    upstream = ScriptedUpstream.start()
    upstream.default = Reply(text="28", usage={"prompt_tokens": 20, "completion_tokens": 2})
    queue_home = QueueHome(tmp_path / "home", REDIS_URL)
    served = ServeProcess(queue_home.home, upstream.base_url, TEST_KEY, extra_env=queue_home.env)
    monkeypatch.setenv("ENVIRONMENT_API_KEY", ENV_KEY)  # the example task app's key
    task_app = InProcessTaskApp(task_app_path=EXAMPLE, port=0)
    task_app.__enter__()
    world.update(served=served, queue_home=queue_home, task_app_url=task_app.url)
    world["env"] = {**queue_home.env, "SYNTH_BACKEND_URL": served.url, "SYNTH_API_KEY": TEST_KEY}
    yield served
    queue_home.close()
    task_app.__exit__(None, None, None)
    served.stop()
    upstream.close()


@given(
    parsers.parse('an experiment of one eval job over {seeds:d} seeds submitted with "{command}"')
)
def submitted(world, seeds, command):
    folder = world["tmp"] / "exp"
    folder.mkdir()
    (folder / "eval.toml").write_text(
        f'[eval]\ntask_app_url = "{world["task_app_url"]}"\nseeds = {list(range(seeds))}\n'
        'model = "synth-small"\nconcurrency = 2\n'
    )
    (folder / "eval.env").write_text(f"ENVIRONMENT_API_KEY={ENV_KEY}\n")
    job = {"job_type": "eval", "config_path": "eval.toml", "env_path": "eval.env"}
    (folder / "experiment.json").write_text(json.dumps({"name": "eval", "jobs": [job]}))
    done = _ok(world, *command.split()[1:], str(folder / "experiment.json"))
    world["experiment_id"] = done.stdout.strip()


@when("the operator scrapes the backend's /metrics")
def scrape_backend(world):
    world["scrape"] = scrape(world["served"].url)


@then(parsers.parse("it shows {jobs:d} job queued and {messages:d} message waiting in the queue"))
def queued(world, jobs, messages):
    found = world["scrape"]
    assert found.value("synth_ai_jobs", state="queued") == jobs
    assert found.value("synth_ai_jobs", state="running") == 0
    assert found.value("synth_ai_queue_depth", queue=world["queue_home"].queue_name) == messages
    for source in ("sessions", "experiments", "broker"):
        assert found.value("synth_ai_metrics_source_up", source=source) == 1


@when(parsers.parse('a queue worker is started with "{command}"'))
def worker_started(world, command):
    _ok(world, *command.split()[1:])
    log = world["queue_home"].home / "queue" / "worker.log"
    found = wait_for(
        lambda: log.exists() and re.search(r"metrics on (http://\S+)/metrics", log.read_text()),
        timeout=30,
    )
    world["worker_url"] = found.group(1)


@when("the experiment has completed")
def completed(world):
    def status():
        done = _ok(world, "experiment", "status", world["experiment_id"], "--format", "json")
        return json.loads(done.stdout)

    view = wait_for(lambda: (s := status())["status"] in ("completed", "failed") and s, 120, 0.5)
    assert view["status"] == "completed", view


@then(
    parsers.parse(
        "the worker's /metrics shows {jobs:d} eval job completed with {rollouts:d} rollouts "
        "and a recent heartbeat"
    )
)
def worker_metrics(world, jobs, rollouts):
    found = scrape(world["worker_url"])
    world["worker_scrape"] = found
    assert found.value("synth_ai_worker_jobs_total", kind="eval", state="completed") == jobs
    assert found.value("synth_ai_worker_rollouts_total", kind="eval") == rollouts
    assert found.value("synth_ai_worker_running_jobs") == 0
    assert time.time() - found.value("synth_ai_worker_heartbeat_timestamp_seconds") < 30


@then("the backend's /metrics shows the org's spend, the chat route's requests and no job queued")
def backend_after(world):
    found = scrape(world["served"].url)
    world["scrape"] = found
    assert found.value("synth_ai_spend_usd_total") > 0
    assert found.value("synth_ai_spend_tokens_total") > 0
    assert found.value("synth_ai_http_requests_total", route=CHAT_ROUTE, status="200") >= 4
    assert found.value("synth_ai_jobs", state="queued") == 0
    assert found.value("synth_ai_queue_depth") == 0
    assert found.value("synth_ai_queue_workers", state="live") == 1


@then("no label of either scrape holds the API key")
def no_key(world):
    for found in (world["scrape"], world["worker_scrape"]):
        assert TEST_KEY not in found.text
