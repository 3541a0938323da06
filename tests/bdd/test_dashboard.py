"""features/dashboard.feature in real headless Chromium against a real ``synth-ai serve`` and a
real queue worker (the browser tests' stack: tests/support/dashboard.py)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, scenarios, then, when

from tests.support.dashboard import (  # noqa: F401 - the shared fixtures
    OTHER_ORG_KEY,
    browser,
    page,
    sign_in,
    stack,
)
from tests.support.queue import wait_for

scenarios("dashboard.feature")
pytestmark = pytest.mark.xdist_group("dashboard-bdd")

BUDGET = {"budget": 24, "max_concurrent": 2, "minibatch_size": 3}
FINISHED = ("completed", "failed", "canceled")


@pytest.fixture
def world():
    return {}


@given("a synth-ai backend serving the dashboard, with a queue worker and a scripted model")
def backend(stack):
    assert stack.api("GET", "/health").status_code == 200


@when("I open /ui without signing in")
def open_signed_out(stack, page, world):
    world["answered"] = []
    page.on(
        "response",
        lambda r: world["answered"].append(r.status) if "/api/" in r.url else None,
    )
    page.goto(f"{stack.url}/ui#/experiments")


@then("I see the sign-in form")
def sign_in_form(page):
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.locator("#top").is_hidden()


@then("no data request succeeded")
def no_data(page, world):
    assert page.locator("#view table").count() == 0
    assert all(status == 401 for status in world["answered"]), world["answered"]


@given("I signed in with my API key")
def signed_in(stack, page):
    sign_in(page, stack.url)


@when("I submit an experiment of one GEPA job and open its page")
def submit_and_open(stack, page, world):
    world["experiment_id"] = stack.submit("bdd-gepa", gepa__rollout=BUDGET)
    page.goto(f"{stack.url}/ui#/experiments/{world['experiment_id']}")
    page.wait_for_selector("#jobs tbody tr")
    page.evaluate("window.__notReloaded = true")


@then("the page shows the job running, then completed, without a reload")
def live(page, world):
    states = []
    row = page.locator("#jobs tbody tr").first
    for _ in range(600):
        state = row.get_attribute("data-status")
        if not states or states[-1] != state:
            states.append(state)
        if state in FINISHED:
            break
        page.wait_for_timeout(100)
    assert "running" in states and states[-1] == "completed", states
    assert page.evaluate("window.__notReloaded === true")


@when("I open the job's artifact from the page")
def open_artifact(page):
    page.click("#jobs a[href^='#/artifacts/pl_']")
    page.wait_for_selector("#learning-curve canvas")


@then("I see the learning curve with the baseline marked")
def the_curve(page):
    assert int(page.get_attribute("#learning-curve", "data-points")) >= 2
    assert "baseline" in page.inner_text("#learning-curve")


@then("the best prompt beside the baseline with the learned rule highlighted")
def best_beside_baseline(page):
    highlighted = " ".join(page.locator("#best-prompt ins").all_inner_texts())
    assert "Rule:" in highlighted  # one of the rules the grader's feedback taught
    assert "Rule:" not in page.inner_text("#baseline-prompt")


@then("each candidate GEPA made names the candidate it was made from")
def parents_shown(page):
    rows = page.eval_on_selector_all(
        "#candidates tbody tr",
        "rows => rows.map(r => [r.dataset.id, r.querySelector('td[data-key=parent]').textContent])",
    )
    by_id = dict(rows)
    assert by_id["cand_000"] == "—", rows  # the baseline
    children = [parent for candidate, parent in rows if candidate != "cand_000"]
    assert children and all(parent.startswith("cand_") for parent in children), rows


@when("I open the workers and task apps page")
def open_workers(page):
    page.click("#top a[href='#/workers']")
    page.wait_for_selector("#workers tbody td[data-key=age]")


@then("I see the queue worker live")
def worker_live(page):
    assert page.locator("#workers tbody td[data-key=stale]").all_inner_texts() == ["live"]


@then("the task app on the port [ui] scan_ports sweeps, healthy")
def task_app_healthy(stack, page):
    page.wait_for_selector("#task-apps tbody td[data-key=url]")
    rows = page.eval_on_selector_all(
        "#task-apps tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )
    assert [[url, health] for _, url, _, health in rows] == [[stack.task_app_url, "healthy"]]


@given("an experiment of my org has finished")
def finished_experiment(stack, world):
    experiment_id = stack.submit("bdd-mine", gepa__rollout=BUDGET)
    wait_for(lambda: stack.experiment(experiment_id)["status"] in FINISHED, timeout=120)
    assert stack.experiment(experiment_id)["status"] == "completed"


@when("I sign in with another org's key")
def other_org(stack, page):
    sign_in(page, stack.url, OTHER_ORG_KEY)


@then("the experiments, artifacts and sessions lists are empty")
def nothing_shown(stack, page):
    for name in ("experiments", "artifacts", "sessions"):
        page.goto(f"{stack.url}/ui#/{name}")
        page.wait_for_selector(f"#{name} td.empty")
