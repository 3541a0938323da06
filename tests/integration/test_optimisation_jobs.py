"""GEPA and MIPRO jobs against a scripted task app and scripted models, through a real backend.

The scripted policy answers right only when its prompt carries what the grader's feedback
asks for, so a search that did nothing would stay at the baseline score of 0.
"""

from __future__ import annotations

import contextlib

import attrs
import httpx
import pytest
from synth_ai.domain.artifacts.prompts import best_prompt
from synth_ai.optimise.runners import BackendLink, OptimisationRunner

from tests.conftest import TEST_KEY
from tests.fakes.jobs import FakeJobContext, WorkerKilled
from tests.fakes.optimisation import (
    RULE_PREFIX,
    RULE_WORDS,
    TASK_KEY,
    arithmetic_task_app,
    prompt_learning,
    start_model,
)


@pytest.fixture
def model(settings):
    upstream, scripted = start_model()
    settings.upstream_url = upstream.base_url
    scripted.upstream = upstream
    yield scripted
    upstream.close()


@pytest.fixture
def task_app():
    from synth_ai.task_app.in_process import InProcessTaskApp

    with InProcessTaskApp(config=arithmetic_task_app(), api_key=TASK_KEY, port=0) as app:
        yield app


@pytest.fixture
def runner(model, backend, settings):
    def make(kind: str) -> OptimisationRunner:
        @contextlib.contextmanager
        def link(_settings):
            from synth_ai.adapters.backend_http import BackendClient

            client = BackendClient(backend.url, TEST_KEY, timeout=60)
            try:
                yield BackendLink(client, backend.url)
            finally:
                client.close()

        return OptimisationRunner(kind, attrs.evolve(settings), backend=link)

    return make


def catalog(backend):
    return backend.container.artifact_catalog(org_id="org_test")


def session_usage(backend, session_id: str):
    return backend.container.session_store().get("org_test", session_id)


def run_job(runner, kind, config, tmp_path, **ctx_args):
    ctx = FakeJobContext(config, workdir=tmp_path, **ctx_args)
    return runner(kind).run(ctx), ctx


@pytest.mark.parametrize("kind", ["gepa", "mipro"])
def test_the_search_raises_the_validation_score_from_the_baseline_to_the_ceiling_within_its_budget(
    kind, runner, task_app, backend, model, tmp_path
):
    config = prompt_learning(kind, task_app.url)
    budget = 60 if kind == "gepa" else 120

    outcome, ctx = run_job(runner, kind, config, tmp_path)

    assert outcome.status == "completed", outcome
    result = outcome.result
    assert result["baseline_score"] == 0.0
    assert result["best_score"] == 1.0
    assert result["rollouts"] <= budget
    # Every policy call of every rollout went through the interceptor to the model.
    assert model.calls["policy"] == result["rollouts"]
    assert model.calls["reflection" if kind == "gepa" else "proposer"] >= 1
    job = catalog(backend).get_prompt_job(result["artifact_id"])
    assert job.status == "succeeded" and job.algorithm == kind
    assert job.metadata["baseline_score"] == 0.0
    curve = job.metadata["learning_curve"]
    assert curve[0][1] == 0.0 and curve[-1][1] == 1.0
    assert any(point[1] == 0.5 for point in curve)  # one rule at a time: 0 → 0.5 → 1
    assert [point[0] for point in curve] == sorted(point[0] for point in curve)
    snapshots = catalog(backend).list_snapshots(result["artifact_id"])
    assert len(snapshots) == result["candidates"] >= 2
    best = catalog(backend).get_snapshot(result["artifact_id"], job.best_snapshot_id)
    assert best.score == 1.0
    messages = best_prompt(best.payload)
    system = " ".join(m.content for m in messages if m.role == "system")
    demo_prefix = any(m.role == "assistant" and m.content.startswith("ANSWER:") for m in messages)
    assert RULE_WORDS in system and (RULE_PREFIX in system or demo_prefix)
    assert ctx.events and ctx.events[-1]["best_score"] == 1.0
    assert ctx.events[-1]["done"] == result["rollouts"]


def test_a_job_stops_at_its_spend_limit_keeps_its_best_and_never_overspends(
    runner, task_app, backend, tmp_path
):
    limit = 0.003
    config = prompt_learning(
        "gepa",
        task_app.url,
        max_spend_usd=limit,
        gepa__rollout={"budget": 400, "max_concurrent": 4, "minibatch_size": 3},
        gepa__proposer={"max_completion_tokens": 64},
    )

    outcome, ctx = run_job(runner, "gepa", config, tmp_path)

    assert (outcome.status, outcome.reason) == ("completed", "budget_exhausted")
    assert outcome.result["best_score"] is not None
    assert outcome.result["rollouts"] < 400
    session = session_usage(backend, outcome.result["session_id"])
    assert 0 < session.used.cost_usd <= limit
    assert session.reserved.cost_usd == 0
    job = catalog(backend).get_prompt_job(outcome.result["artifact_id"])
    assert job.status == "succeeded" and job.best_snapshot_id is not None
    assert job.metadata["stop_reason"] == "budget_exhausted"


def test_a_job_stops_at_its_rollout_budget_without_starting_a_batch_it_cannot_finish(
    runner, task_app, model, tmp_path
):
    config = prompt_learning(
        "gepa",
        task_app.url,
        gepa__rollout={"budget": 10, "max_concurrent": 2, "minibatch_size": 3},
    )

    outcome, _ = run_job(runner, "gepa", config, tmp_path)

    assert (outcome.status, outcome.reason) == ("completed", "budget_exhausted")
    assert outcome.result["rollouts"] <= 10
    assert model.calls["policy"] == outcome.result["rollouts"]


@pytest.mark.parametrize("kind", ["gepa", "mipro"])
def test_a_rerun_after_the_worker_died_resumes_and_runs_fewer_rollouts_than_a_fresh_run(
    kind, runner, task_app, model, backend, tmp_path
):
    config = prompt_learning(kind, task_app.url)
    fresh, _ = run_job(runner, kind, config, tmp_path / "fresh", job_id="job_fresh")
    (tmp_path / "resumed").mkdir()

    dying = FakeJobContext(
        config, workdir=tmp_path / "resumed", job_id="job_resumed", die_after_rollouts=12
    )
    with pytest.raises(WorkerKilled):
        runner(kind).run(dying)
    saved = dying.checkpoint
    assert len(saved["rollouts"]) >= 12
    rerun = FakeJobContext(
        config, workdir=tmp_path / "resumed", job_id="job_resumed", attempt=2, checkpoint=saved
    )
    outcome = runner(kind).run(rerun)

    assert outcome.status == "completed"
    assert outcome.result["best_score"] == fresh.result["best_score"] == 1.0
    assert outcome.result["rollouts"] == fresh.result["rollouts"]
    assert outcome.result["learning_curve"] == fresh.result["learning_curve"]
    assert outcome.result["rollouts_this_attempt"] < fresh.result["rollouts_this_attempt"]
    assert outcome.result["rollouts_this_attempt"] == fresh.result["rollouts"] - len(
        saved["rollouts"]
    )
    assert outcome.result["artifact_id"] == saved["extra"]["artifact_id"]


def test_a_canceled_job_stops_at_the_next_rollout_and_records_its_best_so_far(
    runner, task_app, backend, model, tmp_path
):
    config = prompt_learning("mipro", task_app.url)

    outcome, _ = run_job(runner, "mipro", config, tmp_path, cancel_after_rollouts=8)

    assert (outcome.status, outcome.reason) == ("failed", "canceled")
    assert outcome.result["rollouts"] < 20
    job = catalog(backend).get_prompt_job(outcome.result["artifact_id"])
    assert job.status == "canceled"
    assert job.metadata["baseline_score"] == 0.0


@pytest.mark.parametrize("reads", ["string", "messages"])
def test_a_task_app_that_builds_its_messages_from_the_prompt_gets_no_doubled_demos(
    reads, runner, model, tmp_path
):
    from synth_ai.task_app.in_process import InProcessTaskApp

    app_config = arithmetic_task_app(reads_prompt=reads)
    with InProcessTaskApp(config=app_config, api_key=TASK_KEY, port=0) as app:
        outcome, _ = run_job(runner, "mipro", prompt_learning("mipro", app.url), tmp_path)

    assert outcome.status == "completed"
    assert (outcome.result["baseline_score"], outcome.result["best_score"]) == (0.0, 1.0)
    policy_requests = [
        body for body in model.upstream.requests if "What is" in body["messages"][-1]["content"]
    ]
    with_demos = [b for b in policy_requests if len(b["messages"]) > 2]
    assert with_demos, "the search never tried demonstrations"
    for body in with_demos:
        turns = [(m["role"], m["content"]) for m in body["messages"]]
        assert len(turns) == len(set(turns)), "a demonstration was sent twice"


def test_a_worker_without_a_backend_url_starts_one_in_process_for_the_job_and_stops_it_after(
    model, task_app, settings, tmp_path
):
    from synth_ai.container import create_container
    from synth_ai.optimise.runners import backend_for

    assert settings.backend_url is None
    urls = []

    @contextlib.contextmanager
    def recorded(worker_settings):
        with backend_for(worker_settings) as link:
            urls.append(link.url)
            yield link

    runner = OptimisationRunner("gepa", attrs.evolve(settings), backend=recorded)
    outcome = runner.run(FakeJobContext(prompt_learning("gepa", task_app.url), workdir=tmp_path))

    assert outcome.status == "completed", outcome
    assert outcome.result["best_score"] == 1.0
    assert model.calls["policy"] == outcome.result["rollouts"]
    (url,) = urls
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):  # stopped with its job
        httpx.get(url + "/health", timeout=2)
    # The job's pl_ artifact is in the worker's own home, where `synth-ai artifacts` looks.
    container = create_container(settings)
    try:
        job = container.artifact_catalog(org_id="org_test").get_prompt_job(
            outcome.result["artifact_id"]
        )
    finally:
        container.shutdown_resources()
    assert job.status == "succeeded"
