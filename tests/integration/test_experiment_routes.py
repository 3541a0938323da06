"""``/api/experiments…`` on a real backend: auth, org scoping, wire shapes, error bodies."""

from __future__ import annotations

import json

import pytest
from dependency_injector import providers

from tests.fakes.experiments import RecordingJobQueue
from tests.support.queue import write_experiment

OTHER_ORG_KEY = "sk-synth-test-other-org-key"


@pytest.fixture
def settings(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(OTHER_ORG_KEY, "org_other", "user_x"))
    return settings


@pytest.fixture
def container(container):
    container.job_queue.override(providers.Object(RecordingJobQueue()))
    return container


@pytest.fixture
def document(tmp_path):
    path = write_experiment(tmp_path / "exp", jobs=2, parallelism=1)
    data = json.loads(path.read_text())
    for job in data["jobs"]:
        job["config_path"] = str(path.parent / job["config_path"])
        job["env_path"] = str(path.parent / job["env_path"])
    return data


def test_submit_answers_201_with_iso_times_and_every_job(backend, document):
    with backend.client() as http:
        response = http.post("/api/experiments", json=document)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and body["created_at"].endswith("Z")
    assert [j["index"] for j in body["jobs"]] == [0, 1]
    assert body["job_counts"] == {"queued": 2}


def test_an_experiment_of_one_org_is_invisible_to_another(backend, document):
    with backend.client() as http:
        eid = http.post("/api/experiments", json=document).json()["experiment_id"]
    with backend.client(OTHER_ORG_KEY) as other:
        assert other.get(f"/api/experiments/{eid}").status_code == 404
        assert other.post(f"/api/experiments/{eid}/cancel").status_code == 404
        assert other.get("/api/experiments").json() == {"experiments": []}


def test_requests_without_a_key_are_refused(backend):
    with backend.client(api_key=None) as http:
        assert http.get("/api/experiments").status_code == 401


def test_a_malformed_experiment_gets_a_422_naming_the_path(backend, document):
    document["parallelism"] = "three"
    document["extra"] = 1
    with backend.client() as http:
        response = http.post("/api/experiments", json=document)
    assert response.status_code == 422
    error = response.json()["error"]
    assert "expected int @ $.parallelism" in error["message"]
    assert error["type"] == "invalid_request_error"


def test_logs_page_by_offset(backend, document):
    with backend.client() as http:
        job_id = http.post("/api/experiments", json=document).json()["jobs"][0]["job_id"]
        backend.container.experiment_store().append_log(job_id, ["a", "b", "c"])
        first = http.get(f"/api/experiments/jobs/{job_id}/logs").json()
        rest = http.get(f"/api/experiments/jobs/{job_id}/logs", params={"offset": 2}).json()
    assert (first["lines"], first["next_offset"]) == (["a", "b", "c"], 3)
    assert (rest["lines"], rest["next_offset"]) == (["c"], 3)
