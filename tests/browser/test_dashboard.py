"""The dashboard's story in a real browser: sign in, watch an experiment run live, open its
artifact, read its session, cancel another experiment, and see nothing of another org."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_KEY
from tests.fakes.optimisation import RULE_WORDS
from tests.support.dashboard import OTHER_ORG_KEY, screenshot, sign_in
from tests.support.queue import wait_for

pytestmark = pytest.mark.xdist_group("dashboard-browser")

LIVE_BUDGET = {"budget": 36, "max_concurrent": 2, "minibatch_size": 3}


def rollouts_done(cell: str) -> int:
    found = re.match(r"\s*(\d+)", cell)
    return int(found.group(1)) if found else 0


def cell_texts(page, table: str, key: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody td[data-key='{key}']", "cells => cells.map(c => c.textContent.trim())"
    )


@pytest.fixture(scope="module")
def watched(stack, browser):
    """The first experiment, watched on its page from submission to the end: what was seen."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, stack.url)
    experiment_id = stack.submit("live-gepa", gepa__rollout=LIVE_BUDGET)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/experiments/" in r.url else None)
    page.goto(f"{stack.url}/ui#/experiments/{experiment_id}")
    page.wait_for_selector("#jobs tbody tr")
    page.evaluate("window.__notReloaded = true")
    seen, running_picture = [], []
    for _ in range(600):  # states and rollout counts as the page shows them, until it ends
        row = page.locator("#jobs tbody tr").first
        shown = (
            row.get_attribute("data-status"),
            row.locator("td[data-key=rollouts]").inner_text(),
        )
        if not seen or seen[-1] != shown:
            seen.append(shown)
            if shown[0] == "running" and not running_picture and rollouts_done(shown[1]) > 0:
                running_picture.append(screenshot(page, "experiment-running"))
        if shown[0] in ("completed", "failed", "canceled"):
            break
        page.wait_for_timeout(100)
    still_same_page = page.evaluate("window.__notReloaded === true")
    experiment = stack.experiment(experiment_id)
    picture = screenshot(page, "experiment-live")
    yield {
        "experiment": experiment,
        "requests": [url.removeprefix(stack.url) for url in requests],
        "seen": seen,
        "same_page": still_same_page,
        "screenshot": picture,
    }
    context.close()


def test_without_a_key_the_page_asks_for_one_and_no_data_request_succeeds(stack, page):
    answered = []
    page.on("response", lambda r: answered.append((r.url, r.status)) if "/api/" in r.url else None)
    page.goto(f"{stack.url}/ui#/experiments")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.locator("#top").is_hidden()
    assert page.locator("#view table").count() == 0
    assert all(status == 401 for _, status in answered), answered
    assert stack.api("GET", "/api/experiments", key=None).status_code == 401


def test_a_link_with_a_ui_token_signs_the_tab_in_and_the_token_leaves_the_address_bar(stack, page):
    minted = stack.api("POST", "/api/v1/ui/tokens", json={"ttl_s": 60}).json()
    entries = page.evaluate("history.length")
    page.goto(stack.url + minted["url_path"])
    page.wait_for_selector("#top:not([hidden])")
    assert page.inner_text("#who") == "org org_test"
    assert "token" not in page.url and page.url.endswith("/ui/#/experiments")
    assert page.evaluate("sessionStorage.getItem('synth-ai.credential')") == minted["token"]
    # The link's entry was replaced, not followed by another: going back leaves the dashboard.
    assert page.evaluate("history.length") == entries + 1
    page.click("#sign-out")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.evaluate("sessionStorage.getItem('synth-ai.credential')") is None
    assert page.locator("#view table").count() == 0


def test_an_expired_token_sends_the_page_back_to_the_sign_in_form(stack, page):
    minted = stack.api("POST", "/api/v1/ui/tokens", json={"ttl_s": 2}).json()
    page.goto(stack.url + minted["url_path"])
    page.wait_for_selector("#top:not([hidden])")
    # The experiments list refreshes itself; its first request after the expiry gets the 401.
    page.wait_for_selector("#sign-in:not([hidden])")
    assert "expired" in page.inner_text("#sign-in-error")
    assert page.evaluate("sessionStorage.getItem('synth-ai.credential')") is None


def test_a_wrong_key_is_refused_on_the_sign_in_form(stack, page):
    page.goto(f"{stack.url}/ui")
    page.fill("#api-key", "sk-not-a-key")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in-error:not(:empty)")
    assert "invalid API key" in page.inner_text("#sign-in-error")
    assert page.locator("#top").is_hidden()


def test_the_experiment_page_follows_the_worker_live_without_a_reload(watched):
    experiment, seen = watched["experiment"], watched["seen"]
    assert experiment["status"] == "completed", experiment
    states = [state for state, _ in seen]
    assert "running" in states and states[-1] == "completed", seen
    running_counts = {rollouts for state, rollouts in seen if state == "running"}
    assert len(running_counts) >= 2, seen  # the rollouts moved while it ran
    assert watched["same_page"]
    # Followed over the event stream, not by polling: one read of the experiment, then events.
    path = f"/api/experiments/{experiment['experiment_id']}"
    assert watched["requests"].count(path) == 1, watched["requests"]
    assert f"{path}/events" in watched["requests"]
    assert watched["screenshot"].stat().st_size > 10_000


def test_the_artifact_page_draws_the_curve_sorts_candidates_and_sets_best_beside_baseline(
    stack, watched, page
):
    artifact_id = watched["experiment"]["jobs"][0]["result"]["artifact_id"]
    sign_in(page, stack.url)
    page.goto(f"{stack.url}/ui#/experiments/{watched['experiment']['experiment_id']}")
    page.click(f"#jobs a[href='#/artifacts/{artifact_id}']")
    page.wait_for_selector("#learning-curve canvas")
    assert int(page.get_attribute("#learning-curve", "data-points")) >= 2

    page.click("#candidates th[data-key=score]")
    ascending = [float(t) for t in cell_texts(page, "candidates", "score")]
    assert ascending == sorted(ascending) and len(ascending) >= 2
    page.click("#candidates th[data-key=score]")
    assert [float(t) for t in cell_texts(page, "candidates", "score")] == ascending[::-1]

    # Each GEPA child names the candidate it was made from; the parent's link finds its row.
    page.click("#candidates th[data-key=id]")
    ids, parents = cell_texts(page, "candidates", "id"), cell_texts(page, "candidates", "parent")
    assert parents[0] == "—" and ids[0] == "cand_000", parents  # the baseline has none
    assert parents[1] == "cand_000", parents
    assert all(p != "—" for p in parents[1:]), parents
    page.click("#candidates tr[data-id=cand_001] a.parent[data-parent=cand_000]")
    assert page.locator("#candidates tr.highlight").get_attribute("data-id") == "cand_000"

    assert RULE_WORDS in page.inner_text("#best-prompt")
    assert RULE_WORDS not in page.inner_text("#baseline-prompt")
    assert page.locator("#best-prompt ins").count() >= 1

    with page.expect_download() as downloaded:
        page.click(".downloads button[data-format=yaml]")
    saved = downloaded.value
    assert saved.suggested_filename == f"{artifact_id}-best.yaml"
    assert RULE_WORDS in open(saved.path(), encoding="utf-8").read()
    assert screenshot(page, "artifact").stat().st_size > 20_000


def test_the_session_page_shows_its_spend_limit_and_ledger(stack, watched, page):
    session_id = watched["experiment"]["jobs"][0]["result"]["session_id"]
    sign_in(page, stack.url)
    page.goto(f"{stack.url}/ui#/experiments/{watched['experiment']['experiment_id']}")
    page.click(f"#jobs td[data-key=spend] a[href='#/sessions/{session_id}']")
    page.wait_for_selector("#ledger tbody tr")
    page.click("a[href='#/sessions']")
    page.click(f"#sessions a[href='#/sessions/{session_id}']")
    page.wait_for_selector("#ledger tbody tr")
    page.wait_for_selector(".chart[data-metric=cost_usd] canvas")
    assert int(page.get_attribute(".chart[data-metric=cost_usd]", "data-points")) >= 2
    limits = page.inner_text("#limits tbody")
    assert "cost_usd" in limits and "hard" in limits
    assert page.locator("#ledger tbody tr").count() >= 2
    assert screenshot(page, "session").stat().st_size > 10_000


def test_the_workers_page_shows_the_queue_worker_and_the_task_app_with_their_health(stack, page):
    sign_in(page, stack.url)
    page.click("#top a[href='#/workers']")
    page.wait_for_selector("#workers tbody td[data-key=age]")
    ages = cell_texts(page, "workers", "age")
    assert len(ages) == 1 and re.fullmatch(r"\d+\.\ds", ages[0]), ages
    assert cell_texts(page, "workers", "stale") == ["live"]
    # Found by the port sweep ([ui] scan_ports is the task app's port), asked for its health.
    page.wait_for_selector("#task-apps tbody td[data-key=url]")
    assert cell_texts(page, "task-apps", "url") == [stack.task_app_url]
    assert cell_texts(page, "task-apps", "type") == ["local"]
    assert cell_texts(page, "task-apps", "health") == ["healthy"]
    assert screenshot(page, "workers").stat().st_size > 10_000


def test_an_experiment_is_cancelled_from_its_page(stack, watched, page):
    experiment_id = stack.submit("to-cancel", jobs=2, gepa__rollout=LIVE_BUDGET)
    sign_in(page, stack.url)
    page.goto(f"{stack.url}/ui#/experiments/{experiment_id}")
    page.wait_for_selector("#cancel:not([hidden])")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel")
    page.wait_for_selector("#page[data-status=canceled]")
    assert page.locator("#cancel").is_hidden()
    wait_for(lambda: stack.experiment(experiment_id)["status"] == "canceled", timeout=20)


def test_another_orgs_key_sees_no_experiment_artifact_or_session(stack, watched, page):
    experiment = watched["experiment"]
    sign_in(page, stack.url, OTHER_ORG_KEY)
    assert page.inner_text("#who") == "org org_other"
    page.wait_for_selector("#experiments td.empty")
    page.goto(f"{stack.url}/ui#/artifacts")
    page.wait_for_selector("#artifacts td.empty")
    page.goto(f"{stack.url}/ui#/sessions")
    page.wait_for_selector("#sessions td.empty")
    page.goto(f"{stack.url}/ui#/experiments/{experiment['experiment_id']}")
    page.wait_for_selector(".message-error")
    assert experiment["name"] not in page.inner_text("#view")
    artifact_id = experiment["jobs"][0]["result"]["artifact_id"]
    assert (
        stack.api("GET", f"/api/artifacts/prompts/{artifact_id}", OTHER_ORG_KEY).status_code == 404
    )
    assert stack.api("GET", f"/api/artifacts/prompts/{artifact_id}", TEST_KEY).status_code == 200
