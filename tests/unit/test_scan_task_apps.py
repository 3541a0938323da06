"""``ScanTaskApps`` on fakes: every source, one record per URL, stale records, keys stay home."""

import pytest
from synth_ai.domain.discovery.model import AppKind, Health, ScanRequest, Source
from synth_ai.domain.discovery.service import ScanTaskApps
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.task_apps.deployments import ServiceRecord
from synth_ai.domain.tunnels.model import TunnelRecord

from tests.fakes import FakeClock
from tests.fakes.discovery import FakeBackendTunnels, FakePortSweep, ScriptedProbe
from tests.fakes.processes import FakeProcesses
from tests.fakes.task_apps import InMemoryServiceRecords

KEY = "sk-env-key"
SYNTH = ["/usr/bin/python3", "-m", "synth_ai.task_app.runner"]


class World:
    def __init__(self, backend: FakeBackendTunnels | None = None):
        self.sweep = FakePortSweep()
        self.records = InMemoryServiceRecords()
        self.processes = FakeProcesses()
        self.probe = ScriptedProbe()
        self.service = ScanTaskApps(
            sweep=self.sweep,
            records=self.records,
            processes=self.processes,
            probe=self.probe,
            clock=FakeClock(),
            backend_tunnels=backend,
        )

    def deployment(self, record_id: str, port: int, *, running: bool = True, **kw) -> ServiceRecord:
        pid = self.processes.start(SYNTH) if running else 999_999
        record = ServiceRecord(
            id=record_id,
            url=kw.pop("url", f"http://127.0.0.1:{port}"),
            port=port,
            type=kw.pop("type", "local"),
            pid=pid,
            created_at=1.0,
            local_url=f"http://127.0.0.1:{port}",
            **kw,
        )
        self.records.add(record)
        return record

    def scan(self, **kw):
        return self.service.run(ScanRequest(**{"api_key": KEY, **kw}))


@pytest.fixture
def world():
    return World()


def by_url(report):
    return {app.candidate.url: app for app in report.apps}


def test_nothing_running_finds_nothing_and_sweeps_both_loopbacks(world):
    report = world.scan()
    assert report.apps == () and report.stale == () and report.problems == ()
    assert world.sweep.calls[0][:3] == (("127.0.0.1", "::1"), 8000, 8100)
    assert world.probe.requests == []


def test_an_open_port_with_a_task_app_is_healthy_with_its_metadata(world):
    world.sweep.open = {("127.0.0.1", 8010), ("::1", 8010)}
    world.probe.task_app("http://127.0.0.1:8010", "arith")
    [app] = world.scan().apps
    assert (app.health, app.name, app.candidate.port) == (Health.HEALTHY, "arith", 8010)
    assert app.candidate.addresses == ("http://[::1]:8010",)
    assert app.metadata.version == "1.2.0" and app.candidate.via is Source.PORT_SCAN


def test_a_deployment_record_and_the_sweep_merge_into_one_app_from_the_record(world):
    world.deployment("svc_a", 8020, app_id="arith", task_app_path="/x/app.py")
    world.sweep.open = {("127.0.0.1", 8020)}
    world.probe.task_app("http://127.0.0.1:8020")
    [app] = world.scan().apps
    assert app.candidate.via is Source.SERVICE_RECORDS
    assert app.candidate.sources == (Source.SERVICE_RECORDS, Source.PORT_SCAN)
    assert (app.candidate.record_id, app.candidate.task_app_path) == ("svc_a", "/x/app.py")


def test_a_record_outside_the_port_range_is_still_found(world):
    world.deployment("svc_far", 9500)
    world.probe.task_app("http://127.0.0.1:9500")
    assert [a.candidate.port for a in world.scan().apps] == [9500]


def test_a_record_whose_process_is_gone_and_url_is_silent_is_stale_not_an_app(world):
    world.deployment("svc_gone", 8030, running=False)
    report = world.scan()
    assert report.apps == ()
    [stale] = report.stale
    assert (stale.record_id, stale.pid) == ("svc_gone", 999_999)
    assert "is gone and connection refused" in stale.reason


def test_a_record_whose_pid_was_reused_by_another_program_is_stale_too(world):
    record = world.deployment("svc_reused", 8031)
    world.processes.stop(record.pid)
    world.processes.start(["/usr/bin/vim"], pid=record.pid)
    assert [s.record_id for s in world.scan().stale] == ["svc_reused"]


def test_a_gone_record_whose_port_answers_is_an_app_but_not_trusted_with_the_key(world):
    world.deployment("svc_gone", 8032, running=False, url="https://x.example.test", type="tunnel")
    world.probe.task_app("https://x.example.test")
    report = world.scan()
    assert [a.candidate.url for a in report.apps] == ["https://x.example.test"]
    assert world.probe.key_sent_to("https://x.example.test") is None
    assert [s.url for s in report.stale] == ["http://127.0.0.1:8032"]


def test_the_key_goes_to_loopback_and_live_records_but_not_to_a_tunnel_seen_only_in_a_log(world):
    world.deployment("svc_t", 8040, type="tunnel", url="https://mine.trycloudflare.com")
    world.processes.start(
        ["cloudflared", "tunnel", "--url", "http://127.0.0.1:8041"],
        log="INF https://theirs.trycloudflare.com",
    )
    for url in (
        "http://127.0.0.1:8040",
        "https://mine.trycloudflare.com",
        "http://127.0.0.1:8041",
        "https://theirs.trycloudflare.com",
    ):
        world.probe.task_app(url, key=KEY)
    apps = by_url(world.scan())
    assert world.probe.key_sent_to("http://127.0.0.1:8040") == KEY
    assert world.probe.key_sent_to("https://mine.trycloudflare.com") == KEY
    assert world.probe.key_sent_to("http://127.0.0.1:8041") == KEY
    assert world.probe.key_sent_to("https://theirs.trycloudflare.com") is None
    theirs = apps["https://theirs.trycloudflare.com"]
    assert theirs.health is Health.AUTH_REQUIRED and "not sent" in theirs.reason
    assert apps["https://mine.trycloudflare.com"].health is Health.HEALTHY


def test_send_key_anywhere_sends_it_to_a_tunnel_seen_only_in_a_log(world):
    world.processes.start(
        ["cloudflared", "tunnel", "--url", "http://127.0.0.1:8041"],
        log="INF https://theirs.trycloudflare.com",
    )
    world.probe.task_app("https://theirs.trycloudflare.com", key=KEY)
    world.scan(send_key_anywhere=True)
    assert world.probe.key_sent_to("https://theirs.trycloudflare.com") == KEY


def test_a_tunnel_process_joins_its_record_so_the_public_url_is_one_cloudflare_app(world):
    record = world.deployment(
        "svc_q",
        8050,
        type="tunnel",
        url="https://q.trycloudflare.com",
        tunnel_mode="quick",
        hostname="q.trycloudflare.com",
    )
    pid = world.processes.start(["cloudflared", "tunnel", "--url", record.local_url])
    world.probe.task_app("https://q.trycloudflare.com")
    world.probe.task_app("http://127.0.0.1:8050")
    report = world.scan()
    public = by_url(report)["https://q.trycloudflare.com"]
    assert public.candidate.kind is AppKind.CLOUDFLARE and public.candidate.tunnel_mode == "quick"
    local = by_url(report)["http://127.0.0.1:8050"]
    assert local.candidate.sources == (Source.TUNNEL_RECORDS, Source.CLOUDFLARED_PROCESS)
    assert local.candidate.tunnel_pid == pid
    assert (report.count_kind(AppKind.LOCAL), report.count_kind(AppKind.CLOUDFLARE)) == (1, 1)


def test_the_backends_managed_tunnels_are_apps_trusted_with_the_key():
    tunnel = TunnelRecord(
        "t1", "demo", "demo.tunnels.example.test", "127.0.0.1", 8060, "", "active", 1.0
    )
    world = World(backend=FakeBackendTunnels([tunnel]))
    world.probe.task_app("https://demo.tunnels.example.test", key=KEY)
    [app] = world.scan().apps
    assert app.candidate.via is Source.BACKEND_API and app.health is Health.HEALTHY
    assert world.probe.key_sent_to("https://demo.tunnels.example.test") == KEY


def test_a_failing_source_is_reported_and_the_others_still_count():
    world = World(backend=FakeBackendTunnels(error=ServiceUnavailable("backend not reachable")))
    world.deployment("svc_a", 8070)
    world.probe.task_app("http://127.0.0.1:8070")
    report = world.scan()
    assert [a.candidate.port for a in report.apps] == [8070]
    assert report.problems == ("backend_api: backend not reachable",)


def test_a_plain_http_server_and_a_silent_port_are_classified_not_dropped(world):
    world.sweep.open = {("127.0.0.1", 8080), ("127.0.0.1", 8081)}
    world.probe.answer("http://127.0.0.1:8080", health=(404, None), info=(404, None))
    world.probe.answer("http://127.0.0.1:8081", health=None, info=None, error="no answer within 2s")
    apps = by_url(world.scan())
    assert apps["http://127.0.0.1:8080"].health is Health.NOT_TASK_APP
    assert apps["http://127.0.0.1:8081"].health is Health.UNREACHABLE
    assert apps["http://127.0.0.1:8081"].reason == "no answer within 2s"


def test_without_a_key_nothing_is_sent_and_auth_required_says_to_give_one(world):
    world.sweep.open = {("127.0.0.1", 8090)}
    world.probe.task_app("http://127.0.0.1:8090", key=KEY)
    [app] = world.scan(api_key=None).apps
    assert world.probe.requests[0].api_key is None
    assert app.health is Health.AUTH_REQUIRED and "no key given" in app.reason


def test_the_sweep_is_bounded_by_a_short_connect_timeout(world):
    world.scan(timeout=5.0)
    assert world.sweep.calls[0][3] == 0.5
