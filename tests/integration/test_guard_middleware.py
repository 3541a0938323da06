"""Any resource marked ``cost_incurring`` is guarded by the one middleware (as the Responses
routes will be): it gets a meter, 429s past a hard limit, and reports the session used."""

import falcon.testing
import pytest
from synth_ai.domain.sessions.model import Usage
from synth_ai.http.app import build_app
from synth_ai.http.metering import meter_of
from synth_ai.http.payload import send_json

from tests.conftest import TEST_KEY


class PretendResponses:
    cost_incurring = True

    def on_post(self, req, resp):
        charge = meter_of(req).reserve(model="synth-small", prompt_tokens=10, max_output_tokens=90)
        charge.settle(Usage(input_tokens=10, output_tokens=40, api_calls=1))
        charge.settle(
            Usage(input_tokens=999, output_tokens=999, api_calls=1)
        )  # a second settle is a no-op
        send_json(resp, {"session_id": charge.session_id, "warnings": charge.warnings})


class Free:
    def on_get(self, req, resp):
        send_json(resp, {"meter": getattr(req.context, "meter", None) is not None})


@pytest.fixture
def client(container):
    app, _ = build_app(container)
    app.add_route("/pretend/responses", PretendResponses())
    app.add_route("/pretend/free", Free())
    return falcon.testing.TestClient(app, headers={"Authorization": f"Bearer {TEST_KEY}"})


def test_a_cost_incurring_resource_is_metered_against_the_current_session(client):
    first = client.simulate_post("/pretend/responses")
    sid = first.headers["X-Session-ID"]
    assert first.json["session_id"] == sid
    session = client.simulate_get(f"/api/v1/sessions/{sid}").json
    assert session["current_usage"]["tokens"] == 50 and session["current_usage"]["api_calls"] == 1
    assert client.simulate_get("/pretend/free").json == {"meter": False}


def test_the_middleware_refuses_a_cost_incurring_resource_once_the_limit_is_used_up(client):
    sid = client.simulate_post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": 150}]}
    ).json["session_id"]
    assert client.simulate_post("/pretend/responses").status_code == 200  # reserves 100, settles 50
    assert client.simulate_post("/pretend/responses").status_code == 200  # 50 + 100 fits exactly
    # 100 used: the third may reserve 10 + 40 (what is left), so its 50 use the limit up.
    assert client.simulate_post("/pretend/responses").status_code == 200
    refused = client.simulate_post("/pretend/responses")
    assert refused.status_code == 429 and refused.json["error"]["session_id"] == sid
    assert refused.headers["X-Session-ID"] == sid and refused.headers["x-should-retry"] == "false"


def test_opting_out_skips_the_session_but_keeps_the_ledger(client):
    response = client.simulate_post("/pretend/responses", headers={"X-No-Session": "1"})
    assert response.json["session_id"] is None and "X-Session-ID" not in response.headers
    ledger = client.simulate_get("/api/v1/usage").json["data"]
    assert [(e["session_id"], e["usage"]["tokens"]) for e in ledger] == [(None, 50)]


def test_a_401_comes_before_any_metering(client):
    response = client.simulate_post("/pretend/responses", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
