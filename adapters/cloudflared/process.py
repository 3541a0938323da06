"""The cloudflared process: start it, read its log, check health through it, stop it."""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
from synth_ai.adapters.cloudflared.binary import find_cloudflared
from synth_ai.domain.tunnels.errors import InvalidTunnel, TunnelFailed, TunnelRateLimited
from synth_ai.domain.tunnels.model import (
    EdgeOverrides,
    TunnelMode,
    find_quick_url,
    is_rate_limited,
    origin_url,
    validate_port,
)

log = logging.getLogger("synth_ai.cloudflared")
_CONNECTED = ("registered tunnel connection", "connection registered")


class CloudflaredTunnel:
    """One running cloudflared; ``close()`` stops its whole process group (bounded)."""

    def __init__(self, process: subprocess.Popen, mode: str, url: str = ""):
        self.process = process
        self.mode = mode
        self.url = url
        self.lines: collections.deque[str] = collections.deque(maxlen=80)
        self.url_found = threading.Event()
        self.connected = threading.Event()
        self.rate_limited = False
        self.output_ended = threading.Event()
        self._reader = threading.Thread(
            target=self._read, name=f"cloudflared-{process.pid}", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def hostname(self) -> str:
        return self.url.removeprefix("https://").rstrip("/")

    def _read(self) -> None:
        for raw in self.process.stdout:  # stderr is merged into stdout
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            log.debug("cloudflared[%s]: %s", self.process.pid, line)
            if is_rate_limited(line):
                self.rate_limited = True
            if self.mode == "quick" and not self.url:
                found = find_quick_url(line)
                if found:
                    self.url = found
                    self.url_found.set()
            if any(marker in line.lower() for marker in _CONNECTED):
                self.connected.set()
        self.output_ended.set()
        self.url_found.set()  # output ended: wake any waiter
        self.connected.set()

    def tail(self, count: int = 8) -> str:
        return "\n".join(list(self.lines)[-count:])

    def close(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            log.info("stopping cloudflared (pid %s)", self.process.pid)
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        self._reader.join(1.0)
        if self.process.stdout:
            self.process.stdout.close()


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


class CloudflaredTunnels:
    """The ``TunnelProvider`` adapter. ``issuer`` hands out managed-tunnel tokens."""

    def __init__(
        self,
        *,
        home: Path,
        binary: str | None = None,
        overrides: EdgeOverrides | None = None,
        issuer=None,
        url_timeout: float = 20.0,
        health_timeout: float = 20.0,
        health_path: str = "/health",
    ):
        self._home = home
        self._binary = binary
        self.overrides = overrides or EdgeOverrides()
        self._issuer = issuer
        self.url_timeout = url_timeout
        self.health_timeout = health_timeout
        self.health_path = health_path

    def close(self) -> None:
        close = getattr(self._issuer, "close", None)
        if close is not None:
            close()

    def open(
        self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None
    ) -> CloudflaredTunnel:
        kind = TunnelMode.parse(mode)
        validate_port(local_port)
        binary = find_cloudflared(self._binary, self._home)
        env = None
        if kind is TunnelMode.QUICK:
            target = origin_url(local_host, local_port)
            args, url = [binary, "tunnel", "--no-autoupdate", "--url", target], ""
        elif kind is TunnelMode.MANAGED:
            if self._issuer is None:
                raise InvalidTunnel(
                    "managed tunnels need a backend — run 'synth-ai serve' with "
                    "[tunnels] cloudflare_* settings and set SYNTH_BACKEND_URL"
                )
            issued = self._issuer.issue(
                subdomain=subdomain, local_host=local_host, local_port=local_port
            )
            # The token goes in TUNNEL_TOKEN (read by 'tunnel run' like --token), not in argv,
            # where 'ps' would show it to every user of the machine.
            args = [binary, "tunnel", "--no-autoupdate", "run"]
            env = {**os.environ, "TUNNEL_TOKEN": issued.tunnel_token}
            url = issued.url
        else:
            raise InvalidTunnel("tunnel mode 'none' opens no tunnel")
        log.info("starting cloudflared %s tunnel to %s:%s", kind.value, local_host, local_port)
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        tunnel = CloudflaredTunnel(process, kind.value, url)
        try:
            self._wait_ready(tunnel)
            self._check_health(tunnel)
        except BaseException:
            tunnel.close()
            raise
        log.info("tunnel open at %s (cloudflared pid %s)", tunnel.url, tunnel.pid)
        return tunnel

    def _wait_ready(self, tunnel: CloudflaredTunnel) -> None:
        event = tunnel.url_found if tunnel.mode == "quick" else tunnel.connected
        deadline = time.monotonic() + self.url_timeout
        while not event.wait(0.05):
            if tunnel.rate_limited:
                break
            if time.monotonic() > deadline:
                raise TunnelFailed(
                    f"cloudflared printed no {'tunnel URL' if tunnel.mode == 'quick' else 'connection'} "
                    f"within {self.url_timeout:g}s — last output:\n{tunnel.tail()}"
                )
        if tunnel.rate_limited:
            raise TunnelRateLimited(
                "Cloudflare rate-limited quick tunnel creation (429 / error 1015) — wait a few minutes, "
                "or use a managed tunnel (--tunnel-mode managed)"
            )
        if tunnel.output_ended.is_set() and (tunnel.mode != "quick" or not tunnel.url):
            try:
                code = tunnel.process.wait(2.0)
            except subprocess.TimeoutExpired:
                code = "unknown (it closed its output)"
            raise TunnelFailed(
                f"cloudflared exited with code {code} — last output:\n{tunnel.tail()}"
            )

    def _check_health(self, tunnel: CloudflaredTunnel) -> None:
        url, headers = self.overrides.route(tunnel.url.rstrip("/") + self.health_path)
        deadline = time.monotonic() + self.health_timeout
        last = "no answer"
        with httpx.Client(timeout=5.0, headers=headers) as client:
            while True:
                if tunnel.process.poll() is not None:
                    raise TunnelFailed(
                        f"cloudflared exited with code {tunnel.process.returncode} "
                        f"before {tunnel.url} answered — last output:\n{tunnel.tail()}"
                    )
                try:
                    response = client.get(url)
                    if response.status_code < 500:
                        return
                    last = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}: {exc}"
                if time.monotonic() > deadline:
                    raise TunnelFailed(
                        f"{tunnel.url}{self.health_path} did not answer through the tunnel "
                        f"within {self.health_timeout:g}s ({last})"
                    )
                time.sleep(0.1)
