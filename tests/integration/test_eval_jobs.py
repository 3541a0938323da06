"""The ``eval`` job kind on the real thing: the arithmetic task app in process, a real backend
with a scripted upstream, rollouts metered in the job's session with its budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synth_ai.adapters.job_runners import EvalRunner
from synth_ai.adapters.sqlite import Database
from synth_ai.adapters.sqlite.experiments import SqliteExperimentStore
from synth_ai.adapters.system import RandomIds, SystemClock
from synth_ai.adapters.system.job_files import LocalJobFiles
from synth_ai.adapters.wire.experiments import parse_request
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.experiments.service import Experiments
from synth_ai.task_app import InProcessTaskApp

from tests.fakes.experiments import RecordingJobQueue
from tests.support.scripted_upstream import Reply
from tests.support.tunnels import ENV_KEY, env_key  # noqa: F401  (fixture)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arithmetic_task_app.py"


def eval_experiment(folder: Path, task_app_url: str, *, seeds, budget: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "eval.toml").write_text(
        f'[eval]\ntask_app_url = "{task_app_url}"\nseeds = {json.dumps(seeds)}\n'
        f'model = "synth-small"\nconcurrency = 2\n{budget}',
        encoding="utf-8",
    )
    (folder / "eval.env").write_text(f"ENVIRONMENT_API_KEY={ENV_KEY}\n")
    path = folder / "experiment.json"
    path.write_text(
        json.dumps(
            {
                "name": "eval",
                "jobs": [{"job_type": "eval", "config_path": "eval.toml", "env_path": "eval.env"}],
            }
        )
    )
    return path


def experiments_for(tmp_path, backend) -> Experiments:
    runner = EvalRunner(backend_url=backend.url, api_key=backend.api_key)
    return Experiments(
        SqliteExperimentStore(Database(tmp_path / "q.db")),
        RecordingJobQueue(),
        LocalJobFiles(),
        {"eval": runner},
        SystemClock(),
        RandomIds(),
    )


def run_one(experiments: Experiments, path: Path, tmp_path: Path):
    request = parse_request(json.loads(path.read_text()), source=str(path))
    view = experiments.submit(request, org_id="org_test", base_dir=path.parent, source=str(path))
    (job,) = experiments.queue.take()
    experiments.run_job(job.job_id, "w1", lambda j: tmp_path / "jobs" / j.job_id)
    return experiments.status(view.experiment.experiment_id, org_id="org_test").jobs[0]


@pytest.fixture
def task_app(env_key):  # noqa: F811
    with InProcessTaskApp(task_app_path=EXAMPLE, port=0) as app:
        yield app


def test_an_eval_job_stores_per_seed_scores_and_their_mean(tmp_path, upstream, backend, task_app):
    upstream.responder = lambda body: Reply(
        text="28" if "22 + 6" in body["messages"][-1]["content"] else "0",
        usage={"prompt_tokens": 20, "completion_tokens": 2},
    )
    path = eval_experiment(tmp_path / "exp", task_app.url, seeds=[0, 1, 2, 3])
    job = run_one(experiments_for(tmp_path, backend), path, tmp_path)
    assert job.status == "completed", job.reason
    assert job.result["scores"] == {"0": 1.0, "1": 0.0, "2": 0.0, "3": 0.0}
    assert job.result["mean_score"] == 0.25
    assert (job.progress["done"], job.progress["total"], job.progress["best_score"]) == (4, 4, 1.0)
    with backend.client() as http:
        usage = http.get(f"/api/v1/sessions/{job.result['session_id']}/usage").json()
    calls = {r["reference_id"] for r in usage if r["session_id"] == job.result["session_id"]}
    assert len(calls) == 4  # four metered policy calls, in the job's own session


def test_an_eval_job_stops_at_its_budget(tmp_path, upstream, backend, task_app):
    upstream.responder = lambda body: Reply(
        text="0", usage={"prompt_tokens": 20, "completion_tokens": 2}
    )
    path = eval_experiment(
        tmp_path / "exp",
        task_app.url,
        seeds=list(range(6)),
        budget="[eval.budget]\napi_calls = 2\n",
    )
    job = run_one(experiments_for(tmp_path, backend), path, tmp_path)
    assert job.status == "completed" and job.reason == "budget_exhausted"
    assert len(job.result["scores"]) == 2 and len(job.result["errors"]) == 4


def test_an_eval_config_without_seeds_is_refused_at_submit(tmp_path, backend):
    path = eval_experiment(tmp_path / "exp", "http://127.0.0.1:9", seeds=[])
    request = parse_request(json.loads(path.read_text()), source=str(path))
    with pytest.raises(InvalidInput, match=r"jobs\[0\]: .*eval.toml: eval.seeds is empty"):
        experiments_for(tmp_path, backend).submit(
            request, org_id="org_test", base_dir=path.parent, source=str(path)
        )
