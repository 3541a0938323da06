"""features/scan.feature: real processes on real ports, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from synth_ai.adapters.procfs import ProcfsInspector
from synth_ai.adapters.records_file import ServicesFile
from synth_ai.adapters.waitress_host import port_is_free
from synth_ai.domain.task_apps.deployments import ServiceRecord

from tests.support.tunnels import (  # noqa: F401 - fixtures
    ENV_KEY,
    EXAMPLE_APP,
    FAKE_CLOUDFLARED,
    cloudflare_api,
    fake_cloudflare,
    reap_deployments,
)

pytestmark = pytest.mark.usefixtures("reap_deployments")

scenarios("scan.feature")

BLOCK = 6
SCRIPT = """
import sys, time
from synth_ai import InProcessTaskApp
with InProcessTaskApp(task_app_path=sys.argv[1], port=int(sys.argv[2])) as app:
    print("READY", app.port, flush=True)
    while True:
        time.sleep(0.05)
"""


class Scene:
    def __init__(self, ports: list[int]):
        self.ports = ports
        self.processes: dict[str, subprocess.Popen] = {}
        self.pids: dict[str, int] = {}
        self.result: subprocess.CompletedProcess | None = None
        self.report: dict = {}
        self.dashboard: dict = {}
        self.deployment: dict = {}
        self.stale_id = ""
        self.tunnel_url = ""

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def app(self, url: str) -> dict:
        found = [a for a in self.report["apps"] if a["url"] == url]
        assert found, f"{url} not in {[a['url'] for a in self.report['apps']]}"
        return found[0]

    def kill_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)


def free_block() -> list[int]:
    for _ in range(200):
        base = random.randrange(20000, 30000 - BLOCK)
        ports = list(range(base, base + BLOCK))
        if all(port_is_free("127.0.0.1", p) and port_is_free("::1", p) for p in ports):
            return ports
    raise AssertionError("no block of free ports between 20000 and 30000")


def listening(port: int) -> bool:
    """Whether something accepts connections on ``port`` (a closed server may leave TIME_WAIT
    sockets that make binding fail for a while, so binding is not the test)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def scene():
    made = Scene(free_block())
    yield made
    made.kill_all()


def start_script(scene: Scene, name: str, index: int, tmp_path, key: str) -> None:
    script = tmp_path / f"{name}.py"
    script.write_text(SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), str(EXAMPLE_APP), str(scene.ports[index])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "ENVIRONMENT_API_KEY": key},
    )
    scene.processes[name] = process
    scene.pids[name] = process.pid
    line = process.stdout.readline()
    assert line.split() == ["READY", str(scene.ports[index])], line


@given("a block of free local ports")
def block_of_ports(scene):
    assert len(scene.ports) == BLOCK


@given("ENVIRONMENT_API_KEY is set to the user's key")
def users_key(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT_API_KEY", ENV_KEY)


@given("a task app running in the user's script with InProcessTaskApp")
def in_process_app(scene, tmp_path):
    start_script(scene, "in_process", 0, tmp_path, ENV_KEY)


@given("a task app deployed with synth-ai deploy --runtime local")
def deployed_app(scene, cli):
    result = cli(
        "deploy",
        "--runtime",
        "local",
        "--task-app",
        str(EXAMPLE_APP),
        "--port",
        str(scene.ports[1]),
        "--background",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [scene.deployment] = json.loads(cli("deploy", "list", "--format", "json").stdout)
    assert scene.deployment["port"] == scene.ports[1]
    scene.pids["deployment"] = scene.deployment["pid"]


@given("a plain HTTP server that is not a task app")
def plain_server(scene, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(scene.ports[2]), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    scene.processes["plain"] = process
    scene.pids["plain"] = process.pid
    deadline = time.monotonic() + 20
    while port_is_free("127.0.0.1", scene.ports[2]):
        assert time.monotonic() < deadline, "http.server did not start"
        time.sleep(0.05)


@given("a task app that wants a key the user does not have")
def app_with_other_key(scene, tmp_path):
    start_script(scene, "other_key", 3, tmp_path, "sk-someone-elses-key")


@given("a record of a deployment whose process is gone")
def stale_record(scene, synth_home):
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    )
    dead = int(done.stdout)
    scene.stale_id = "svc_gone"
    ServicesFile(synth_home / "services.json", is_alive=lambda pid: True).add(
        ServiceRecord(
            id=scene.stale_id,
            url=scene.url(4),
            port=scene.ports[4],
            type="local",
            pid=dead,
            created_at=time.time() - 3600,
            local_url=scene.url(4),
            app_id="arithmetic",
        )
    )


@given("a stand-in cloudflared quick tunnel to the InProcessTaskApp")
def quick_tunnel(scene, fake_cloudflare, tmp_path):
    log = tmp_path / "cloudflared.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [str(FAKE_CLOUDFLARED), "tunnel", "--no-autoupdate", "--url", scene.url(0)],
            stdout=subprocess.DEVNULL,
            stderr=handle,
            env=dict(os.environ),
        )
    scene.processes["cloudflared"] = process
    scene.pids["cloudflared"] = process.pid
    from synth_ai.domain.tunnels.model import find_quick_url

    deadline = time.monotonic() + 30
    while not scene.tunnel_url:
        assert time.monotonic() < deadline and process.poll() is None, log.read_text()
        scene.tunnel_url = next(filter(None, map(find_quick_url, log.read_text().splitlines())), "")
        time.sleep(0.05)


def run_scan(cli, scene, *extra: str):
    first, last = scene.ports[0], scene.ports[-1]
    return cli("scan", "--port-range", f"{first}:{last}", *extra, timeout=60)


@when("the user runs synth-ai scan --format json over the block")
def scan_json(scene, cli):
    scene.result = run_scan(cli, scene, "--format", "json")
    assert scene.result.returncode == 0, scene.result.stdout + scene.result.stderr
    scene.report = json.loads(scene.result.stdout)


@when("the user runs synth-ai scan over the block")
def scan_table(scene, cli):
    scene.result = run_scan(cli, scene)


@when(parsers.parse('the user runs synth-ai scan with {option} "{value}"'))
def scan_with(scene, cli, option, value):
    scene.result = cli("scan", option, value)


@then("the scan exits 0")
def exits_zero(scene):
    assert scene.result.returncode == 0, scene.result.stderr


@then(parsers.parse('the scan exits 2 with one line naming "{value}"'))
def exits_two(scene, value):
    assert scene.result.returncode == 2
    lines = scene.result.stderr.strip().splitlines()
    assert len(lines) == 1 and value in lines[0] and "Traceback" not in lines[0], lines
    assert scene.result.stdout == ""


@then("the InProcessTaskApp is healthy, found by the port scan and by cloudflared")
def in_process_found(scene):
    app = scene.app(scene.url(0))
    assert (app["health_status"], app["app_id"], app["type"]) == ("healthy", "arithmetic", "local")
    assert {"port_scan", "cloudflared_process"} <= set(app["sources"])
    assert app["key_sent"] is True and app["tunnel_pid"] == scene.pids["cloudflared"]


@then("the deployed task app is healthy, found through its service record")
def deployed_found(scene):
    app = scene.app(scene.url(1))
    assert (app["health_status"], app["discovered_via"]) == ("healthy", "service_records")
    assert app["record_id"] == scene.deployment["id"] and app["pid"] == scene.deployment["pid"]
    assert "port_scan" in app["sources"] and app["metadata"]["task_app_path"] == str(EXAMPLE_APP)
    assert app["version"] and app["task_name"]


@then("the plain HTTP server is reported as not a task app")
def plain_reported(scene):
    app = scene.app(scene.url(2))
    assert app["health_status"] == "not_task_app"
    assert "/health answered 404" in app["status_reason"]


@then("the task app with another key is reported as auth required")
def other_key_reported(scene):
    app = scene.app(scene.url(3))
    assert app["health_status"] == "auth_required" and app["key_sent"] is True
    assert "the key was refused" in app["status_reason"]


@then("the quick tunnel is a cloudflare app that was not sent the key")
def tunnel_reported(scene):
    app = scene.app(scene.tunnel_url)
    assert (app["type"], app["tunnel_mode"], app["discovered_via"]) == (
        "cloudflare",
        "quick",
        "cloudflared_process",
    )
    assert app["key_sent"] is False and app["local_url"] == scene.url(0)
    assert app["health_status"] == "auth_required" and "not sent" in app["status_reason"]


@then("the dead deployment is reported as stale, not as an app")
def stale_reported(scene):
    assert scene.url(4) not in [a["url"] for a in scene.report["apps"]]
    [stale] = [s for s in scene.report["stale"] if s["record_id"] == scene.stale_id]
    assert stale["url"] == scene.url(4) and "is gone" in stale["reason"]


@then("the summary counts match the apps in the public shape")
def summary_matches(scene):
    report, apps = scene.report, scene.report["apps"]
    summary = report["scan_summary"]
    public = {"total_found", "healthy", "unhealthy", "local_count", "cloudflare_count"}
    assert public <= set(summary)
    assert summary["total_found"] == len(apps)
    assert summary["healthy"] == sum(a["health_status"] == "healthy" for a in apps)
    assert summary["local_count"] + summary["cloudflare_count"] == len(apps)
    assert summary["stale"] == len(report["stale"]) >= 1
    for app in apps:
        assert {
            "name",
            "url",
            "type",
            "health_status",
            "port",
            "tunnel_mode",
            "tunnel_hostname",
            "app_id",
            "task_name",
            "dataset_id",
            "version",
            "metadata",
            "discovered_via",
        } <= set(app)


@then("the table shows every app with its status")
def table_shows(scene):
    out = scene.result.stdout
    assert scene.result.returncode == 0, scene.result.stderr
    for word in ("discovered via", "arithmetic", "healthy", "not task app", "auth required"):
        assert word in out, out
    assert f"stale record {scene.stale_id}" in out
    for port in scene.ports[:4]:
        assert str(port) in out


@when("the user stops everything")
def stop_everything(scene, cli):
    result = cli("deploy", "stop", "--all")
    assert result.returncode == 0, result.stderr
    for name, process in scene.processes.items():
        process.send_signal(
            signal.SIGINT if name in ("in_process", "other_key") else signal.SIGTERM
        )
        process.wait(30)


@then("no process the scenario started is running, checked by pid")
def nothing_running(scene, fake_cloudflare):
    inspector = ProcfsInspector()
    assert len(scene.pids) == 5
    assert [name for name, pid in scene.pids.items() if inspector.is_alive(pid)] == []
    assert [pid for pid in fake_cloudflare.started_pids() if inspector.is_alive(pid)] == []
    assert [port for port in scene.ports if listening(port)] == []


@then("no app is reported")
def no_app(scene):
    assert scene.report["scan_summary"]["total_found"] == len(scene.report["apps"])
    assert [a for a in scene.report["apps"] if a["port"] in scene.ports] == []


@when("the dashboard asks the backend for the task apps on its machine")
def dashboard_task_apps(scene, backend):
    with backend.client() as http:
        response = http.get("/api/task-apps", timeout=60)
    assert response.status_code == 200, response.text
    scene.dashboard = response.json()


@then("the dashboard lists the deployed task app healthy, as the scan does")
def dashboard_lists_deployed(scene):
    def deployed(report):
        (app,) = [a for a in report["apps"] if a["record_id"] == scene.deployment["id"]]
        return app

    shown, scanned = deployed(scene.dashboard), deployed(scene.report)
    assert shown["health_status"] == scanned["health_status"] == "healthy"
    same = ("url", "type", "app_id", "task_name", "version", "pid", "discovered_via")
    assert {k: shown[k] for k in same} == {k: scanned[k] for k in same}
    assert scene.dashboard["scanned_at"].endswith("Z")


@then("the deployed task app is gone")
def deployed_gone(scene):
    assert not ProcfsInspector().is_alive(scene.deployment["pid"])
