"""``GET /api/experiments/{id}/events`` on real Waitress: frames on change, end, admission."""

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
    settings.document["ui"] = {"events_poll_s": 0.05, "events_keepalive_s": 0.3, "events_max_s": 20}
    return settings


@pytest.fixture
def container(container):
    container.job_queue.override(providers.Object(RecordingJobQueue()))
    return container


@pytest.fixture
def experiment(backend, tmp_path) -> dict:
    path = write_experiment(tmp_path / "exp", jobs=2, parallelism=1)
    data = json.loads(path.read_text())
    for job in data["jobs"]:
        job["config_path"] = str(path.parent / job["config_path"])
        job["env_path"] = str(path.parent / job["env_path"])
    with backend.client() as http:
        return http.post("/api/experiments", json=data).json()


def events(response):
    """(event, data) for each frame, ``(":", text)`` for each comment line."""
    name, data = None, []
    for line in response.iter_lines():
        if line.startswith(":"):
            yield ":", line[1:].strip()
        elif line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
        elif line == "" and name is not None:
            yield name, json.loads("\n".join(data))
            name, data = None, []


def test_the_stream_sends_the_experiment_then_each_change_then_ends_when_it_is_terminal(
    backend, experiment
):
    eid = experiment["experiment_id"]
    job_id = experiment["jobs"][0]["job_id"]
    store = backend.container.experiment_store()
    seen = []
    with backend.client() as http, http.stream("GET", f"/api/experiments/{eid}/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for name, data in events(stream):
            seen.append((name, data))
            if name != "experiment":
                continue
            if len([s for s in seen if s[0] == "experiment"]) == 1:
                assert data == http.get(f"/api/experiments/{eid}").json()
                store.record_progress(job_id, {"done": 3, "total": 10}, time.time())
            elif data["jobs"][0]["rollouts_done"] == 3 and data["status"] != "canceled":
                assert data["jobs"][0]["rollout_budget"] == 10
                http.post(f"/api/experiments/{eid}/cancel")
    frames = [name for name, _ in seen if name != ":"]
    assert frames[-1] == "end" and seen[-1][1] == {"reason": "terminal"}
    assert frames.count("experiment") == 3  # first, the progress, the cancel
    assert [d for n, d in seen if n == "experiment"][-1]["status"] == "canceled"


def test_a_quiet_stream_sends_keepalives_and_ends_after_its_longest_life(
    backend, experiment, settings
):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.app import build_app
    from synth_ai.settings.ui import UiSettings

    quick = UiSettings(events_poll_s=0.05, events_keepalive_s=0.2, events_max_s=1.0)
    backend.container.ui_settings.override(providers.Object(quick))

    app, _ = build_app(backend.container)
    server = BackgroundServer.start(app, "127.0.0.1", 0, threads=4)
    try:
        import httpx

        headers = {"Authorization": f"Bearer {backend.api_key}"}
        url = f"{server.url}/api/experiments/{experiment['experiment_id']}/events"
        with httpx.stream("GET", url, headers=headers, timeout=10) as stream:
            seen = list(events(stream))
    finally:
        server.close()
    names = [name for name, _ in seen]
    assert names[0] == "experiment" and names.count("experiment") == 1
    assert ":" in names and seen[names.index(":")][1] == "keepalive"
    assert seen[-1] == ("end", {"reason": "max_duration"})


def test_another_orgs_key_gets_a_404_before_any_stream(backend, experiment):
    with backend.client(OTHER_ORG_KEY) as other:
        response = other.get(f"/api/experiments/{experiment['experiment_id']}/events")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "no experiment" in response.json()["error"]["message"]


def test_a_stream_without_a_key_is_refused(backend, experiment):
    with backend.client(api_key=None) as http:
        response = http.get(f"/api/experiments/{experiment['experiment_id']}/events")
    assert response.status_code == 401


def test_streams_count_against_the_per_key_cap_of_admission_control(backend, experiment, settings):
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.http.admission import admitted
    from synth_ai.http.app import build_app

    settings.document["server"] = {"max_requests_per_key": 1}
    app, _ = build_app(backend.container)
    server = BackgroundServer.start(admitted(app, settings, 8), "127.0.0.1", 0, threads=8)
    import httpx

    headers = {"Authorization": f"Bearer {backend.api_key}"}
    url = f"{server.url}/api/experiments/{experiment['experiment_id']}/events"
    try:
        with httpx.stream("GET", url, headers=headers, timeout=10) as first:
            assert first.status_code == 200
            next(first.iter_lines())  # the stream is open and holds its slot
            second = httpx.get(url, headers=headers, timeout=10)
            assert second.status_code == 429
            assert second.headers["Retry-After"]
            assert "requests open" in second.json()["error"]["message"]
    finally:
        server.close()
