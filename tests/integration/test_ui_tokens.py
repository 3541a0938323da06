"""``POST /api/v1/ui/tokens`` on a real backend: a short-lived token that acts as its key."""

from __future__ import annotations

import json
import time

import pytest
from dependency_injector import providers

from tests.fakes.experiments import RecordingJobQueue
from tests.support.queue import write_experiment

OTHER_ORG_KEY = "sk-synth-test-other-org-key"


@pytest.fixture
def settings(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(OTHER_ORG_KEY, "org_other", "user_x"))
    settings.document["ui"] = {"token_ttl_s": 300}
    return settings


@pytest.fixture
def container(container):
    container.job_queue.override(providers.Object(RecordingJobQueue()))
    return container


def mint(backend, credential, **body) -> dict:
    with backend.client(credential) as http:
        response = http.post("/api/v1/ui/tokens", json=body or None)
    assert response.status_code == 201, response.text
    return response.json()


def submit(backend, tmp_path) -> str:
    path = write_experiment(tmp_path / "exp", jobs=1, parallelism=1)
    data = json.loads(path.read_text())
    for job in data["jobs"]:
        job["config_path"] = str(path.parent / job["config_path"])
        job["env_path"] = str(path.parent / job["env_path"])
    with backend.client() as http:
        return http.post("/api/experiments", json=data).json()["experiment_id"]


def test_a_token_acts_as_the_key_that_minted_it_until_it_expires(backend, tmp_path):
    experiment_id = submit(backend, tmp_path)
    minted = mint(backend, backend.api_key)
    assert minted["url_path"] == f"/ui/#token={minted['token']}"
    assert 299 <= minted["expires_in_s"] <= 300 and minted["expires_at"].endswith("Z")
    assert (minted["org_id"], minted["user_id"]) == ("org_test", "user_test")
    with backend.client(minted["token"]) as page:
        assert page.get(f"/api/experiments/{experiment_id}").status_code == 200
        canceled = page.post(f"/api/experiments/{experiment_id}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"


def test_another_orgs_token_sees_nothing_of_this_org(backend, tmp_path):
    experiment_id = submit(backend, tmp_path)
    token = mint(backend, OTHER_ORG_KEY)["token"]
    with backend.client(token) as other:
        assert other.get(f"/api/experiments/{experiment_id}").status_code == 404
        assert other.post(f"/api/experiments/{experiment_id}/cancel").status_code == 404
        assert other.get("/api/experiments").json() == {"experiments": []}


def test_the_default_lifetime_is_the_configured_one_and_a_shorter_one_may_be_asked(backend):
    assert mint(backend, backend.api_key)["expires_in_s"] == pytest.approx(300, abs=1)
    assert mint(backend, backend.api_key, ttl_s=30)["expires_in_s"] == pytest.approx(30, abs=1)


def test_a_token_never_mints_one_that_outlives_it(backend):
    short = mint(backend, backend.api_key, ttl_s=20)
    again = mint(backend, short["token"])  # asks for the default 300 s
    assert again["expires_at"] <= short["expires_at"]
    assert again["expires_in_s"] <= 20


def test_an_expired_token_is_refused_with_the_openai_error_body(backend):
    token = mint(backend, backend.api_key, ttl_s=0.5)["token"]
    time.sleep(0.8)
    with backend.client(token) as page:
        response = page.get("/api/experiments")
    assert response.status_code == 401
    error = response.json()["error"]
    assert "UI token expired" in error["message"] and "synth-ai ui" in error["message"]
    assert error["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "garble",
    [
        lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),  # forged signature
        lambda t: t.replace("sui1.", "sui1.e30", 1),  # changed payload
        lambda t: "sui1.not-a-token",
        lambda t: "sui1.%%%.%%%",
    ],
)
def test_a_garbled_or_forged_token_is_refused(backend, garble):
    token = mint(backend, backend.api_key)["token"]
    with backend.client(garble(token)) as page:
        response = page.get("/api/v1/me")
    assert response.status_code == 401
    assert "invalid UI token" in response.json()["error"]["message"]


def test_a_token_cannot_be_minted_without_a_key(backend):
    with backend.client(api_key=None) as http:
        assert http.post("/api/v1/ui/tokens").status_code == 401


@pytest.mark.parametrize("ttl", [0, -5, 10_000, "60", True, None])
def test_a_bad_lifetime_is_refused_in_one_line(backend, ttl):
    with backend.client() as http:
        response = http.post("/api/v1/ui/tokens", json={"ttl_s": ttl})
    if ttl is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert "ttl_s must be seconds in (0, 300]" in response.json()["error"]["message"]


def test_an_unknown_field_is_refused(backend):
    with backend.client() as http:
        response = http.post("/api/v1/ui/tokens", json={"ttl": 60})
    assert response.status_code == 400 and "'ttl'" in response.json()["error"]["message"]
