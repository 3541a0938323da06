"""``InProcessTaskApp``: sources, ports, health, callbacks, async, tunnels and signals."""

import asyncio
import signal
import socket
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from synth_ai import InProcessTaskApp
from synth_ai.adapters.records_file import pid_alive
from synth_ai.adapters.waitress_host import port_is_free
from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.task_apps.errors import InvalidTaskApp, TaskAppNotHealthy
from synth_ai.domain.tunnels.errors import TunnelRateLimited
from synth_ai.domain.tunnels.model import QUICK_URL
from synth_ai.task_app.loading import load_task_app

from tests.fakes.tunnels import LoopbackTunnels
from tests.support.tunnels import (  # noqa: F401
    ENV_KEY,
    EXAMPLE_APP,
    ROOT,
    cloudflare_api,
    env_key,
    fake_cloudflare,
    rollout_body,
    upstream,
)
from tests.support.user_script import start_user_script


def test_exactly_one_source_is_required():
    with pytest.raises(
        InvalidInput,
        match="exactly one of app=, config=, config_factory= or task_app_path= "
        r"\(got none\)",
    ):
        InProcessTaskApp()
    with pytest.raises(InvalidInput, match=r"\(got config, task_app_path\)"):
        InProcessTaskApp(config=object(), task_app_path="x.py")


def test_a_task_app_path_must_be_a_python_file_exposing_an_app(tmp_path):
    with pytest.raises(InvalidTaskApp, match="is not a .py file"):
        InProcessTaskApp(task_app_path=tmp_path / "app.txt").start()
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    with pytest.raises(
        InvalidTaskApp, match="defines none of build_config\\(\\), create_app\\(\\) or app"
    ):
        InProcessTaskApp(task_app_path=empty).start()
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(InvalidTaskApp, match="failed to import: RuntimeError: boom"):
        InProcessTaskApp(task_app_path=broken).start()


def test_a_file_exposing_create_app_or_a_wsgi_app_is_served(tmp_path, env_key):
    module = tmp_path / "factory.py"
    module.write_text(
        textwrap.dedent(f"""
        import importlib.util
        spec = importlib.util.spec_from_file_location("ex", {str(EXAMPLE_APP)!r})
        ex = importlib.util.module_from_spec(spec); spec.loader.exec_module(ex)
        from synth_ai import create_task_app
        def create_app():
            return create_task_app(ex.build_config())
    """)
    )
    with InProcessTaskApp(task_app_path=module, port=0) as app:
        assert app.app_id == "arithmetic"
        assert httpx.get(app.url + "/health").json()["healthy"] is True


def test_a_busy_port_is_skipped_without_touching_its_holder(env_key):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    try:
        with InProcessTaskApp(config_factory=lambda: load_task_app(EXAMPLE_APP), port=busy) as app:
            assert app.port != busy
            assert app.local_url == f"http://127.0.0.1:{app.port}" == app.url
        with pytest.raises(InvalidInput, match=f"port {busy} on 127.0.0.1 is already in use"):
            InProcessTaskApp(
                config=load_task_app(EXAMPLE_APP), port=busy, auto_find_port=False
            ).start()
        assert holder.fileno() != -1
        holder.getsockname()
    finally:
        holder.close()


def test_a_host_that_cannot_be_bound_or_a_boolean_port_is_named(env_key):
    with pytest.raises(InvalidInput, match="cannot listen on 256.1.1.1:0 .* 127.0.0.1"):
        InProcessTaskApp(config=load_task_app(EXAMPLE_APP), host="256.1.1.1", port=0).start()
    with pytest.raises(InvalidInput, match="port True is invalid"):
        InProcessTaskApp(config=load_task_app(EXAMPLE_APP), port=True)


def test_a_wildcard_bind_is_reached_and_tunnelled_on_loopback(env_key):
    tunnels = LoopbackTunnels()
    with InProcessTaskApp(
        config=load_task_app(EXAMPLE_APP),
        host="0.0.0.0",
        port=0,
        tunnel_mode="quick",
        tunnel_provider=tunnels,
    ) as app:
        assert app.local_url == f"http://127.0.0.1:{app.port}"
        assert app.url == tunnels.opened[0].url == app.local_url


def test_on_start_and_on_stop_run_in_order_and_the_port_is_freed(env_key):
    events = []
    app = InProcessTaskApp(
        config=load_task_app(EXAMPLE_APP),
        port=0,
        on_start=lambda a: events.append(("start", httpx.get(a.url + "/health").status_code)),
        on_stop=lambda a: events.append(("stop", httpx.get(a.url + "/health").status_code)),
    )
    with app:
        port = app.port
    assert events == [("start", 200), ("stop", 200)]
    assert port_is_free("127.0.0.1", port)


def test_an_error_in_the_users_block_still_closes_on_stop_then_tunnel_then_server(env_key):
    tunnels = LoopbackTunnels()
    seen_by_on_stop = []

    def on_stop(app):
        seen_by_on_stop.append(
            (app.tunnel.closed, httpx.get(app.local_url + "/health").status_code)
        )

    with pytest.raises(RuntimeError, match="user error"):
        with InProcessTaskApp(
            config=load_task_app(EXAMPLE_APP),
            port=0,
            tunnel_mode="quick",
            tunnel_provider=tunnels,
            on_stop=on_stop,
        ) as app:
            port = app.port
            raise RuntimeError("user error")
    assert seen_by_on_stop == [(False, 200)]
    assert tunnels.opened[0].closed
    assert port_is_free("127.0.0.1", port)


def test_without_environment_api_key_start_fails_fast_naming_it(monkeypatch):
    monkeypatch.delenv("ENVIRONMENT_API_KEY", raising=False)
    started = time.monotonic()
    with pytest.raises(TaskAppNotHealthy, match="ENVIRONMENT_API_KEY is not set"):
        InProcessTaskApp(config=load_task_app(EXAMPLE_APP), port=0).start()
    assert time.monotonic() - started < 5


def test_an_explicit_api_key_is_the_one_the_app_accepts(monkeypatch):
    monkeypatch.delenv("ENVIRONMENT_API_KEY", raising=False)
    with InProcessTaskApp(config=load_task_app(EXAMPLE_APP), port=0, api_key="given-key") as app:
        assert httpx.get(app.url + "/info", headers={"X-API-Key": "given-key"}).status_code == 200
        assert httpx.get(app.url + "/info", headers={"X-API-Key": ENV_KEY}).status_code == 401


def test_async_with_serves_and_stops(env_key, upstream):
    async def main():
        async with InProcessTaskApp(config=load_task_app(EXAMPLE_APP), port=0) as app:
            async with httpx.AsyncClient(headers={"X-API-Key": ENV_KEY}) as client:
                response = await client.post(
                    app.url + "/rollout", json=rollout_body(upstream.base_url)
                )
            return app.port, response.json()

    port, body = asyncio.run(main())
    assert body["run_id"] == "run-0"
    assert port_is_free("127.0.0.1", port)


def test_a_quick_tunnel_url_is_the_apps_url_and_cloudflared_stops_with_it(fake_cloudflare, env_key):
    from synth_ai.task_app.client import TaskAppClient

    with InProcessTaskApp(task_app_path=EXAMPLE_APP, port=0, tunnel_mode="quick") as app:
        assert QUICK_URL.fullmatch(app.url) and app.local_url.startswith("http://127.0.0.1:")
        with TaskAppClient(app.url) as client:
            assert client.task_info(3)["task_metadata"]["problem_id"] == "arith-03"
        pid = app.tunnel.pid
    assert not pid_alive(pid)


def test_an_ipv6_bound_app_is_tunnelled_to_a_bracketed_origin(fake_cloudflare, env_key):
    from synth_ai.task_app.client import TaskAppClient

    with InProcessTaskApp(task_app_path=EXAMPLE_APP, host="::", port=0, tunnel_mode="quick") as app:
        assert app.local_url == f"http://[::1]:{app.port}"
        assert f"http://[::1]:{app.port}" in app.tunnel.process.args
        with TaskAppClient(app.url) as client:
            assert client.health()["healthy"] is True


def test_a_rate_limited_tunnel_fails_the_start_and_frees_the_port(
    fake_cloudflare, env_key, monkeypatch
):
    monkeypatch.setenv("FAKE_CLOUDFLARED_RATE_LIMIT", "1")
    app = InProcessTaskApp(task_app_path=EXAMPLE_APP, port=0, tunnel_mode="quick")
    with pytest.raises(TunnelRateLimited):
        with app:
            pass
    assert port_is_free("127.0.0.1", app.port)


def run_script(tmp_path, mode: str):
    script = start_user_script(tmp_path, EXAMPLE_APP, mode)
    assert script.ready, script.first_line + script.process.stderr.read()
    return script.process, script.port, script.tunnel_pid


def test_sigint_shuts_down_then_raises_keyboard_interrupt_in_the_users_code(
    tmp_path, fake_cloudflare, env_key
):
    process, port, tunnel_pid = run_script(tmp_path, "quick")
    assert pid_alive(tunnel_pid)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert "KEYBOARD_INTERRUPT True True" in out, err
    assert process.returncode == 0
    assert not pid_alive(tunnel_pid)
    assert port_is_free("127.0.0.1", port)


def test_sigterm_shuts_down_and_exits(tmp_path, env_key):
    process, port, _ = run_script(tmp_path, "none")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM
    assert port_is_free("127.0.0.1", port)


def test_a_signal_the_caller_ignores_stays_ignored(tmp_path, env_key):
    import subprocess
    import sys

    script = textwrap.dedent(
        f"""
        import signal, time
        from synth_ai import InProcessTaskApp
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # e.g. started with '&' by a shell script
        with InProcessTaskApp(task_app_path={str(EXAMPLE_APP)!r}, port=0) as app:
            print("READY", signal.getsignal(signal.SIGINT) is signal.SIG_IGN, flush=True)
            time.sleep(0.5)
            print("STILL RUNNING", flush=True)
        print("RESTORED", signal.getsignal(signal.SIGINT) is signal.SIG_IGN, flush=True)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "READY True"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.split("\n")[:2] == ["STILL RUNNING", "RESTORED True"]


def test_a_tunnel_provider_it_builds_itself_is_closed_once_the_tunnel_is_open(env_key, monkeypatch):
    from tests.fakes.tunnels import LoopbackTunnels

    built = LoopbackTunnels()

    class OwnContainer:
        def tunnel_provider(self):
            return built

    monkeypatch.setattr("synth_ai.container.create_container", lambda *a, **k: OwnContainer())
    with InProcessTaskApp(task_app_path=str(EXAMPLE_APP), port=0, tunnel_mode="quick") as app:
        assert built.opened and app.url == built.opened[0].url
        assert built.closed  # its backend HTTP client is not left open for the app's lifetime


def test_the_cloudflared_provider_closes_its_backend_issuer():
    from synth_ai.adapters.backend_http import BackendClient
    from synth_ai.adapters.backend_http.tunnels import BackendTunnelIssuer
    from synth_ai.adapters.cloudflared import CloudflaredTunnels

    client = BackendClient("http://127.0.0.1:9", "k")
    CloudflaredTunnels(home=Path("/nonexistent"), issuer=BackendTunnelIssuer(client)).close()
    assert client._http.is_closed
