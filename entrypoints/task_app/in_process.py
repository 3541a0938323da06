"""``InProcessTaskApp``: serve a task app from the user's own script, optionally tunnelled.

    with InProcessTaskApp(config=build_config(), tunnel_mode="quick") as task_app:
        print(task_app.url)

Start: build the app → bind (next free port if busy) → Waitress thread → ``/health`` answers
→ tunnel (if any) → ``on_start``. Stop, on exit, error or SIGINT/SIGTERM: ``on_stop`` → tunnel
→ server. Signal handlers are installed only on the main thread and restored on stop; Ctrl+C
still raises ``KeyboardInterrupt`` in the caller's code after the shutdown.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput
from synth_ai.domain.task_apps.errors import TaskAppNotHealthy
from synth_ai.domain.tunnels.model import TunnelMode

log = logging.getLogger("synth_ai.task_app")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class InProcessTaskApp:
    def __init__(
        self,
        *,
        app: Any = None,
        config: Any = None,
        config_factory: Callable[[], Any] | None = None,
        task_app_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8114,
        auto_find_port: bool = True,
        tunnel_mode: str = "none",
        api_key: str | None = None,
        health_check_timeout: float = 30.0,
        on_start: Callable | None = None,
        on_stop: Callable | None = None,
        tunnel_subdomain: str | None = None,
        tunnel_provider: Any = None,
        threads: int = 16,
    ):
        given = {
            name: value
            for name, value in (
                ("app", app),
                ("config", config),
                ("config_factory", config_factory),
                ("task_app_path", task_app_path),
            )
            if value is not None
        }
        if len(given) != 1:
            raise InvalidInput(
                "InProcessTaskApp needs exactly one of app=, config=, config_factory= or "
                f"task_app_path= (got {', '.join(given) or 'none'})"
            )
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise InvalidInput(
                f"port {port!r} is invalid — use 0-65535 (0 picks any free port)", param="port"
            )
        if health_check_timeout <= 0:
            raise InvalidInput(f"health_check_timeout must be positive, got {health_check_timeout}")
        self._source_name, self._source = next(iter(given.items()))
        self.host = host
        self.requested_port = port
        self.auto_find_port = auto_find_port
        self.tunnel_mode = TunnelMode.parse(tunnel_mode)
        self.tunnel_subdomain = tunnel_subdomain
        self.api_key = api_key
        self.health_check_timeout = health_check_timeout
        self.on_start = on_start
        self.on_stop = on_stop
        self.threads = threads
        self._tunnel_provider = tunnel_provider
        self._server = None
        self.tunnel = None
        self.config = None
        self._previous_handlers: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._stopped = False

    # -- public state ----------------------------------------------------------------------
    @property
    def port(self) -> int | None:
        return int(self._server.port) if self._server else None

    @property
    def reach_host(self) -> str:
        """Where this machine reaches the app: a wildcard bind is reached on loopback."""
        return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)

    @property
    def local_url(self) -> str | None:
        if self._server is None:
            return None
        host = f"[{self.reach_host}]" if ":" in self.reach_host else self.reach_host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str | None:
        return self.tunnel.url if self.tunnel is not None else self.local_url

    @property
    def app_id(self) -> str | None:
        return self.config.app_id if self.config is not None else None

    # -- lifecycle -------------------------------------------------------------------------
    def _build_app(self):
        from synth_ai.task_app.app import create_task_app
        from synth_ai.task_app.config import TaskAppConfig
        from synth_ai.task_app.loading import load_task_app

        source = self._source
        if self._source_name == "task_app_path":
            source = load_task_app(source)
        elif self._source_name == "config_factory":
            source = source()
        if isinstance(source, TaskAppConfig):
            self.config = source
            return create_task_app(source, api_key=self.api_key)
        if self._source_name == "config":
            raise InvalidInput(f"config= must be a TaskAppConfig, got {type(source).__name__}")
        if not callable(source):
            raise InvalidInput(
                f"{self._source_name} gave a {type(source).__name__}, not a TaskAppConfig or WSGI app"
            )
        self.config = getattr(source, "synth_task_app_config", None)
        return source

    def _bind(self, app):
        from synth_ai.adapters.waitress_host import BackgroundServer, PortInUse, find_free_port

        port = self.requested_port
        for _ in range(20):
            try:
                return BackgroundServer.start(
                    app, self.host, port, threads=self.threads, name="task-app"
                )
            except PortInUse:
                if not self.auto_find_port:
                    raise InvalidInput(
                        f"port {port} on {self.host} is already in use — pass another port "
                        "or auto_find_port=True",
                        param="port",
                    ) from None
                next_port = find_free_port(self.host, port + 1 if port else None)
                log.info("port %s is busy; using %s", port, next_port)
                port = next_port
            except (ValueError, OSError) as exc:  # an unknown or foreign address
                raise InvalidInput(
                    f"cannot listen on {self.host}:{port} ({exc}) — use an address of this "
                    "machine, e.g. 127.0.0.1 or 0.0.0.0",
                    param="host",
                ) from exc
        raise InvalidInput(
            f"no free port found from {self.requested_port} on {self.host}", param="port"
        )

    def _wait_healthy(self) -> None:
        key = self.api_key or os.environ.get(
            self.config.api_key_env if self.config else "ENVIRONMENT_API_KEY"
        )
        headers = {"X-API-Key": key} if key else {}
        deadline = time.monotonic() + self.health_check_timeout
        last = "no answer"
        while True:
            conn = http.client.HTTPConnection(self.reach_host, self.port, timeout=2.0)
            try:
                conn.request("GET", "/health", headers=headers)
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    return
                last = f"HTTP {response.status}: {body[:200].decode('utf-8', 'replace')}"
                if response.status == 503:
                    detail = _detail(body)
                    if detail:
                        raise TaskAppNotHealthy(
                            f"task app at {self.local_url} is not healthy: {detail} — "
                            "export ENVIRONMENT_API_KEY or pass api_key="
                        )
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise TaskAppNotHealthy(
                    f"task app at {self.local_url} did not become healthy within "
                    f"{self.health_check_timeout}s ({last})"
                )
            time.sleep(0.01)

    def _open_tunnel(self) -> None:
        provider = self._tunnel_provider
        owned = provider is None
        if owned:
            from synth_ai.container import create_container

            provider = create_container().tunnel_provider()
        log.info("opening %s tunnel to %s", self.tunnel_mode.value, self.local_url)
        try:
            self.tunnel = provider.open(
                self.reach_host,
                self.port,
                mode=self.tunnel_mode.value,
                subdomain=self.tunnel_subdomain,
            )
        finally:
            if owned:  # its backend client is only needed to obtain the tunnel
                provider.close()

    def start(self) -> InProcessTaskApp:
        """Serve, wait for health, open the tunnel, call ``on_start``. Blocking; thread-safe."""
        started = time.perf_counter()
        try:
            app = self._build_app()
            self._server = self._bind(app)
            log.info("task app %s serving on %s", self.app_id or "(wsgi)", self.local_url)
            self._wait_healthy()
            log.info("task app healthy after %.3fs", time.perf_counter() - started)
            if self.tunnel_mode is not TunnelMode.NONE:
                self._open_tunnel()
                log.info("task app reachable at %s", self.tunnel.url)
            if self.on_start is not None:
                self.on_start(self)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """``on_stop`` → tunnel → server. Idempotent; every step runs even if one fails."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        if self.on_stop is not None and self._server is not None:
            log.info("calling on_stop")
            try:
                self.on_stop(self)
            except Exception:  # noqa: BLE001 - the rest of the shutdown must still happen
                log.exception("on_stop failed")
        if self.tunnel is not None:
            log.info("closing tunnel %s", self.tunnel.url)
            try:
                self.tunnel.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the tunnel failed")
        if self._server is not None:
            log.info("stopping task app server on %s", self.local_url)
            self._server.close()
        log.info("task app stopped")

    # -- signals ---------------------------------------------------------------------------
    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            log.debug("not on the main thread: no signal handlers installed")
            return
        for sig in _SIGNALS:
            previous = signal.getsignal(sig)
            if previous is signal.SIG_IGN:  # the caller chose to ignore it (nohup, '&'): keep
                continue
            self._previous_handlers[sig] = previous
            signal.signal(sig, self._on_signal)

    def _restore_signals(self) -> None:
        previous, self._previous_handlers = self._previous_handlers, {}
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    def _on_signal(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        log.info("received %s: shutting the task app down", name)
        previous = self._previous_handlers.get(signum)
        self._restore_signals()
        self.stop()
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    # -- context managers ------------------------------------------------------------------
    def __enter__(self) -> InProcessTaskApp:
        self._install_signals()
        try:
            self.start()
        except BaseException:
            self._restore_signals()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._restore_signals()
        self.stop()

    async def __aenter__(self) -> InProcessTaskApp:
        self._install_signals()
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.start)
        except BaseException:
            self._restore_signals()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        self._restore_signals()
        await asyncio.get_running_loop().run_in_executor(None, self.stop)


def _detail(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data.get("detail") if isinstance(data, dict) else None
