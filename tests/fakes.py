"""Small fakes of the ports, for unit tests (no MagicMock)."""

from __future__ import annotations

import itertools
import threading


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# -- task apps and tunnels (issue 3) --------------------------------------------------------


class InMemoryServiceRecords:
    """``ServiceRecords`` in memory; ``alive`` says which pids still run."""

    def __init__(self, alive: set[int] | None = None):
        self.alive = alive if alive is not None else set()
        self._records: dict = {}

    def add(self, record) -> None:
        self._records[record.id] = record

    def list(self) -> list:
        self._records = {k: r for k, r in self._records.items() if r.pid in self.alive}
        return list(self._records.values())

    def get(self, record_id: str):
        return next((r for r in self.list() if r.id == record_id), None)

    def remove(self, record_id: str) -> bool:
        return self._records.pop(record_id, None) is not None


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
        return sorted((r for o, r in self._rows.values() if o == org_id), key=lambda r: r.created_at)

    def find_subdomain(self, subdomain: str):
        return next(((o, r) for o, r in self._rows.values() if r.subdomain == subdomain), None)


class LoopbackTunnels:
    """``TunnelProvider`` without a tunnel: the "public" URL is the local one (checked once)."""

    def __init__(self):
        self.opened: list = []

    def open(self, local_host: str, local_port: int, *, mode: str = "quick", subdomain: str | None = None):
        import http.client

        from synth_ai.domain.task_app_errors import TunnelFailed

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


class SequentialIds:
    def __init__(self):
        self._counter = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):06d}"
