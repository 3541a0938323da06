"""The cloudflared adapter driving the stand-in binary: quick, managed, rate limit, failures."""

import os

import pytest
from synth_ai.adapters.cloudflared import CloudflaredTunnels, find_cloudflared
from synth_ai.adapters.records_file import pid_alive
from synth_ai.domain.tunnels.errors import (
    CloudflaredNotFound,
    InvalidTunnel,
    TunnelFailed,
    TunnelRateLimited,
)
from synth_ai.domain.tunnels.model import QUICK_URL, EdgeOverrides
from synth_ai.http.errors import http_status
from synth_ai.task_app.client import TaskAppClient

from tests.support.tunnels import (  # noqa: F401
    ENV_KEY,
    EXAMPLE_APP,
    FAKE_CLOUDFLARED,
    cloudflare_api,
    env_key,
    fake_cloudflare,
)


@pytest.fixture
def task_app(env_key):
    from synth_ai.task_app.in_process import InProcessTaskApp

    with InProcessTaskApp(task_app_path=EXAMPLE_APP, port=0) as app:
        yield app


def provider(fake, home, **kwargs) -> CloudflaredTunnels:
    return CloudflaredTunnels(
        home=home,
        binary=str(FAKE_CLOUDFLARED),
        overrides=EdgeOverrides.parse(fake.env["SYNTH_AI_TUNNEL_RESOLVE"]),
        url_timeout=10,
        health_timeout=5,
        **kwargs,
    )


def test_a_quick_tunnel_reports_its_trycloudflare_url_and_stops_with_close(
    fake_cloudflare, task_app, tmp_path
):
    tunnel = provider(fake_cloudflare, tmp_path).open("127.0.0.1", task_app.port, mode="quick")
    assert QUICK_URL.fullmatch(tunnel.url)
    assert any("Your quick Tunnel has been created" in line for line in tunnel.lines)
    with TaskAppClient(
        tunnel.url, ENV_KEY, overrides=provider(fake_cloudflare, tmp_path).overrides
    ) as client:
        assert client.health()["healthy"] is True
    pid = tunnel.pid
    assert pid_alive(pid)
    tunnel.close()
    assert not pid_alive(pid)


def test_a_rate_limited_quick_tunnel_raises_the_dedicated_error(
    fake_cloudflare, task_app, tmp_path, monkeypatch
):
    monkeypatch.setenv("FAKE_CLOUDFLARED_RATE_LIMIT", "1")
    with pytest.raises(TunnelRateLimited, match="429 / error 1015") as caught:
        provider(fake_cloudflare, tmp_path).open("127.0.0.1", task_app.port, mode="quick")
    assert http_status(caught.value) == 429


def test_cloudflared_that_exits_at_once_is_reported_with_its_output(
    fake_cloudflare, tmp_path, task_app, monkeypatch
):
    monkeypatch.delenv("FAKE_CLOUDFLARED_EDGE")
    with pytest.raises(TunnelFailed, match="FAKE_CLOUDFLARED_EDGE is not set"):
        provider(fake_cloudflare, tmp_path).open("127.0.0.1", task_app.port, mode="quick")


def test_a_missing_binary_gives_install_instructions(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        CloudflaredNotFound, match="cloudflared is not installed .*brew install cloudflared"
    ):
        find_cloudflared(None, tmp_path)
    with pytest.raises(CloudflaredNotFound, match="not found at /nope/cloudflared"):
        find_cloudflared("/nope/cloudflared", tmp_path)


def test_the_binary_is_found_in_synth_home_bin_before_path(tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    binary = tmp_path / "bin" / "cloudflared"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", str(FAKE_CLOUDFLARED.parent))
    assert find_cloudflared(None, tmp_path) == str(binary)
    binary.unlink()
    assert find_cloudflared(None, tmp_path) == str(FAKE_CLOUDFLARED)


def test_a_managed_tunnel_without_a_backend_issuer_says_what_is_needed(fake_cloudflare, tmp_path):
    with pytest.raises(InvalidTunnel, match="managed tunnels need a backend"):
        provider(fake_cloudflare, tmp_path).open("127.0.0.1", 8114, mode="managed")


def test_a_managed_tunnel_runs_cloudflared_with_the_backend_issued_token_kept_out_of_ps(
    fake_cloudflare,
    tmp_path,
    task_app,
    cloudflare_api,
):
    from synth_ai.adapters.cloudflare_api import HttpCloudflareApi
    from synth_ai.adapters.sqlite import Database
    from synth_ai.adapters.sqlite.tunnels import SqliteTunnelRecords
    from synth_ai.adapters.system import RandomIds, SystemClock
    from synth_ai.domain.tunnels.service import ManagedTunnelService

    api = HttpCloudflareApi(
        account_id=cloudflare_api.account_id,
        api_token=cloudflare_api.api_token,
        zone_id=cloudflare_api.zone_id,
        base_url=cloudflare_api.url,
    )
    service = ManagedTunnelService(
        api,
        SqliteTunnelRecords(Database(tmp_path / "db.sqlite")),
        SystemClock(),
        RandomIds(),
        "tunnels.example.test",
    )

    class Issuer:
        def issue(self, **kwargs):
            return service.issue("org_local", **kwargs)

    tunnel = provider(fake_cloudflare, tmp_path, issuer=Issuer()).open(
        "127.0.0.1", task_app.port, mode="managed", subdomain="demo"
    )
    try:
        assert tunnel.url == "https://demo.tunnels.example.test"
        with TaskAppClient(
            tunnel.url,
            ENV_KEY,
            overrides=EdgeOverrides.parse(fake_cloudflare.env["SYNTH_AI_TUNNEL_RESOLVE"]),
        ) as client:
            assert client.info()["service"]["task"]["id"] == "arithmetic"
        [issued] = cloudflare_api.tunnels.values()
        token = issued["token"]
        with open(f"/proc/{tunnel.pid}/cmdline", "rb") as handle:
            command_line = handle.read().decode()
        assert token not in command_line and "--token" not in command_line  # 'ps' shows argv
        assert tunnel.process.args[-1] == "run"
    finally:
        tunnel.close()
    assert not os.path.exists(f"/proc/{tunnel.pid}") or not pid_alive(tunnel.pid)


@pytest.mark.parametrize(
    ("argv", "environ", "said"),
    [
        (["run", "--token", "not-a-token"], {}, "Provided Tunnel token is not valid"),
        (["run"], {"TUNNEL_TOKEN": "not-a-token"}, "Provided Tunnel token is not valid"),
        (["run"], {}, "requires the ID or name of the tunnel to run or a token"),
    ],
)
def test_the_stand_in_takes_the_token_from_argv_or_tunnel_token_like_cloudflared(
    argv, environ, said
):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TUNNEL_TOKEN"}
    env |= {"FAKE_CLOUDFLARED_PYTHON": sys.executable, **environ}
    done = subprocess.run(
        [str(FAKE_CLOUDFLARED), "tunnel", "--no-autoupdate", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1 and said in done.stderr


def test_cloudflared_that_prints_no_url_in_time_fails_and_is_stopped(
    fake_cloudflare, tmp_path, task_app, monkeypatch
):
    monkeypatch.setenv("FAKE_CLOUDFLARED_SILENT", "1")
    tunnels = provider(fake_cloudflare, tmp_path)
    tunnels.url_timeout = 0.5
    with pytest.raises(
        TunnelFailed, match=r"printed no tunnel URL within 0.5s (?s:.*)Requesting new"
    ):
        tunnels.open("127.0.0.1", task_app.port, mode="quick")
    [pid] = fake_cloudflare.started_pids()
    assert not pid_alive(pid)
