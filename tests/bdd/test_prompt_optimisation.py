"""Step definitions for features/prompt_optimisation.feature: the real CLI, a real backend.

``synth-ai serve`` runs in a subprocess on the scripted model; ``synth-ai optimize`` runs in
another with ``SYNTH_BACKEND_URL`` set, so the job's sessions, interceptor trials and artifact
go through that backend as a queue worker's would. The backend's home is also the CLI's and
the queue worker's (one store), with a Redis queue of the test's own; the queue scenarios'
steps are in ``optimisation_queue_steps``.
"""

from __future__ import annotations

import json

import httpx
import pytest
import tomlkit
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.optimisation_queue_steps import *  # noqa: F403 - the queue scenarios' steps
from tests.conftest import TEST_KEY, run_cli
from tests.fakes.optimisation import (
    RULE_WORDS,
    TASK_KEY,
    arithmetic_task_app,
    prompt_learning,
    start_model,
)
from tests.support.queue import REDIS_URL, QueueHome
from tests.support.serve_process import ServeProcess

scenarios("prompt_optimisation.feature")


@pytest.fixture
def world(tmp_path):
    return {"tmp": tmp_path}


@given("a synth-ai backend is serving with a scripted model", target_fixture="server")
def server(tmp_path, world):
    upstream, model = start_model()
    queue_home = QueueHome(tmp_path / "home", REDIS_URL)
    served = ServeProcess(queue_home.home, upstream.base_url, TEST_KEY, extra_env=queue_home.env)
    world.update(model=model, queue_home=queue_home, worker_pids=set())
    world["env"] = {
        **queue_home.env,
        "SYNTH_BACKEND_URL": served.url,
        "SYNTH_API_KEY": TEST_KEY,
        "COLUMNS": "250",
    }
    yield served
    watch = world.get("watch")
    if watch is not None and watch.poll() is None:
        watch.kill()
        watch.communicate(timeout=10)
    queue_home.close()
    served.stop()
    upstream.close()


@given("a task app that grades answers by rules it explains in its feedback")
def task_app(world):
    from synth_ai.task_app.in_process import InProcessTaskApp

    with InProcessTaskApp(config=arithmetic_task_app(), api_key=TASK_KEY, port=0) as app:
        world["task_app_url"] = app.url
        yield app


def _optimize(world, kind: str, document: dict, *extra: str) -> None:
    path = world["tmp"] / f"{kind}.toml"
    path.write_text(tomlkit.dumps(document))
    world["config_path"] = str(path)
    world["done"] = run_cli("optimize", str(path), *extra, env=world["env"], timeout=240)


@when(
    parsers.parse(
        'I run "synth-ai optimize {name} --format json" for a {algorithm} job with a budget of '
        "{budget:d} rollouts"
    )
)
def optimize_with_budget(world, algorithm, budget):
    kind = algorithm.lower()
    section = {"rollout": {"budget": budget}} if kind == "gepa" else {"budget": budget}
    document = prompt_learning(kind, world["task_app_url"])
    _merge(document["prompt_learning"][kind], section)
    _optimize(world, kind, document, "--format", "json")


@when(
    parsers.parse(
        'I run "synth-ai optimize {name} --format json" for a GEPA job with a spend limit of '
        "${limit:g}"
    )
)
def optimize_with_spend_limit(world, limit):
    document = prompt_learning(
        "gepa",
        world["task_app_url"],
        max_spend_usd=limit,
        gepa__rollout={"budget": 400, "max_concurrent": 4, "minibatch_size": 3},
        gepa__proposer={"max_completion_tokens": 64},
    )
    world["limit"] = limit
    _optimize(world, "gepa", document, "--format", "json")


@when(
    parsers.parse(
        'I run "synth-ai optimize {name}" for a GEPA job whose config says "{wrong}" instead of '
        '"{right}"'
    )
)
def optimize_with_typo(world, wrong, right):
    document = prompt_learning("gepa", world["task_app_url"])
    rollout = document["prompt_learning"]["gepa"]["rollout"]
    rollout[wrong] = rollout.pop(right)
    _optimize(world, "gepa", document)


def _merge(target: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict):
            _merge(target.setdefault(key, {}), value)
        else:
            target[key] = value


def _result(world) -> dict:
    return json.loads(world["done"].stdout)


@then("the command succeeds")
def succeeds(world):
    done = world["done"]
    assert done.returncode == 0, done.stderr


@then(
    parsers.parse(
        "the job completed with a baseline score of {baseline:g} and a best score of {best:g}"
    )
)
def scores(world, baseline, best):
    result = _result(world)
    assert result["status"] == "completed"
    assert (result["baseline_score"], result["best_score"]) == (baseline, best)


@then(parsers.parse("the job ran at most {budget:d} rollouts"))
def within_budget(world, budget):
    assert 0 < _result(world)["rollouts"] <= budget


@then('"synth-ai artifacts show" on the job shows the baseline score and the learned rule')
def show_renders(world):
    shown = run_cli("artifacts", "show", _result(world)["artifact_id"], env=world["env"])
    assert shown.returncode == 0, shown.stderr
    flat = " ".join(shown.stdout.replace("│", " ").split())
    assert "baseline score 0.0000" in flat
    assert RULE_WORDS in flat


@then("the job completed because its budget was exhausted")
def budget_exhausted(world):
    result = _result(world)
    assert (result["status"], result["reason"]) == ("completed", "budget_exhausted")


@then(parsers.parse("the job's session spent no more than ${limit:g}"))
def no_overspend(world, server, limit):
    artifact = _result(world)["artifact_id"]
    job = httpx.get(
        f"{server.url}/api/artifacts/prompts/{artifact}",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
    ).json()
    sessions = httpx.get(
        f"{server.url}/api/v1/sessions",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        params={"limit": 100},
    ).json()
    spent = [
        s["current_usage"]["cost_usd"] for s in sessions if s["session_type"] == "optimisation"
    ]
    assert job["metadata"]["totals"]["spend_usd"] > 0
    assert spent and 0 < max(spent) <= limit


@then("the job's artifact holds its best prompt so far")
def best_kept(world):
    shown = run_cli(
        "artifacts", "show", _result(world)["artifact_id"], "--format", "json", env=world["env"]
    )
    detail = json.loads(shown.stdout)
    assert detail["best_snapshot_id"] and detail["best_prompt"]
    assert detail["metadata"]["stop_reason"] == "budget_exhausted"


@then(parsers.parse('the command fails with one line naming "{key}" and the file'))
def fails_naming(world, key):
    done = world["done"]
    assert done.returncode == 1
    assert key in done.stderr and world["config_path"] in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
