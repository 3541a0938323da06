"""``create_task_app`` over real Waitress: routes, JSON shapes, auth and validation."""

import httpx
import pytest
from synth_ai.task_app.in_process import InProcessTaskApp
from synth_ai.task_app.loading import load_task_app

from tests.support.scripted_upstream import Reply
from tests.support.tunnels import ENV_KEY, EXAMPLE_APP, env_key, rollout_body, upstream  # noqa: F401


@pytest.fixture(scope="module")
def example_config():
    return load_task_app(EXAMPLE_APP)


@pytest.fixture
def app(example_config, env_key):
    with InProcessTaskApp(config=example_config, port=0) as running:
        yield running


@pytest.fixture
def client(app):
    with httpx.Client(base_url=app.url, headers={"X-API-Key": ENV_KEY}, timeout=30) as http:
        yield http


def test_root_and_health_answer_without_a_key(app):
    assert httpx.get(app.url + "/").json()["service"]["task"]["id"] == "arithmetic"
    health = httpx.get(app.url + "/health").json()
    assert health["healthy"] is True and health["auth"]["configured"] is True


def test_info_describes_the_task_dataset_rubrics_inference_capabilities_and_limits(client):
    info = client.get("/info").json()
    assert info["service"]["task"] == {
        "id": "arithmetic",
        "name": "Arithmetic (exact match)",
        "version": "1.0.0",
        "description": "Integer arithmetic word problems scored against gold answers.",
    }
    assert info["dataset"]["seeds"] == {"train": 15, "test": 5}
    assert info["rubrics"]["outcome"]["criteria"][0]["id"] == "exact_answer"
    assert info["rubrics"]["events"] is None  # the public task apps' {outcome, events}
    assert set(info) == {"service", "dataset", "rubrics", "inference", "capabilities", "limits"}


@pytest.mark.parametrize(
    ("rubric", "rubrics"),
    [
        (None, None),
        ({"criteria": []}, {"outcome": {"criteria": []}, "events": None}),
        (
            {"outcome": {"criteria": [1]}, "events": {"criteria": [2]}},
            {"outcome": {"criteria": [1]}, "events": {"criteria": [2]}},
        ),
    ],
)
def test_a_rubric_is_served_as_outcome_and_events_like_the_public_task_apps(rubric, rubrics):
    from synth_ai.task_app.app import info_document, task_info_for
    from synth_ai.task_app.config import TaskAppConfig

    config = TaskAppConfig(
        "t", "T", load_task_app(EXAMPLE_APP).dataset, rollout=lambda r: {}, rubric=rubric
    )
    assert info_document(config)["rubrics"] == rubrics
    assert task_info_for(config, 0)["rubric"] == rubrics


def test_task_info_without_seeds_is_the_descriptor_and_with_seeds_one_or_a_list(client):
    assert client.get("/task_info").json()["taskset"]["id"] == "arithmetic"
    one = client.get("/task_info", params={"seed": 2}).json()
    assert one["task_metadata"] == {
        "seed": 2,
        "problem_id": "arith-02",
        "question": "What is 5 * 3?",
    }
    several = client.get("/task_info", params={"seed": [15, 16]}).json()
    assert [i["dataset"]["split"] for i in several] == ["test", "test"]
    bad = client.get("/task_info", params={"seed": "two"})
    assert bad.status_code == 422 and bad.json()["error"]["param"] == "seed"
    assert "seed must be an integer, got 'two'" in bad.json()["error"]["message"]


def test_a_rollout_calls_the_policy_with_its_prompt_and_scores_against_gold(client, upstream):
    upstream.push(Reply(text="5 * 3 = 15"), Reply(text="I think 16"))
    good = client.post(
        "/rollout", json=rollout_body(upstream.base_url, seed=2, prompt="Be exact.", model="m1")
    ).json()
    bad = client.post("/rollout", json=rollout_body(upstream.base_url, seed=2)).json()
    assert good["metrics"]["mean_return"] == 1.0 and bad["metrics"]["mean_return"] == 0.0
    step = good["trajectories"][0]["steps"][0]
    assert step["reward"] == 1.0 and step["info"] == {"predicted": 15, "gold": 15, "correct": True}
    assert (
        good["run_id"] == "run-2" and good["trajectories"][0]["inference_url"] == upstream.base_url
    )
    sent = upstream.requests[0]
    assert sent["model"] == "m1"
    assert sent["messages"] == [
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": "What is 5 * 3?"},
    ]


def test_an_invalid_rollout_payload_gets_422_with_the_path_of_the_bad_field(client):
    response = client.post("/rollout", json={"run_id": "r", "env": {"seed": "x"}, "policy": {}})
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "$.env.seed"
    missing = client.post("/rollout", json={"env": {}, "policy": {}})
    assert missing.status_code == 422 and "run_id" in missing.json()["error"]["message"]
    config_seed = client.post(
        "/rollout", json={"run_id": "r", "env": {"config": {"seed": "two"}}, "policy": {}}
    )
    assert config_seed.status_code == 422
    assert config_seed.json()["error"]["param"] == "$.env.config.seed"
    no_policy_url = client.post("/rollout", json={"run_id": "r", "env": {"seed": 1}, "policy": {}})
    assert no_policy_url.status_code == 422
    assert no_policy_url.json()["error"]["param"] == "$.policy.config.inference_url"


def test_an_async_rollout_function_is_awaited_like_the_public_task_apps_allow(env_key):
    from synth_ai.domain.task_apps.model import RolloutResponse
    from synth_ai.task_app.config import TaskAppConfig

    async def rollout(request):
        return RolloutResponse.single_step(
            request, obs={"seed": request.seed}, action={}, reward=0.5
        )

    config = TaskAppConfig("async-app", "Async", load_task_app(EXAMPLE_APP).dataset, rollout)
    with InProcessTaskApp(config=config, port=0) as running:
        response = httpx.post(
            running.url + "/rollout",
            json={"run_id": "r", "env": {"seed": 3}, "policy": {}},
            headers={"X-API-Key": ENV_KEY},
        )
    assert response.status_code == 200, response.text
    assert response.json()["metrics"]["mean_return"] == 0.5


def test_a_failing_policy_endpoint_is_reported_as_an_upstream_error(client, upstream):
    upstream.push(Reply(status=500))
    response = client.post("/rollout", json=rollout_body(upstream.base_url))
    assert response.status_code == 502
    assert "policy call to" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": ENV_KEY},
        {"X-API-Keys": f"other-key, {ENV_KEY}"},
        {"Authorization": f"Bearer {ENV_KEY}"},
    ],
)
def test_the_key_is_accepted_from_each_supported_header(app, headers):
    assert httpx.get(app.url + "/info", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Keys": "a,b"}, {"Authorization": "Bearer no"}]
)
def test_a_missing_or_wrong_key_gets_401(app, headers):
    response = httpx.get(app.url + "/info", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_a_task_app_without_a_server_key_answers_503_naming_the_variable(
    example_config, monkeypatch
):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.task_app.app import create_task_app

    monkeypatch.delenv("ENVIRONMENT_API_KEY", raising=False)
    with BackgroundServer.start(create_task_app(example_config), "127.0.0.1", 0) as server:
        info = httpx.get(server.url + "/info", headers={"X-API-Key": "anything"})
        health = httpx.get(server.url + "/health")
    assert info.status_code == 503
    assert "ENVIRONMENT_API_KEY is not set" in info.json()["error"]["message"]
    assert health.status_code == 503 and health.json()["healthy"] is False
