"""Fixtures for the dashboard in real headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright;
no browser is ever downloaded), against a real ``synth-ai serve`` on Waitress whose experiments a
real queue worker runs: GEPA jobs against an in-process task app and a scripted model.

One stack per test module (mark the module ``xdist_group`` to keep it on one pytest worker);
screenshots go to ``$SYNTH_AI_TEST_ARTIFACTS`` (default ``test-artifacts/``, git-ignored). Used by
tests/browser and the bdd binding of features/dashboard.feature.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import tomlkit

from tests.conftest import TEST_KEY, run_cli
from tests.fakes.optimisation import TASK_KEY, arithmetic_task_app, prompt_learning, start_model
from tests.support.queue import REDIS_URL, QueueHome
from tests.support.serve_process import ServeProcess

CHROMIUM = os.environ.get("SYNTH_AI_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
OTHER_ORG_KEY = "sk-synth-test-key-of-another-org"
TIMEOUT_MS = 20_000
SLOW_CALL_S = 0.25  # the scripted model's delay, so a job is seen running for a few seconds
ROOT = Path(__file__).resolve().parents[2]


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("SYNTH_AI_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Stack:
    """The served backend, its worker and what the tests submit to it."""

    def __init__(self, tmp: Path, served: ServeProcess, env: dict, task_app_url: str, model):
        self.tmp, self.served, self.env = tmp, served, env
        self.url = served.url
        self.task_app_url = task_app_url
        self.model = model

    def api(self, method: str, path: str, key: str | None = TEST_KEY, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def submit(self, name: str, jobs: int = 1, **sections) -> str:
        """An experiment of GEPA jobs, submitted over HTTP; its id."""
        config = self.tmp / f"{name}.toml"
        config.write_text(tomlkit.dumps(prompt_learning("gepa", self.task_app_url, **sections)))
        body = {
            "name": name,
            "parallelism": 1,
            "jobs": [{"job_type": "gepa", "config_path": str(config)} for _ in range(jobs)],
        }
        response = self.api("POST", "/api/experiments", json=body)
        assert response.status_code == 201, response.text
        return response.json()["experiment_id"]

    def experiment(self, experiment_id: str) -> dict:
        response = self.api("GET", f"/api/experiments/{experiment_id}")
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    upstream, model = start_model(delay=SLOW_CALL_S)
    queue_home = QueueHome(tmp / "home", REDIS_URL)
    from synth_ai.task_app.in_process import InProcessTaskApp

    task_app = InProcessTaskApp(config=arithmetic_task_app(), api_key=TASK_KEY, port=0)
    task_app.__enter__()
    config = queue_home.home / "config.toml"
    document = tomlkit.parse(config.read_text(encoding="utf-8"))
    document["server"] = {
        "api_keys": [
            {"key": TEST_KEY, "org_id": "org_test", "user_id": "user_test"},
            {"key": OTHER_ORG_KEY, "org_id": "org_other", "user_id": "user_other"},
        ]
    }
    # The task app's free port is the scan's whole range: the workers page finds it by its port.
    document["ui"] = {"scan_ports": f"{task_app.port}:{task_app.port}"}
    config.write_text(tomlkit.dumps(document), encoding="utf-8")
    served = ServeProcess(
        queue_home.home,
        upstream.base_url,
        TEST_KEY,
        extra_env={**queue_home.env, "ENVIRONMENT_API_KEY": TASK_KEY},
    )
    env = {**queue_home.env, "SYNTH_BACKEND_URL": served.url, "SYNTH_API_KEY": TEST_KEY}
    try:
        started = run_cli("queue", "start", "--background", env=env, timeout=60)
        assert started.returncode == 0, started.stderr + started.stdout
        yield Stack(tmp, served, env, task_app.url, model)
    finally:
        queue_home.close()
        served.stop()
        task_app.__exit__(None, None, None)
        upstream.close()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the dashboard's browser tests need Debian's chromium — "
            "run scripts/test (it installs it as root) or apt-get install -y chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    console = []
    opened.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    opened.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    yield opened
    if getattr(request.node, "failed_call", False):  # what the page looked like, for the reader
        screenshot(opened, f"failed-{request.node.name}")
        (artifacts_dir() / f"failed-{request.node.name}.log").write_text("\n".join(console))
    context.close()


def sign_in(page, url: str, key: str = TEST_KEY) -> None:
    page.goto(f"{url}/ui")
    page.fill("#api-key", key)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#top:not([hidden])")


def screenshot(page, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
