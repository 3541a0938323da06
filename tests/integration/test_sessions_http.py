"""The sessions API through real Waitress: lifecycle, limits, validation, ownership."""

import uuid

import pytest

from tests.conftest import OTHER_KEY


def start(client, **body):
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_started_session_has_its_limits_and_zero_usage_and_becomes_current(backend):
    client = backend.client()
    session = start(
        client,
        limits=[
            {"metric_type": "cost_usd", "limit_value": 5, "limit_type": "hard"},
            {"metric_type": "tokens", "limit_value": 1000, "limit_type": "soft"},
        ],
        session_type="eval",
        metadata={"run": "a"},
        expires_at="2099-01-01T00:00:00Z",
    )
    assert session["status"] == "active" and session["user_id"] == "user_test"
    assert session["current_usage"] == {
        "tokens": 0,
        "cost_usd": 0.0,
        "gpu_hours": 0.0,
        "api_calls": 0,
    }
    assert [
        (lim["metric_type"], lim["limit_type"], lim["limit_value"]) for lim in session["limits"]
    ] == [("cost_usd", "hard", 5.0), ("tokens", "soft", 1000.0)]
    assert session["expires_at"] == "2099-01-01T00:00:00Z" and session["metadata"] == {"run": "a"}
    assert client.get("/api/v1/sessions/current").json()["session_id"] == session["session_id"]
    assert client.get(f"/api/v1/sessions/{session['session_id']}").json() == session


def test_starting_a_new_current_session_ends_the_previous_one(backend):
    client = backend.client()
    first = start(client)
    second = start(client)
    assert client.get(f"/api/v1/sessions/{first['session_id']}").json()["status"] == "ended"
    listed = client.get("/api/v1/sessions", params={"status": "active"}).json()
    assert [s["session_id"] for s in listed] == [second["session_id"]]
    assert len(client.get("/api/v1/sessions", params={"limit": 1, "offset": 1}).json()) == 1


def test_a_session_without_limits_gets_the_server_default_of_twenty_dollars(backend):
    session = start(backend.client())
    assert [(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]] == [
        ("cost_usd", 20.0)
    ]


def test_ending_a_session_twice_is_a_400_session_not_active_as_the_public_client_expects(backend):
    client = backend.client()
    session = start(client)
    ended = client.post(f"/api/v1/sessions/{session['session_id']}/end")
    assert ended.json()["status"] == "ended" and ended.json()["ended_at"]
    again = client.post(f"/api/v1/sessions/{session['session_id']}/end")
    assert again.status_code == 400 and "already ended" in again.json()["error"]["message"]
    assert again.json()["error"]["code"] == "session_not_active"
    increase = client.post(
        f"/api/v1/sessions/{session['session_id']}/limits/increase",
        json={"metric_type": "cost_usd", "increase_by": 1},
    )
    assert increase.status_code == 400 and increase.json()["error"]["code"] == "session_not_active"


def test_limits_can_be_listed_added_and_increased(backend):
    client = backend.client()
    sid = start(client, limits=[{"metric_type": "api_calls", "limit_value": 3}])["session_id"]
    added = client.post(
        f"/api/v1/sessions/{sid}/limits", json={"metric_type": "gpu_hours", "limit_value": 2}
    )
    assert added.json()["metric_type"] == "gpu_hours"
    uuid.UUID(added.json()["limit_id"])  # the public client parses it with UUID()
    raised = client.post(
        f"/api/v1/sessions/{sid}/limits/increase",
        json={"metric_type": "api_calls", "increase_by": 7},
    ).json()
    assert raised["limit_value"] == 10.0 and raised["remaining"] == 10.0
    limits = client.get(f"/api/v1/sessions/{sid}/limits").json()
    assert {(lim["metric_type"], lim["limit_value"]) for lim in limits} == {
        ("api_calls", 10.0),
        ("gpu_hours", 2.0),
    }


def test_bad_input_gets_a_clear_error_naming_the_bad_value(backend):
    client = backend.client()
    bad_metric = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "bananas", "limit_value": 1}]}
    )
    assert bad_metric.status_code == 400 and "'bananas'" in bad_metric.json()["error"]["message"]
    extra = client.post("/api/v1/sessions", json={"limitz": []})
    assert extra.status_code == 422 and "limitz" in extra.json()["error"]["message"]
    wrong_type = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "tokens", "limit_value": "lots"}]}
    )
    assert (
        wrong_type.status_code == 422
        and wrong_type.json()["error"]["param"] == "$.limits[0].limit_value"
    )
    past = client.post("/api/v1/sessions", json={"expires_at": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400 and "in the past" in past.json()["error"]["message"]
    far = client.post("/api/v1/sessions", json={"expires_at": 5.443085678646572e16})
    assert far.status_code == 400 and far.json()["error"]["param"] == "expires_at"
    assert "9999-12-31" in far.json()["error"]["message"]
    for chosen in ("..", "current", "a/b"):  # ids must name one session in one URL segment
        bad_id = client.post("/api/v1/sessions", json={"session_id": chosen})
        assert bad_id.status_code == 400 and repr(chosen) in bad_id.json()["error"]["message"]
    status = client.get("/api/v1/sessions", params={"status": "sleeping"})
    assert status.status_code == 400 and "'sleeping'" in status.json()["error"]["message"]
    sid = start(client)["session_id"]
    zero = client.post(
        f"/api/v1/sessions/{sid}/limits/increase", json={"metric_type": "tokens", "increase_by": 0}
    )
    assert zero.status_code == 400 and zero.json()["error"]["param"] == "increase_by"
    # Python's JSON parser reads Infinity: an infinite limit would be stored and echoed as
    # invalid JSON, so it is refused like any other bad number.
    for path, body in (
        (
            f"/api/v1/sessions/{sid}/limits/increase",
            '{"metric_type": "tokens", "increase_by": Infinity}',
        ),
        ("/api/v1/sessions", '{"limits": [{"metric_type": "tokens", "limit_value": Infinity}]}'),
        (f"/api/v1/sessions/{sid}/limits", '{"metric_type": "gpu_hours", "limit_value": Infinity}'),
        ("/api/v1/usage/report", '{"gpu_hours": Infinity}'),
    ):
        infinite = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert infinite.status_code == 400 and "inf" in infinite.json()["error"]["message"], path
    assert client.get(f"/api/v1/sessions/{sid}").json()["limits"][0]["limit_value"] == 20.0


def test_current_names_the_current_session_and_is_404_when_there_is_none(backend):
    client = backend.client()
    missing = client.get("/api/v1/sessions/current")
    assert (
        missing.status_code == 404
        and "synth-ai session start" in missing.json()["error"]["message"]
    )
    assert client.get("/api/v1/sessions").json() == []
    sid = start(client)["session_id"]
    assert client.post("/api/v1/sessions/current/end").json()["session_id"] == sid
    assert client.get("/api/v1/sessions/current").status_code == 404


def test_another_users_session_is_not_found(backend):
    sid = start(backend.client())["session_id"]
    other = backend.client(OTHER_KEY)
    for response in (
        other.get(f"/api/v1/sessions/{sid}"),
        other.post(f"/api/v1/sessions/{sid}/end"),
        other.get(f"/api/v1/sessions/{sid}/usage"),
    ):
        assert (
            response.status_code == 404 and response.json()["error"]["code"] == "session_not_found"
        )
    assert other.get("/api/v1/sessions").json() == []


def test_a_hard_limit_of_zero_is_refused_rather_than_a_session_exceeded_from_the_start(backend):
    client = backend.client()
    zero = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "cost_usd", "limit_value": 0}]}
    )
    assert zero.status_code == 400 and zero.json()["error"]["param"] == "limit_value"
    assert "leave the limit out for no limit" in zero.json()["error"]["message"]


def test_increasing_a_metric_without_a_limit_is_refused_and_creates_nothing(backend):
    client = backend.client()
    sid = client.post(
        "/api/v1/sessions", json={"limits": [{"metric_type": "cost_usd", "limit_value": 1}]}
    ).json()["session_id"]
    raised = client.post(
        f"/api/v1/sessions/{sid}/limits/increase",
        json={"metric_type": "tokens", "increase_by": 100},
    )
    assert raised.status_code == 400 and raised.json()["error"]["code"] == "no_limit_to_raise"
    limits = client.get(f"/api/v1/sessions/{sid}/limits").json()
    assert [lim["metric_type"] for lim in limits] == ["cost_usd"]


FOREIGN_KEY = "sk-synth-test-foreign-org-key"


@pytest.fixture
def two_orgs(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(FOREIGN_KEY, "org_foreign", "user_foreign"))
    return settings


def test_a_chosen_session_id_is_scoped_per_org_and_claimed_once(two_orgs, backend):
    from concurrent.futures import ThreadPoolExecutor

    mine, theirs = backend.client(), backend.client(FOREIGN_KEY)
    assert mine.post("/api/v1/sessions", json={"session_id": "team-run-1"}).status_code == 201
    other = theirs.post("/api/v1/sessions", json={"session_id": "team-run-1"})
    assert other.status_code == 201 and other.json()["org_id"] == "org_foreign"
    assert [s["org_id"] for s in theirs.get("/api/v1/sessions").json()] == ["org_foreign"]
    assert mine.get("/api/v1/sessions/team-run-1").json()["org_id"] == "org_test"

    def create(_):
        return mine.post("/api/v1/sessions", json={"session_id": "race-1", "make_active": False})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(create, range(8)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    taken = next(a for a in answers if a.status_code == 409).json()["error"]
    assert taken["code"] == "session_id_taken" and "choose another id" in taken["message"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("limit=", "'limit' must be an integer, got ''"),
        ("limit=0", "'limit' must be between 1 and 1000, got 0"),
        ("offset=1&offset=2", "'offset' is given 2 times"),
    ],
)
def test_a_paging_parameter_that_is_empty_repeated_or_out_of_range_is_a_400(backend, query, says):
    answer = backend.client().get(f"/api/v1/sessions?{query}")
    assert answer.status_code == 400 and says in answer.json()["error"]["message"]


def test_no_session_on_the_ledger_is_a_strict_boolean(backend):
    client = backend.client()
    assert client.get("/api/v1/usage?no_session=yes").status_code == 200
    refused = client.get("/api/v1/usage?no_session=maybe")
    assert refused.status_code == 400 and "'maybe'" in refused.json()["error"]["message"]
