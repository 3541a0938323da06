"""``GET|POST /api/v1/tunnels/`` on the real backend, against the stand-in Cloudflare API."""

import pytest
from synth_ai.settings.config import ApiKey, Settings

from tests.conftest import OTHER_KEY, TEST_KEY
from tests.support.tunnels import cloudflare_api  # noqa: F401

THIRD_ORG_KEY = "sk-synth-test-third-org-key"


@pytest.fixture
def settings(synth_home, cloudflare_api) -> Settings:
    return Settings(
        home=synth_home,
        api_keys=[
            ApiKey(TEST_KEY, "org_test", "user_test"),
            ApiKey(OTHER_KEY, "org_test", "user_other"),
            ApiKey(THIRD_ORG_KEY, "org_other", "user_x"),
        ],
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


def test_posting_a_subdomain_issues_a_tunnel_with_hostname_and_token(backend, cloudflare_api):
    response = backend.client().post(
        "/api/v1/tunnels/", json={"subdomain": "demo", "local_port": 8114}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["hostname"] == "demo.tunnels.example.test"
    assert body["status"] == "active" and body["tunnel_token"]
    tunnel = cloudflare_api.tunnels[body["cloudflare_tunnel_id"]]
    assert tunnel["config"]["ingress"][0] == {
        "hostname": "demo.tunnels.example.test",
        "service": "http://127.0.0.1:8114",
    }
    listed = backend.client().get("/api/v1/tunnels/").json()
    assert [t["hostname"] for t in listed] == ["demo.tunnels.example.test"]


def test_tunnels_are_private_to_the_org_and_subdomains_cannot_be_taken(backend):
    backend.client().post("/api/v1/tunnels", json={"subdomain": "mine", "local_port": 8114})
    assert backend.client(THIRD_ORG_KEY).get("/api/v1/tunnels").json() == []
    response = backend.client(THIRD_ORG_KEY).post(
        "/api/v1/tunnels", json={"subdomain": "mine", "local_port": 1}
    )
    assert response.status_code == 409
    assert "belongs to another organisation" in response.json()["error"]["message"]


def test_bad_tunnel_requests_name_the_bad_field(backend):
    response = backend.client().post(
        "/api/v1/tunnels", json={"subdomain": "Bad_Name", "local_port": 8114}
    )
    assert response.status_code == 400
    assert "subdomain 'bad_name' is invalid" in response.json()["error"]["message"]
    response = backend.client().post("/api/v1/tunnels", json={"local_port": "eighty"})
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "$.local_port"


def test_tunnels_need_an_api_key(backend):
    assert backend.client(api_key=None).get("/api/v1/tunnels").status_code == 401


def test_a_backend_without_cloudflare_settings_answers_503_saying_what_to_set(synth_home):
    import httpx
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http import create_app

    container = create_container(Settings(home=synth_home, api_keys=[ApiKey(TEST_KEY)]))
    with BackgroundServer.start(create_app(container), "127.0.0.1", 0) as server:
        response = httpx.post(
            f"{server.url}/api/v1/tunnels",
            json={"subdomain": "x", "local_port": 1},
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
    container.shutdown_resources()
    assert response.status_code == 503
    assert "cloudflare_account_id" in response.json()["error"]["message"]


def test_the_public_client_reads_the_managed_tunnel_listing(backend, tmp_path):
    """synth-ai 0.2.24's ``fetch_managed_tunnels``, unchanged, against our listing."""
    import json
    import subprocess

    from tests.support.anchor import anchor_env, anchor_venv

    backend.client().post("/api/v1/tunnels/", json={"subdomain": "demo", "local_port": 8114})
    script = (
        "import asyncio, json, os\n"
        "from synth_ai.cloudflare import fetch_managed_tunnels\n"
        "found = asyncio.run(fetch_managed_tunnels(os.environ['SYNTH_API_KEY']))\n"
        "print(json.dumps([[t.id, t.hostname, t.org_id, t.metadata] for t in found]))\n"
    )
    ran = subprocess.run(
        [str(anchor_venv() / "bin" / "python"), "-c", script],
        env=anchor_env(backend.url, TEST_KEY, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    [(tunnel_id, hostname, org_id, metadata)] = json.loads(ran.stdout.strip().splitlines()[-1])
    assert (hostname, org_id) == ("demo.tunnels.example.test", "org_test") and tunnel_id
    assert metadata == {"local_host": "127.0.0.1", "local_port": 8114}
