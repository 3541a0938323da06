"""The pure rules of discovery: ranges, URLs, merging, the key rule, health, cloudflared."""

import pytest
from synth_ai.domain.discovery.errors import InvalidScanRequest
from synth_ai.domain.discovery.model import (
    AppKind,
    Candidate,
    Health,
    HttpAnswer,
    ProbeResult,
    Source,
)
from synth_ai.domain.discovery.rules import (
    check_timeout,
    classify,
    identity,
    may_send_key,
    merge,
    metadata_of,
    normalise_url,
    parse_port_range,
)
from synth_ai.domain.discovery.sources import from_tunnel_process, read_cloudflared

from tests.fakes.discovery import TASK_APP_HEALTH, task_app_info


def result(health=None, info=None, error=None):
    return ProbeResult(
        "http://127.0.0.1:8000",
        health=HttpAnswer(*health) if health else None,
        info=HttpAnswer(*info) if info else None,
        error=error,
    )


@pytest.mark.parametrize(
    "text, expected",
    [("8000:8100", (8000, 8100)), ("8000-8010", (8000, 8010)), ("8123", (8123, 8123))],
)
def test_a_port_range_is_read_as_start_and_end(text, expected):
    assert parse_port_range(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "9:1", "0:10", "8000:70000", "1:2:3"])
def test_a_bad_port_range_is_refused_with_the_value_and_an_example(text):
    with pytest.raises(InvalidScanRequest, match="--port-range .* e.g. 8000:8100"):
        parse_port_range(text)


@pytest.mark.parametrize("seconds", [0, -1, float("nan")])
def test_a_timeout_must_be_a_positive_number_of_seconds(seconds):
    with pytest.raises(InvalidScanRequest, match="--timeout"):
        check_timeout(seconds)


def test_spellings_of_one_place_normalise_to_one_url():
    assert normalise_url("HTTP://LocalHost:8000/") == "http://127.0.0.1:8000"
    assert normalise_url("https://Abc.trycloudflare.com:443/") == "https://abc.trycloudflare.com"
    assert normalise_url("http://[::1]:8000") == "http://[::1]:8000"


def test_every_loopback_address_of_one_port_is_one_app_but_other_ports_are_not():
    assert identity("http://127.0.0.1:8000") == identity("http://[::1]:8000/")
    assert identity("http://127.0.0.1:8000") != identity("http://127.0.0.1:8001")
    assert identity("https://a.trycloudflare.com") != identity("https://b.trycloudflare.com")


def test_merging_keeps_one_candidate_per_url_with_the_richest_fields_and_every_source():
    scanned = Candidate("http://127.0.0.1:8114", (Source.PORT_SCAN,), port=8114)
    scanned6 = Candidate("http://[::1]:8114", (Source.PORT_SCAN,), port=8114)
    recorded = Candidate(
        "http://localhost:8114/",
        (Source.SERVICE_RECORDS,),
        port=8114,
        app_id="arith",
        record_id="svc_1",
        record_pid=42,
        trusted=True,
    )
    via_tunnel = Candidate("http://127.0.0.1:8114", (Source.CLOUDFLARED_PROCESS,), tunnel_pid=77)
    [merged] = merge([scanned, scanned6, recorded, via_tunnel])
    assert merged.url == "http://127.0.0.1:8114"
    assert merged.via is Source.SERVICE_RECORDS
    assert merged.sources == (Source.SERVICE_RECORDS, Source.CLOUDFLARED_PROCESS, Source.PORT_SCAN)
    assert (merged.app_id, merged.record_pid, merged.tunnel_pid) == ("arith", 42, 77)
    assert merged.trusted and merged.addresses == ("http://[::1]:8114",)


def test_a_port_open_only_on_ipv6_keeps_its_ipv6_url():
    [merged] = merge([Candidate("http://[::1]:8001", (Source.PORT_SCAN,), port=8001)])
    assert merged.url == "http://[::1]:8001"


@pytest.mark.parametrize(
    "url, trusted, anywhere, sent",
    [
        ("http://127.0.0.1:8000", False, False, True),
        ("http://[::1]:8000", False, False, True),
        ("http://localhost:8000", False, False, True),
        ("https://abc.trycloudflare.com", False, False, False),
        ("https://abc.trycloudflare.com", True, False, True),
        ("http://192.168.1.20:8000", False, False, False),
        ("http://192.168.1.20:8000", False, True, True),
    ],
)
def test_the_key_goes_only_to_loopback_and_own_records_unless_asked(url, trusted, anywhere, sent):
    candidate = Candidate(url, (Source.CLOUDFLARED_PROCESS,), trusted=trusted)
    assert may_send_key(candidate, send_anywhere=anywhere) is sent


def test_a_task_app_that_answers_health_and_info_is_healthy_with_its_metadata():
    answer = result(health=(200, TASK_APP_HEALTH), info=(200, task_app_info("arith", "1.2.0")))
    assert classify(answer, key_sent=True, key_known=True) == (Health.HEALTHY, "ok")
    meta = metadata_of(answer)
    assert (meta.app_id, meta.task_name, meta.version, meta.dataset_id) == (
        "arith",
        "Arith",
        "1.2.0",
        "arith-ds",
    )


def test_a_task_app_reporting_itself_unhealthy_is_unhealthy_with_its_detail():
    body = {"healthy": False, "detail": "ENVIRONMENT_API_KEY is not set on the task app"}
    health, reason = classify(result(health=(503, body)), key_sent=True, key_known=True)
    assert health is Health.UNHEALTHY
    assert reason == "/health answered 503: ENVIRONMENT_API_KEY is not set on the task app"


@pytest.mark.parametrize(
    "sent, known, why",
    [
        (True, True, "the key was refused"),
        (False, True, "the key was not sent"),
        (False, False, "no key given"),
    ],
)
def test_a_401_or_403_means_auth_required_and_says_why(sent, known, why):
    answer = result(health=(200, TASK_APP_HEALTH), info=(401, {"error": {}}))
    health, reason = classify(answer, key_sent=sent, key_known=known)
    assert health is Health.AUTH_REQUIRED
    assert reason.startswith("/info answered 401: " + why)
    answer = result(health=(403, None))
    assert classify(answer, key_sent=sent, key_known=known)[0] is Health.AUTH_REQUIRED


def test_an_http_server_that_is_not_a_task_app_is_named_so():
    health, reason = classify(
        result(health=(404, None), info=(404, None)), key_sent=False, key_known=False
    )
    assert health is Health.NOT_TASK_APP
    assert reason == "an HTTP server, not a task app: /health answered 404, /info 404"
    other = result(health=(200, {"hello": "world"}), info=(404, None))
    assert classify(other, key_sent=True, key_known=True)[0] is Health.NOT_TASK_APP


def test_no_answer_is_unreachable_with_the_reason():
    assert classify(result(error="no answer within 2s"), key_sent=False, key_known=False) == (
        Health.UNREACHABLE,
        "no answer within 2s",
    )


def test_a_quick_tunnel_is_read_from_its_url_flag_and_the_url_in_its_log():
    log = "INF |  https://amber-basin-cedar-1a2b3c.trycloudflare.com  |\n"
    argv = ["/usr/bin/cloudflared", "tunnel", "--no-autoupdate", "--url", "http://127.0.0.1:8114"]
    tunnel = read_cloudflared(9, argv, log)
    assert (tunnel.mode, tunnel.origin) == ("quick", "http://127.0.0.1:8114")
    origin, public = from_tunnel_process(tunnel)
    assert (origin.url, origin.kind, origin.port) == ("http://127.0.0.1:8114", AppKind.LOCAL, 8114)
    assert public.url == "https://amber-basin-cedar-1a2b3c.trycloudflare.com"
    assert (public.kind, public.tunnel_mode, public.tunnel_pid) == (AppKind.CLOUDFLARE, "quick", 9)
    assert not public.trusted


def test_a_quick_tunnel_without_a_log_still_gives_its_origin():
    tunnel = read_cloudflared(9, ["cloudflared", "tunnel", "--url=http://127.0.0.1:8001"])
    assert [c.url for c in from_tunnel_process(tunnel)] == ["http://127.0.0.1:8001"]


def test_a_managed_tunnel_is_read_from_the_ingress_it_logs():
    log = (
        'INF Updated to new configuration config="{\\"ingress\\":[{\\"hostname\\":\\"demo.example.test\\",'
        '\\"service\\":\\"http://127.0.0.1:8114\\"},{\\"service\\":\\"http_status:404\\"}]}" version=1'
    )
    tunnel = read_cloudflared(5, ["cloudflared", "tunnel", "--no-autoupdate", "run"], log)
    assert tunnel.mode == "managed"
    [public] = from_tunnel_process(tunnel)
    assert (public.url, public.local_url, public.port) == (
        "https://demo.example.test",
        "http://127.0.0.1:8114",
        8114,
    )


def test_other_cloudflared_commands_are_not_tunnels():
    assert read_cloudflared(5, ["cloudflared", "access", "login"]) is None
    assert read_cloudflared(5, ["cloudflared", "tunnel", "list"]) is None


def test_a_server_that_does_not_speak_http_is_not_a_task_app_rather_than_unreachable():
    answer = ProbeResult("http://127.0.0.1:6379", error="it closed the connection", not_http=True)
    assert classify(answer, key_sent=False, key_known=False) == (
        Health.NOT_TASK_APP,
        "a server that does not speak HTTP (it closed the connection)",
    )
