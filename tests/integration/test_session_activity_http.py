"""``/api/v1/sessions/{id}/reservations`` and ``/spend`` through real Waitress."""

from __future__ import annotations

import pytest

OTHER_ORG_KEY = "sk-synth-test-other-org-key"


@pytest.fixture
def settings(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(OTHER_ORG_KEY, "org_other", "user_x"))
    return settings


@pytest.fixture
def session(backend):
    with backend.client() as client:
        response = client.post(
            "/api/v1/sessions",
            json={
                "limits": [
                    {"metric_type": "gpu_hours", "limit_value": 10.0},
                    {"metric_type": "cost_usd", "limit_value": 100},
                ]
            },
        )
    assert response.status_code == 201
    return response.json()


def test_a_reservation_in_flight_is_listed_until_it_settles(backend, session):
    sid = session["session_id"]
    with backend.client() as client:
        assert client.get(f"/api/v1/sessions/{sid}/reservations").json() == {
            "session_id": sid,
            "reservations": [],
        }
        rid = client.post(
            "/api/v1/usage/reservations",
            json={"gpu_hours": 1.5, "reference_type": "job", "reference_id": "job_1"},
        ).json()["reservation_id"]
        held = client.get(f"/api/v1/sessions/{sid}/reservations").json()["reservations"]
        assert [(r["reservation_id"], r["reference_id"]) for r in held] == [(rid, "job_1")]
        assert held[0]["reserved"]["gpu_hours"] == 1.5 and held[0]["kind"] == "usage_report"
        assert held[0]["created_at"].endswith("Z") and held[0]["lease_expires_at"].endswith("Z")
        client.post(f"/api/v1/usage/reservations/{rid}/settle", json={"gpu_hours": 1.0})
        assert client.get("/api/v1/sessions/current/reservations").json()["reservations"] == []


def test_spend_is_cumulative_over_the_ledger_with_the_limits_and_their_usage(backend, session):
    sid = session["session_id"]
    with backend.client() as client:
        for hours in (0.5, 1.0, 0.25):
            assert client.post("/api/v1/usage/report", json={"gpu_hours": hours}).status_code == 201
        spend = client.get(f"/api/v1/sessions/{sid}/spend").json()
        bucketed = client.get(f"/api/v1/sessions/{sid}/spend", params={"bucket_s": 86400}).json()
    cost = [p["cost_usd"] for p in spend["series"]]
    assert cost == sorted(cost) and cost[-1] == pytest.approx(1.75 * 2.5)
    assert [p["api_calls"] for p in spend["series"]][-1] == spend["used"]["api_calls"]
    assert all(isinstance(p["t"], float) for p in spend["series"])
    gpu = next(lim for lim in spend["limits"] if lim["metric_type"] == "gpu_hours")
    assert gpu["current_usage"] == 1.75 and gpu["limit_value"] == 10.0
    assert spend["truncated"] is False and spend["bucket_s"] is None
    assert bucketed["bucket_s"] == 86400 and len(bucketed["series"]) in (1, 2)
    assert bucketed["series"][-1]["cost_usd"] == pytest.approx(cost[-1])


def test_another_orgs_key_gets_a_404_for_a_sessions_reservations_and_spend(backend, session):
    sid = session["session_id"]
    with backend.client(OTHER_ORG_KEY) as other:
        for path in ("reservations", "spend"):
            response = other.get(f"/api/v1/sessions/{sid}/{path}")
            assert response.status_code == 404
            assert "no session" in response.json()["error"]["message"]


@pytest.mark.parametrize("bucket", ["0", "-1", "abc", "86401", ""])
def test_a_bad_bucket_is_a_400_naming_it(backend, session, bucket):
    with backend.client() as client:
        response = client.get(
            f"/api/v1/sessions/{session['session_id']}/spend", params={"bucket_s": bucket}
        )
    assert response.status_code == 400
    assert "bucket_s" in response.json()["error"]["message"]
