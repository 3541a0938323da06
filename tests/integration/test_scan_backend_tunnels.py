"""The backend's managed tunnels as ``scan`` reads them, from a real ``synth-ai serve``."""

import json

import pytest
from synth_ai.adapters.backend_http import BackendClient
from synth_ai.adapters.backend_http.discovery import (
    BackendTunnelDirectory,
    LazyBackendTunnelDirectory,
)
from synth_ai.settings.config import ApiKey, Settings

from tests.conftest import TEST_KEY, run_cli
from tests.support.tunnels import cloudflare_api  # noqa: F401


@pytest.fixture
def settings(synth_home, cloudflare_api) -> Settings:
    return Settings(
        home=synth_home,
        api_keys=[ApiKey(TEST_KEY, "org_test", "user_test")],
        document={
            "tunnels": {
                "cloudflare_account_id": cloudflare_api.account_id,
                "cloudflare_api_token": cloudflare_api.api_token,
                "cloudflare_zone_id": cloudflare_api.zone_id,
                "cloudflare_api_url": cloudflare_api.url,
                "domain": "tunnels.example.test",
            }
        },
    )


def issue(backend, subdomain: str, port: int) -> None:
    response = backend.client().post(
        "/api/v1/tunnels/", json={"subdomain": subdomain, "local_port": port}
    )
    assert response.status_code == 201, response.text


def test_the_directory_lists_the_issued_tunnels_without_their_tokens(backend):
    issue(backend, "demo", 8114)
    client = BackendClient(backend.url, TEST_KEY)
    try:
        [tunnel] = BackendTunnelDirectory(client).list_tunnels()
    finally:
        client.close()
    assert (tunnel.hostname, tunnel.local_port, tunnel.url) == (
        "demo.tunnels.example.test",
        8114,
        "https://demo.tunnels.example.test",
    )
    assert tunnel.tunnel_token == ""


def test_scan_with_a_backend_reports_its_tunnels_and_sends_them_the_key(backend):
    issue(backend, "demo", 8114)
    result = run_cli(
        "--base-url",
        backend.url,
        "--api-key",
        TEST_KEY,
        "scan",
        "--port-range",
        "1:1",
        "--timeout",
        "1",
        "--format",
        "json",
        env={"ENVIRONMENT_API_KEY": "sk-env"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [app] = [a for a in report["apps"] if a["discovered_via"] == "backend_api"]
    assert (app["url"], app["type"], app["tunnel_mode"]) == (
        "https://demo.tunnels.example.test",
        "cloudflare",
        "managed",
    )
    assert app["key_sent"] is True and app["local_url"] == "http://127.0.0.1:8114"
    assert report["problems"] == []


def test_a_backend_that_is_down_is_a_problem_not_a_failed_scan(synth_home):
    from tests.contract.test_discovery_contracts import free_ports

    down = f"http://127.0.0.1:{free_ports(1)[0]}"
    with pytest.raises(Exception, match="not reachable"):
        LazyBackendTunnelDirectory(down, TEST_KEY).list_tunnels(1.0)
    result = run_cli(
        "--base-url", down, "scan", "--port-range", "1:1", "--format", "json", "--timeout", "1"
    )
    assert result.returncode == 0, result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert problem.startswith("backend_api: backend not reachable at " + down)
