"""features/tunnels.feature: quick tunnels through the stand-in cloudflared, managed tunnels
issued by a real backend through the stand-in Cloudflare API."""

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from synth_ai.adapters.records_file import pid_alive
from synth_ai.domain.tunnels.model import QUICK_URL
from synth_ai.settings.config import ApiKey, Settings

from tests.bdd.task_app_steps import *  # noqa: F403 - the shared step definitions
from tests.bdd.task_app_steps import deploy, listed, task_app_client
from tests.conftest import TEST_KEY
from tests.support.tunnels import (  # noqa: F401
    EXAMPLE_APP,
    cloudflare_api,
    fake_cloudflare,
    reap_deployments,  # noqa: F401
    rollout_body,
)

pytestmark = pytest.mark.usefixtures("reap_deployments")

scenarios("tunnels.feature")


@pytest.fixture
def settings(synth_home, cloudflare_api) -> Settings:
    return Settings(
        home=synth_home,
        api_keys=[ApiKey(TEST_KEY, "org_bdd", "user_bdd")],
        document={
            "tunnels": {
                "cloudflare_account_id": cloudflare_api.account_id,
                "cloudflare_api_token": cloudflare_api.api_token,
                "cloudflare_zone_id": cloudflare_api.zone_id,
                "cloudflare_api_url": cloudflare_api.url,
            }
        },
    )


@given("the stand-in cloudflared is installed")
def cloudflared_installed(fake_cloudflare):
    return fake_cloudflare


@given("Cloudflare rate-limits quick tunnels")
def rate_limited(monkeypatch):
    monkeypatch.setenv("FAKE_CLOUDFLARED_RATE_LIMIT", "1")


@then("the script reports a trycloudflare.com URL")
def reports_quick_url(world):
    assert world.script.ready, world.script.first_line + world.script.process.stderr.read()
    assert QUICK_URL.fullmatch(world.script.url)
    assert pid_alive(world.script.tunnel_pid)


@then(parsers.parse("/rollout for seed {seed:d} through the tunnel is rewarded {reward:g}"))
def rollout_through_tunnel(world, seed, reward):
    with task_app_client(world) as client:
        response = client.rollout(rollout_body(world.upstream.base_url, seed=seed))
    assert response["metrics"]["mean_return"] == reward


@then("the script fails saying quick tunnel creation was rate-limited")
def script_fails_rate_limited(world):
    out, err = world.script.finish()
    assert world.script.process.returncode == 1
    assert (
        "TunnelRateLimited" in err
        and "rate-limited quick tunnel creation (429 / error 1015)" in err
    )


@given(parsers.parse('a backend with a Cloudflare account for "{domain}"'))
def backend_with_cloudflare(request, settings, monkeypatch, domain):
    settings.document["tunnels"]["domain"] = domain  # configured before the backend starts
    backend = request.getfixturevalue("backend")
    monkeypatch.setenv("SYNTH_BACKEND_URL", backend.url)
    monkeypatch.setenv("SYNTH_API_KEY", TEST_KEY)
    return backend


@when(
    "the user runs synth-ai deploy --runtime tunnel --tunnel-mode managed --tunnel-subdomain demo --background"
)
def deploy_managed(world, cli):
    deploy(
        cli,
        "--runtime",
        "tunnel",
        "--tunnel-mode",
        "managed",
        "--tunnel-subdomain",
        "demo",
        "--task-app",
        str(EXAMPLE_APP),
        "--port",
        "0",
        "--background",
    )
    [world.record] = listed(cli)


@then(parsers.parse('the deployment is recorded at "{url}"'))
def recorded_at(world, url):
    assert world.record["url"] == url and world.record["type"] == "tunnel"


@then(parsers.parse('the backend lists the tunnel "{hostname}"'))
def backend_lists(backend, hostname):
    tunnels = backend.client().get("/api/v1/tunnels").json()
    assert [t["hostname"] for t in tunnels] == [hostname]


@then("/health through the managed tunnel is healthy")
def managed_health(world):
    from synth_ai.task_app.client import TaskAppClient

    with TaskAppClient(world.record["url"]) as client:
        assert client.health()["healthy"] is True


@then("the deployment's process and its cloudflared are gone")
def process_and_cloudflared_gone(world):
    assert not pid_alive(world.record["pid"]) and not pid_alive(world.record["tunnel_pid"])
