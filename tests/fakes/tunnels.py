"""Fakes of the tunnel ports: the Cloudflare API, managed-tunnel records, a tunnel provider."""

from __future__ import annotations

import itertools


class InMemoryCloudflareApi:
    """``CloudflareApi`` in memory: tunnels with ingress, DNS records and tokens."""

    def __init__(self):
        self.tunnels: dict[str, dict] = {}
        self.dns: dict[str, str] = {}
        self._ids = itertools.count(1)

    def create_tunnel(self, name: str) -> str:
        tunnel_id = f"cf-tunnel-{next(self._ids)}"
        self.tunnels[tunnel_id] = {"name": name, "ingress": {}}
        return tunnel_id

    def configure_ingress(self, tunnel_id: str, hostname: str, service: str) -> None:
        self.tunnels[tunnel_id]["ingress"] = {hostname: service}

    def route_dns(self, tunnel_id: str, hostname: str) -> None:
        self.dns[hostname] = f"{tunnel_id}.cfargotunnel.com"

    def tunnel_token(self, tunnel_id: str) -> str:
        return f"token-for-{tunnel_id}"

    def delete_tunnel(self, tunnel_id: str) -> None:
        del self.tunnels[tunnel_id]


class InMemoryTunnelRecords:
    def __init__(self):
        self._rows: dict[str, tuple[str, object]] = {}

    def add(self, org_id: str, record) -> None:
        self._rows[record.id] = (org_id, record)

    def list(self, org_id: str) -> list:
        return sorted(
            (r for o, r in self._rows.values() if o == org_id), key=lambda r: r.created_at
        )

    def find_subdomain(self, subdomain: str):
        return next(((o, r) for o, r in self._rows.values() if r.subdomain == subdomain), None)


class LoopbackTunnels:
    """``TunnelProvider`` without a tunnel: the "public" URL is the local one (checked once)."""

    def __init__(self):
        self.opened: list = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def open(
        self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None
    ):
        import http.client

        from synth_ai.domain.tunnels.errors import TunnelFailed

        try:
            conn = http.client.HTTPConnection(local_host, local_port, timeout=2)
            conn.request("GET", "/health")
            conn.getresponse().read()
            conn.close()
        except OSError as exc:
            raise TunnelFailed(f"nothing answers on {local_host}:{local_port} ({exc})") from exc
        handle = _LoopbackTunnel(f"http://{local_host}:{local_port}", mode)
        self.opened.append(handle)
        return handle


class _LoopbackTunnel:
    def __init__(self, url: str, mode: str):
        self.url = url
        self.mode = mode
        self.pid = None
        self.hostname = url.split("//", 1)[1]
        self.closed = False

    def close(self) -> None:
        self.closed = True
