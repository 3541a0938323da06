"""Jobs and workers charge GPU hours to sessions under the same reserve-then-settle rule."""

import pytest


@pytest.fixture
def gpu_session(backend):
    client = backend.client()
    return client, client.post(
        "/api/v1/sessions",
        json={
            "limits": [
                {"metric_type": "gpu_hours", "limit_value": 2.0},
                {"metric_type": "cost_usd", "limit_value": 100},
            ]
        },
    ).json()


def test_a_job_reserves_gpu_hours_then_settles_what_it_really_used(gpu_session):
    client, session = gpu_session
    reserved = client.post(
        "/api/v1/usage/reservations",
        json={
            "gpu_hours": 1.5,
            "gpu_type": "A100",
            "reference_type": "job",
            "reference_id": "job_1",
        },
    )
    assert reserved.status_code == 201 and reserved.json()["session_id"] == session["session_id"]
    rid = reserved.json()["reservation_id"]
    held = client.get(f"/api/v1/sessions/{session['session_id']}").json()
    assert held["reserved_usage"]["gpu_hours"] == 1.5
    blocked = client.post("/api/v1/usage/reservations", json={"gpu_hours": 1.0})
    assert blocked.status_code == 429 and blocked.json()["error"]["metric"] == "gpu_hours"
    settled = client.post(f"/api/v1/usage/reservations/{rid}/settle", json={"gpu_hours": 1.25})
    assert settled.status_code == 200
    after = client.get(f"/api/v1/sessions/{session['session_id']}").json()
    assert after["current_usage"]["gpu_hours"] == 1.25 and after["reserved_usage"]["gpu_hours"] == 0
    assert after["current_usage"]["cost_usd"] == pytest.approx(1.25 * 2.5)
    records = client.get(
        f"/api/v1/sessions/{session['session_id']}/usage", params={"metric_type": "gpu_hours"}
    ).json()
    assert [(r["metric_value"], r["reference_type"], r["reference_id"]) for r in records] == [
        (1.25, "job", "job_1")
    ]
    again = client.post(f"/api/v1/usage/reservations/{rid}/settle", json={"gpu_hours": 1.25})
    assert again.status_code == 404 and "already settled" in again.json()["error"]["message"]


def test_a_report_past_the_gpu_limit_is_refused_and_the_session_keeps_what_is_left(gpu_session):
    client, session = gpu_session
    assert client.post("/api/v1/usage/report", json={"gpu_hours": 1.5}).status_code == 201
    refused = client.post("/api/v1/usage/report", json={"gpu_hours": 1.0})
    assert refused.status_code == 429
    assert refused.json()["error"]["type"] == "usage_limit_reached"
    shown = client.get(f"/api/v1/sessions/{session['session_id']}").json()
    assert shown["status"] == "active" and shown["current_usage"]["gpu_hours"] == 1.5
    assert client.post("/api/v1/usage/report", json={"gpu_hours": 0.5}).status_code == 201
    used_up = client.get(f"/api/v1/sessions/{session['session_id']}").json()
    assert used_up["status"] == "limit_exceeded"


def test_an_empty_or_negative_report_is_refused_with_the_bad_value(backend):
    client = backend.client()
    empty = client.post("/api/v1/usage/report", json={})
    assert empty.status_code == 400 and "report some usage" in empty.json()["error"]["message"]
    negative = client.post("/api/v1/usage/report", json={"gpu_hours": -2})
    assert negative.status_code == 400 and "-2" in negative.json()["error"]["message"]


def test_a_reservation_of_another_user_cannot_be_settled(gpu_session, backend):
    from tests.conftest import OTHER_KEY

    client, _ = gpu_session
    rid = client.post("/api/v1/usage/reservations", json={"gpu_hours": 0.5}).json()[
        "reservation_id"
    ]
    response = backend.client(OTHER_KEY).post(
        f"/api/v1/usage/reservations/{rid}/settle", json={"gpu_hours": 0.5}
    )
    assert response.status_code == 404
