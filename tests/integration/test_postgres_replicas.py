"""Two ``serve`` replicas on one PostgreSQL share sessions (a hard limit holds across both) and
the interceptor's trials."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from synth_ai.adapters.waitress_host import BackgroundServer
from synth_ai.container import create_container
from synth_ai.http.app import create_app
from synth_ai.settings.config import ApiKey, Settings

from tests.conftest import TEST_KEY
from tests.support.postgres import schema_url
from tests.support.scripted_upstream import Reply, ScriptedUpstream


@pytest.fixture
def replicas(tmp_path, postgres_url, postgres_schema):
    upstream = ScriptedUpstream.start()
    upstream.responder = lambda body: Reply(text="ok", delay=0.005)
    url = schema_url(postgres_url, postgres_schema)
    servers, containers = [], []
    for n in range(2):  # separate homes: nothing shared but PostgreSQL
        settings = Settings(
            home=tmp_path / f"replica{n}",
            api_keys=[ApiKey(TEST_KEY, "org_test", "user_test")],
            upstream_url=upstream.base_url,
            store="postgres",
            postgres_url=url,
        )
        containers.append(create_container(settings))
        servers.append(BackgroundServer.start(create_app(containers[-1]), threads=16))
    yield [server.url for server in servers]
    for server in servers:
        server.close()
    for container in containers:
        container.shutdown_resources()
    upstream.close()


def test_requests_spread_over_two_replicas_share_one_session_and_its_hard_limit(replicas):
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    clients = [httpx.Client(base_url=url, headers=headers, timeout=30) for url in replicas]
    sid = (
        clients[0]
        .post(
            "/api/v1/sessions", json={"limits": [{"metric_type": "api_calls", "limit_value": 10}]}
        )
        .json()["session_id"]
    )

    def fire(n):
        response = clients[n % 2].post(
            "/api/synth-research/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        )
        return response.status_code, response.headers.get("X-Session-ID")

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(fire, range(40)))
    assert sorted(status for status, _ in results) == [200] * 10 + [429] * 30
    assert {session for _, session in results} == {sid}
    for client in clients:  # both replicas see the same settled state, and the same ledger
        shown = client.get(f"/api/v1/sessions/{sid}").json()
        assert shown["current_usage"]["api_calls"] == 10 and shown["status"] == "limit_exceeded"
        ledger = client.get("/api/v1/usage", params={"session_id": sid, "limit": 100}).json()
        assert len([e for e in ledger["data"] if e["kind"] == "chat"]) == 10
        client.close()


def test_an_interceptor_trial_opened_on_one_replica_serves_policy_calls_on_the_other(replicas):
    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    first, second = (httpx.Client(base_url=url, headers=headers, timeout=30) for url in replicas)
    first.post(
        "/api/v1/sessions",
        json={"session_id": "opt_replicas", "make_active": False, "limits": []},
    )
    trial = first.post(
        "/api/interceptor/trials",
        json={"session_id": "opt_replicas", "prefix": [{"role": "system", "content": "Be brief."}]},
    ).json()["trial_id"]

    answer = httpx.post(
        f"{replicas[1]}/api/interceptor/{trial}.s1/v1/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )
    record = first.delete(f"/api/interceptor/trials/{trial}").json()

    assert answer.status_code == 200, answer.text
    assert record["rollouts"]["s1"]["calls"] == 1
    assert record["rollouts"]["s1"]["exchanges"][0]["output"] == "ok"
    assert second.get(f"/api/interceptor/trials/{trial}").status_code == 404
    first.close()
    second.close()
