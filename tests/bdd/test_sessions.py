"""features/sessions.feature on the real thing: Waitress backend, CLI subprocess, scripted upstream."""

import json
import shlex
import threading
import time

import httpx
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply

scenarios("sessions.feature")

CHAT = "/api/synth-research/chat/completions"


@pytest.fixture
def world():
    world = {}
    yield world
    if "serve" in world:  # a serve subprocess of the lease scenario: never left running
        world["server"].stop()


@given("a running synth-ai backend with a scripted chat upstream", target_fixture="server")
def server(upstream, backend, world, cli):
    world["cli"] = lambda *args: cli(
        *args, env={"SYNTH_BACKEND_URL": backend.url, "SYNTH_API_KEY": backend.api_key}
    )
    world["client"] = backend.client()
    return backend


@given(
    parsers.parse(
        "the upstream reports {prompt:d} prompt tokens and {completion:d} completion tokens for every answer"
    )
)
def upstream_usage(upstream, prompt, completion):
    upstream.responder = lambda body: Reply(
        text="an answer", usage={"prompt_tokens": prompt, "completion_tokens": completion}
    )


@given(parsers.parse('I start a session with "{command}"'))
def start_session(world, command):
    args = shlex.split(command)[1:] + ["--format", "json"]
    result = world["cli"](*args)
    assert result.returncode == 0, result.stderr
    world["session"] = json.loads(result.stdout)


def _stream(client, max_tokens, headers=None):
    body = {
        "model": "synth-small",
        "messages": [{"role": "user", "content": "write something"}],
        "max_tokens": max_tokens,
        "stream": True,
    }
    return client.post(CHAT, json=body, headers=headers or {})


@given(
    parsers.parse(
        "I stream chat completions of synth-small with max_tokens {max_tokens:d} until one is refused"
    )
)
@when(
    parsers.parse(
        "I stream chat completions of synth-small with max_tokens {max_tokens:d} until one is refused"
    )
)
def stream_until_refused(world, max_tokens):
    world["streamed"] = 0
    for _ in range(100):
        response = _stream(world["client"], max_tokens)
        if response.status_code != 200:
            world["refusal"] = response
            break
        assert response.text.rstrip().endswith("data: [DONE]")
        assert response.headers["X-Session-ID"] == world["session"]["session_id"]
        world["streamed"] += 1
    else:
        pytest.fail("never refused after 100 completions")
    world["spent"] = _session(world)["current_usage"]


def _session(world):
    return world["client"].get(f"/api/v1/sessions/{world['session']['session_id']}").json()


@then("some completions streamed before the refusal")
def some_streamed(world):
    assert world["streamed"] >= 2


@then(
    parsers.parse(
        'the refusal is a 429 "{kind}" naming my session, the cost_usd metric, its limit and the usage'
    )
)
def refusal_is_well_formed(world, kind):
    response = world["refusal"]
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["type"] == kind and error["code"] == kind
    assert error["session_id"] == world["session"]["session_id"]
    assert error["metric"] == "cost_usd" and error["limit"] == 0.05
    assert error["used"] == pytest.approx(world["spent"]["cost_usd"])


@then(parsers.parse("the settled spend of my session is at most ${limit:f}"))
def spend_within_limit(world, limit):
    usage = _session(world)["current_usage"]
    assert 0 < usage["cost_usd"] <= limit
    assert usage["api_calls"] == world.get("streamed", 1)


@then('"synth-ai session show" says my session is limit_exceeded and marks cost_usd EXCEEDED')
def show_says_exceeded(world):
    result = world["cli"]("session", "show")
    assert result.returncode == 0, result.stderr
    assert world["session"]["session_id"] in result.stdout and "limit_exceeded" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("cost_usd"))
    assert "EXCEEDED" in row
    assert _session(world)["status"] == "limit_exceeded"


@when(parsers.parse('I send a chat completion with the header "{header}"'))
def send_with_header(world, header):
    name, _, value = header.partition(": ")
    world["opted_out"] = world["sent"] = _stream(world["client"], 4000, headers={name: value})


@then("the completion succeeds without a session")
def succeeds_without_session(world):
    response = world["opted_out"]
    assert response.status_code == 200 and "X-Session-ID" not in response.headers
    assert response.text.rstrip().endswith("data: [DONE]")


@then("the org usage ledger records it with no session and its tokens")
def ledger_has_it(world):
    entries = world["client"].get("/api/v1/usage", params={"no_session": "true"}).json()["data"]
    assert len(entries) == 1
    assert entries[0]["session_id"] is None and entries[0]["usage"]["tokens"] == 4000
    assert entries[0]["user_id"] == "user_test" and entries[0]["model"] == "synth-small"


@then("my session's usage did not change")
def session_unchanged(world):
    assert _session(world)["current_usage"] == world["spent"]


@when(
    parsers.parse("I send a chat completion of synth-small asking for {max_tokens:d} output tokens")
)
def send_oversized(world, max_tokens):
    world["sent"] = _stream(world["client"], max_tokens)


@then(parsers.parse("it succeeds and the upstream was asked for at most what ${limit:f} affords"))
def asked_for_affordable(world, upstream, limit):
    response = world["sent"]
    assert response.status_code == 200 and response.text.rstrip().endswith("data: [DONE]")
    cap = upstream.requests[-1]["max_completion_tokens"]
    assert 16 <= cap <= limit / (1.60 / 1e6)  # synth-small output costs $1.60 per million


@then("my session is still active")
def still_active(world):
    assert _session(world)["status"] == "active"


@then(parsers.parse('the completion is charged to my session with a warning naming "{chat_id}"'))
def charged_with_warning(world, chat_id):
    response = world["sent"]
    assert response.status_code == 200
    assert response.headers["X-Session-ID"] == world["session"]["session_id"]
    assert chat_id in response.headers["X-Session-Warning"]


# -- a killed server (leases) -------------------------------------------------------------------

CRASH_KEY = "sk-synth-bdd-crash"


@given(
    parsers.parse(
        "synth-ai serve with leases of {lease:d} seconds and a session with a ${limit:f} limit"
    )
)
def serve_with_leases(world, upstream, tmp_path, lease, limit):
    from tests.support.serve_process import ServeProcess

    upstream.responder = lambda body: Reply(text="slow words " * 400, chunk_delay=0.2)
    world["lease"] = lease

    def serve():
        return ServeProcess(
            tmp_path / "crash-home",
            upstream.base_url,
            CRASH_KEY,
            extra_env={"SYNTH_AI_SESSION_LEASE_SECONDS": str(lease)},
            threads=32,
        )

    (tmp_path / "crash-home").mkdir()
    world["serve"] = serve
    world["server"] = serve()
    world["auth"] = {"Authorization": f"Bearer {CRASH_KEY}"}
    world["crash_sid"] = httpx.post(
        f"{world['server'].url}/api/v1/sessions",
        json={"limits": [{"metric_type": "cost_usd", "limit_value": limit}]},
        headers=world["auth"],
    ).json()["session_id"]


def _crash_session(world):
    return httpx.get(
        f"{world['server'].url}/api/v1/sessions/{world['crash_sid']}", headers=world["auth"]
    ).json()


@when(
    parsers.parse(
        "{streams:d} chat completions are streaming and the server is killed with SIGKILL"
    )
)
def kill_mid_stream(world, streams):
    started = threading.Barrier(streams + 1, timeout=60)
    url = world["server"].url + CHAT
    body = {"model": "synth-small", "messages": [{"role": "user", "content": "go"}], "stream": True}

    def stream():
        try:
            with httpx.stream(
                "POST", url, json=body, headers=world["auth"], timeout=60
            ) as response:
                lines = response.iter_lines()
                next(lines)
                started.wait()
                for _ in lines:
                    pass
        except (httpx.HTTPError, threading.BrokenBarrierError):
            pass  # the server dies under us

    for _ in range(streams):
        threading.Thread(target=stream, daemon=True).start()
    started.wait()
    time.sleep(world["lease"])  # at least one renewal records what each stream has used
    world["held"] = _crash_session(world)["reserved_usage"]["cost_usd"]
    world["streams"] = streams
    world["server"].process.kill()
    world["server"].process.wait(timeout=10)
    world["server"].stop()


@when("the server is started again and one lease passes")
def restart(world, upstream):
    world["server"] = world["serve"]()
    assert _crash_session(world)["reserved_usage"]["cost_usd"] == world["held"] > 0.1
    time.sleep(world["lease"] + 0.5)
    upstream.responder = lambda body: Reply(text="quick")


@then("the next request gets the full default output cap")
def full_cap(world, upstream):
    answer = httpx.post(
        world["server"].url + CHAT,
        json={"model": "synth-small", "messages": [{"role": "user", "content": "go"}]},
        headers={**world["auth"], "X-Synth-Session-ID": world["crash_sid"]},
        timeout=30,
    )
    assert answer.status_code == 200
    assert upstream.requests[-1]["max_completion_tokens"] == 4096
    assert _crash_session(world)["reserved_usage"]["cost_usd"] == 0


@then(
    parsers.parse(
        'each interrupted stream was charged what it had streamed, in a "{kind}" ledger entry'
    )
)
def lapsed_entries(world, kind):
    ledger = httpx.get(
        f"{world['server'].url}/api/v1/usage",
        params={"session_id": world["crash_sid"], "limit": 100},
        headers=world["auth"],
    ).json()["data"]
    lapsed = [e for e in ledger if e["kind"] == kind]
    assert len(lapsed) == world["streams"]
    assert all(0 < e["usage"]["cost_usd"] for e in lapsed)
    assert sum(e["usage"]["cost_usd"] for e in lapsed) < world["held"]


OTHER_ORG_KEY = "sk-synth-bdd-other-org-key"


@pytest.fixture
def settings(settings):
    from synth_ai.settings.config import ApiKey

    settings.api_keys.append(ApiKey(OTHER_ORG_KEY, "org_other", "user_x"))
    return settings


@when(parsers.parse("I send {n:d} chat completions of synth-small"))
def send_several(world, n):
    for _ in range(n):
        assert _stream(world["client"], 4000).status_code == 200


@when("a job reserves 1 API call on my session through the usage API")
def job_reserves(world):
    response = world["client"].post(
        "/api/v1/usage/reservations",
        json={"api_calls": 1, "reference_type": "job", "reference_id": "job_dash"},
        headers={"X-Session-ID": world["session"]["session_id"]},
    )
    assert response.status_code == 201, response.text
    world["reservation_id"] = response.json()["reservation_id"]


@then(
    parsers.parse(
        "the dashboard's spend series of my session climbs in {n:d} steps to its settled spend"
    )
)
def spend_climbs(world, n):
    sid = world["session"]["session_id"]
    spend = world["client"].get(f"/api/v1/sessions/{sid}/spend").json()
    costs = [point["cost_usd"] for point in spend["series"]]
    assert len(costs) == n and costs == sorted(costs) and costs[0] > 0
    assert costs[-1] == pytest.approx(spend["used"]["cost_usd"])
    (cost_limit,) = [lim for lim in spend["limits"] if lim["metric_type"] == "cost_usd"]
    assert cost_limit["limit_value"] == 0.05
    assert cost_limit["current_usage"] == pytest.approx(costs[-1])


@then("the dashboard lists the job's reservation in flight on my session")
def reservation_listed(world):
    sid = world["session"]["session_id"]
    held = world["client"].get(f"/api/v1/sessions/{sid}/reservations").json()["reservations"]
    assert [(r["reservation_id"], r["reference_id"]) for r in held] == [
        (world["reservation_id"], "job_dash")
    ]
    assert held[0]["reserved"]["api_calls"] == 1


@then("another org's key sees neither the spend nor the reservations of my session")
def other_org_sees_nothing(world, backend):
    sid = world["session"]["session_id"]
    with backend.client(OTHER_ORG_KEY) as other:
        for path in ("spend", "reservations"):
            assert other.get(f"/api/v1/sessions/{sid}/{path}").status_code == 404
