"""``synth-ai session …`` as a real subprocess against a real backend."""

import json

import pytest

from tests.support.chat_upstream import chat_upstream  # noqa: F401  (the upstream fixture)
from tests.support.scripted_upstream import Reply


@pytest.fixture
def session_cli(upstream, backend, cli):
    env = {"SYNTH_BACKEND_URL": backend.url, "SYNTH_API_KEY": backend.api_key}
    return lambda *args: cli("session", *args, env=env)


def test_start_show_increase_and_end_a_session_from_the_command_line(
    session_cli, backend, upstream
):
    started = session_cli(
        "start",
        "--limit-cost",
        "0.01",
        "--limit-tokens",
        "50000",
        "--meta",
        "run=cli",
        "--format",
        "json",
    )
    assert started.returncode == 0, started.stderr
    session = json.loads(started.stdout)
    assert {(lim["metric_type"], lim["limit_value"]) for lim in session["limits"]} == {
        ("cost_usd", 0.01),
        ("tokens", 50000.0),
    }
    # The request may reserve what $0.01 affords; the upstream says it spent more than that,
    # so the session is charged its whole reservation and the next request finds it used up.
    upstream.push(Reply(text="x", usage={"prompt_tokens": 10, "completion_tokens": 9000}))
    chat = backend.client().post(
        "/api/synth-research/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 9000},
    )
    assert chat.status_code == 200
    refused = backend.client().post(
        "/api/synth-research/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert refused.status_code == 429
    shown = session_cli("show")
    assert shown.returncode == 0, shown.stderr
    assert (
        "limit_exceeded" in shown.stdout
        and "EXCEEDED" in shown.stdout
        and session["session_id"] in shown.stdout
    )
    listed = session_cli("list")
    assert session["session_id"] in listed.stdout and "EXCEEDED" in listed.stdout
    raised = session_cli("increase", "--metric", "cost_usd", "--by", "1", "--format", "json")
    assert json.loads(raised.stdout)["status"] == "active"
    ended = session_cli("end", session["session_id"], "--format", "json")
    assert json.loads(ended.stdout)["status"] == "ended"
    as_json = json.loads(session_cli("list", "--format", "json").stdout)
    assert [s["status"] for s in as_json] == ["ended"]


def test_cli_errors_are_one_line_with_what_to_do(session_cli):
    missing = session_cli("show", "sess_does_not_exist")
    assert (
        missing.returncode == 1
        and "sess_does_not_exist" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    bad = session_cli("start", "--expires-in", "forever")
    assert bad.returncode == 2 and "30m" in bad.stderr


def test_an_unreachable_backend_says_how_to_start_one(cli):
    result = cli(
        "session", "list", env={"SYNTH_BACKEND_URL": "http://127.0.0.1:9", "SYNTH_API_KEY": "k"}
    )
    assert result.returncode == 1 and "synth-ai serve" in result.stderr


@pytest.mark.parametrize(
    "args, named",
    [
        (("start", "--limit-cost", "nan"), "'nan' is not a finite number"),
        (("start", "--limit-gpu-hours", "inf"), "'inf' is not a finite number"),
        (("start", "--limit-cost", "ten"), "'ten' is not a number"),
        (("start", "--limit-cost", "0"), "must be > 0, got '0'"),
        (("start", "--limit-tokens", "0"), "0 is not in the range x>=1"),
        (("increase", "--by", "nan"), "'nan' is not a finite number"),
        (("increase", "--by", "0"), "must be > 0, got '0'"),
        (("show", "../../health"), "'../../health' is not a session id"),
        (("end", ".."), "'..' is not a session id"),
        (("start", "--soft"), "--soft applies to the limits you give"),
    ],
)
def test_bad_numbers_and_ids_are_refused_before_anything_is_sent(cli, args, named):
    result = cli(
        "session", *args, env={"SYNTH_BACKEND_URL": "http://127.0.0.1:9", "SYNTH_API_KEY": "k"}
    )
    assert result.returncode == 2, result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
    assert "not reachable" not in result.stderr  # refused before any request
