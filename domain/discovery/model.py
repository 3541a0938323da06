"""What a scan finds: candidates from the sources, probe answers, and the classified apps."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen


class Source(enum.Enum):
    """How a candidate was found (the public synth-ai ``discovered_via`` words)."""

    SERVICE_RECORDS = "service_records"
    TUNNEL_RECORDS = "tunnel_records"
    BACKEND_API = "backend_api"
    CLOUDFLARED_PROCESS = "cloudflared_process"
    PORT_SCAN = "port_scan"

    @property
    def rank(self) -> int:
        """Lower is richer: records know ids, pids and paths; a port scan knows a port."""
        return _RANK[self]


_RANK = {
    Source.SERVICE_RECORDS: 1,
    Source.TUNNEL_RECORDS: 1,
    Source.BACKEND_API: 2,
    Source.CLOUDFLARED_PROCESS: 2,
    Source.PORT_SCAN: 3,
}


class AppKind(enum.Enum):
    LOCAL = "local"
    CLOUDFLARE = "cloudflare"


class Health(enum.Enum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    AUTH_REQUIRED = "auth_required"
    NOT_TASK_APP = "not_task_app"
    UNREACHABLE = "unreachable"


# Typed converters: mypy cannot infer the item type of a bare ``converter=tuple``.
def _sources(items: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(items)


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@frozen
class Candidate:
    """One place a task app may answer, as one source saw it.

    ``trusted``: the URL comes from the user's own live records (their deployments, their
    backend), so the task-app key may be sent there. ``record_pid`` is the pid a record says
    serves it (checked for staleness); ``addresses`` are other URLs of the same app (a
    loopback port open on both 127.0.0.1 and ::1).
    """

    url: str
    sources: tuple[Source, ...] = field(converter=_sources)
    kind: AppKind = AppKind.LOCAL
    port: int | None = None
    app_id: str | None = None
    tunnel_mode: str | None = None
    tunnel_hostname: str | None = None
    trusted: bool = False
    record_id: str | None = None
    record_pid: int | None = None
    tunnel_pid: int | None = None
    task_app_path: str | None = None
    created_at: float | None = None
    local_url: str | None = None
    addresses: tuple[str, ...] = field(default=(), converter=_strings)

    @property
    def via(self) -> Source:
        return min(self.sources, key=lambda s: s.rank)


@frozen
class StaleRecord:
    """A record of a deployment that is gone: its pid is dead and nothing answers its URL."""

    record_id: str
    url: str
    pid: int | None
    source: Source
    reason: str


@frozen
class HttpAnswer:
    status: int
    body: Any = None  # parsed JSON, or None when the body was not JSON


@frozen
class ProbeRequest:
    url: str
    api_key: str | None = None


@frozen
class ProbeResult:
    """What ``GET /health`` and ``GET /info`` answered (None: no HTTP answer; ``error`` says why).

    ``not_http``: something accepted the connection but answered in another protocol (a
    database, a message broker), so there is a server there, just not a task app."""

    url: str
    health: HttpAnswer | None = None
    info: HttpAnswer | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    not_http: bool = False


@frozen
class AppMetadata:
    app_id: str | None = None
    task_name: str | None = None
    version: str | None = None
    dataset_id: str | None = None
    info: dict[str, Any] | None = None


@frozen
class DiscoveredApp:
    candidate: Candidate
    health: Health
    reason: str
    metadata: AppMetadata = AppMetadata()
    key_sent: bool = False
    response_ms: float = 0.0

    @property
    def name(self) -> str:
        c = self.candidate
        return self.metadata.app_id or c.app_id or self.metadata.task_name or _host_port(c.url)


def _host_port(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


@frozen
class ScanRequest:
    first_port: int = 8000
    last_port: int = 8100
    hosts: tuple[str, ...] = field(default=("127.0.0.1", "::1"), converter=_strings)
    timeout: float = 2.0
    api_key: str | None = None
    send_key_anywhere: bool = False


def _apps(items: Iterable[DiscoveredApp]) -> tuple[DiscoveredApp, ...]:
    return tuple(items)


def _stale(items: Iterable[StaleRecord]) -> tuple[StaleRecord, ...]:
    return tuple(items)


@frozen
class ScanReport:
    apps: tuple[DiscoveredApp, ...] = field(converter=_apps)
    stale: tuple[StaleRecord, ...] = field(default=(), converter=_stale)
    problems: tuple[str, ...] = field(default=(), converter=_strings)
    duration_ms: float = 0.0

    def count(self, health: Health) -> int:
        return sum(1 for app in self.apps if app.health is health)

    def count_kind(self, kind: AppKind) -> int:
        return sum(1 for app in self.apps if app.candidate.kind is kind)
