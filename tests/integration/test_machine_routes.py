"""``/api/queue/workers`` and ``/api/task-apps`` through real Waitress: the same JSON as
``synth-ai queue status`` and ``synth-ai scan``, org-scoped job ids, a cached scan."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from dependency_injector import providers
from synth_ai import InProcessTaskApp
from synth_ai.adapters.records_file import ServicesFile
from synth_ai.domain.task_apps.deployments import ServiceRecord
from synth_ai.ports.experiments import WorkerRecord

from tests.fakes.experiments import RecordingJobQueue
from tests.support.queue import write_experiment
from tests.support.tunnels import env_key  # noqa: F401  (fixture)

OTHER_ORG_KEY = "sk-synth-test-other-org-key"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arithmetic_task_app.py"


@pytest.fixture
def settings(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(OTHER_ORG_KEY, "org_other", "user_x"))
    settings.document["ui"] = {"scan_cache_s": 60}
    return settings


@pytest.fixture
def container(container):
    container.job_queue.override(providers.Object(RecordingJobQueue()))
    return container


def submit(backend, folder, key) -> str:
    path = write_experiment(folder, jobs=1, parallelism=1)
    data = json.loads(path.read_text())
    for job in data["jobs"]:
        job["config_path"] = str(path.parent / job["config_path"])
        job["env_path"] = str(path.parent / job["env_path"])
    with backend.client(key) as http:
        return http.post("/api/experiments", json=data).json()["jobs"][0]["job_id"]


def test_workers_are_the_rows_of_queue_status_with_only_your_orgs_jobs(
    backend, tmp_path, cli, synth_home
):
    mine = submit(backend, tmp_path / "mine", backend.api_key)
    theirs = submit(backend, tmp_path / "theirs", OTHER_ORG_KEY)
    now = time.time()
    store = backend.container.experiment_store()
    store.heartbeat_worker(
        WorkerRecord(
            "w-1",
            "host-a",
            4242,
            2,
            "redis://u:secret@h:6379/0",
            "/h",
            (mine, theirs),
            now - 60,
            now - 1,
        )
    )
    store.heartbeat_worker(
        WorkerRecord("w-2", "host-b", 4343, 1, "redis://h:6379/0", "/h", (), now - 600, now - 300)
    )
    with backend.client() as http:
        mine_view = http.get("/api/queue/workers").json()
    with backend.client(OTHER_ORG_KEY) as http:
        their_view = http.get("/api/queue/workers").json()
    printed = cli("queue", "status", "--format", "json", env={"SYNTH_AI_HOME": str(synth_home)})
    assert printed.returncode == 0, printed.stderr
    by_id = {w["worker_id"]: w for w in mine_view["workers"]}
    assert by_id["w-1"]["running"] == [mine] and by_id["w-1"]["stale"] is False
    assert by_id["w-1"]["broker"] == "redis://u:***@h:6379/0"
    assert by_id["w-2"]["stale"] is True and by_id["w-2"]["heartbeat_age_s"] >= 300
    assert {w["worker_id"]: w["running"] for w in their_view["workers"]}["w-1"] == [theirs]

    def without_age(view):
        return [
            {k: v for k, v in w.items() if k not in ("heartbeat_age_s", "running")}
            for w in view["workers"]
        ]

    cli_view = json.loads(printed.stdout)
    assert without_age(cli_view) == without_age(mine_view)
    assert {w["worker_id"]: w["running"] for w in cli_view["workers"]}["w-1"] == [mine, theirs]


@pytest.fixture
def recorded_app(env_key, synth_home):  # noqa: F811
    with InProcessTaskApp(task_app_path=EXAMPLE, port=0) as app:
        ServicesFile(synth_home / "services.json").add(
            ServiceRecord(
                id="svc_dash",
                url=app.url,
                port=app.port,
                type="local",
                pid=os.getpid(),
                created_at=time.time(),
                local_url=app.url,
                app_id="arithmetic",
            )
        )
        yield app


def test_task_apps_are_what_scan_finds_with_health_and_the_scan_is_cached(backend, recorded_app):
    with backend.client() as http:
        first = http.get("/api/task-apps", timeout=60)
        again = http.get("/api/task-apps", timeout=60)
    assert first.status_code == 200
    body = first.json()
    found = [a for a in body["apps"] if a["record_id"] == "svc_dash"]
    assert found and found[0]["health_status"] == "healthy", body
    assert {"total_found", "healthy", "unhealthy"} <= body["scan_summary"].keys()
    assert body["scanned_at"].endswith("Z")
    assert again.json() == body  # within [ui] scan_cache_s: the same scan, no new sweep


def test_workers_and_task_apps_need_a_key(backend):
    with backend.client(api_key=None) as http:
        assert http.get("/api/queue/workers").status_code == 401
        assert http.get("/api/task-apps").status_code == 401
