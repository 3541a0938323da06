"""Turning what each source saw into candidates (pure: the service fetches, these read)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypedDict
from urllib.parse import urlsplit

from attrs import field, frozen
from synth_ai.domain.discovery.model import AppKind, Candidate, Source
from synth_ai.domain.task_apps.deployments import ServiceKind, ServiceRecord
from synth_ai.domain.tunnels.model import TunnelRecord, find_quick_url, origin_url

_INGRESS_RULE = re.compile(r"\{[^{}]*?hostname[^{}]*?\}")
_FIELD = r'\\?"{name}\\?"\s*:\s*\\?"([^"\\]+)'
_HOSTNAME = re.compile(_FIELD.format(name="hostname"))
_SERVICE = re.compile(_FIELD.format(name="service"))


def port_of(url: str) -> int | None:
    try:
        parts = urlsplit(url)
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def from_open_port(host: str, port: int) -> Candidate:
    return Candidate(url=origin_url(host, port), sources=(Source.PORT_SCAN,), port=port)


class _RecordFields(TypedDict):
    """What every candidate from one service record shares."""

    app_id: str | None
    record_id: str
    record_pid: int
    tunnel_pid: int | None
    task_app_path: str | None
    created_at: float
    trusted: bool


def from_service_record(record: ServiceRecord, *, live: bool) -> list[Candidate]:
    """A local record is one candidate; a tunnel record is its public URL plus its local side.
    Only a live record (its pid runs synth-ai) is trusted with the key."""
    common = _RecordFields(
        app_id=record.app_id,
        record_id=record.id,
        record_pid=record.pid,
        tunnel_pid=record.tunnel_pid,
        task_app_path=record.task_app_path,
        created_at=record.created_at,
        trusted=live,
    )
    if record.type is ServiceKind.LOCAL:
        return [
            Candidate(
                url=record.url or record.local_url,
                sources=(Source.SERVICE_RECORDS,),
                port=record.port,
                local_url=record.local_url or record.url,
                **common,
            )
        ]
    public = Candidate(
        url=record.url,
        sources=(Source.TUNNEL_RECORDS,),
        kind=AppKind.CLOUDFLARE,
        port=record.port,
        tunnel_mode=record.tunnel_mode,
        tunnel_hostname=record.hostname or urlsplit(record.url).hostname,
        local_url=record.local_url or None,
        **common,
    )
    if not record.local_url:
        return [public]
    local = Candidate(
        url=record.local_url,
        sources=(Source.TUNNEL_RECORDS,),
        port=record.port,
        local_url=record.local_url,
        **common,
    )
    return [public, local]


def _routes(value: Iterable[tuple[str, str | None]]) -> tuple[tuple[str, str | None], ...]:
    return tuple(value)


@frozen
class TunnelProcess:
    """A running cloudflared as its command line and log describe it."""

    pid: int
    mode: str  # quick | managed
    origin: str | None = None
    routes: tuple[tuple[str, str | None], ...] = field(default=(), converter=_routes)


def read_cloudflared(pid: int, argv: Iterable[str], log_text: str = "") -> TunnelProcess | None:
    """``cloudflared tunnel --url ORIGIN`` is a quick tunnel (its URL is in the log);
    ``cloudflared tunnel run`` a managed one (hostnames in ``--hostname`` or the ingress
    configuration it logs). Other cloudflared commands (``access``, ``update``) are None."""
    args = list(argv)
    if "tunnel" not in args:
        return None
    rest = args[args.index("tunnel") + 1 :]
    origin = _flag(rest, "--url")
    routes: list[tuple[str, str | None]] = []
    if origin:
        urls = [u for u in map(find_quick_url, log_text.splitlines()) if u]
        if urls:
            routes.append((urls[-1].removeprefix("https://"), origin))
        return TunnelProcess(pid, "quick", origin, routes)
    if "run" not in rest:
        return None
    hostname = _flag(rest, "--hostname")
    if hostname:
        routes.append((hostname.lower(), None))
    for rule in _INGRESS_RULE.findall(log_text):
        host, service = _HOSTNAME.search(rule), _SERVICE.search(rule)
        if host and (host.group(1).lower(), service and service.group(1)) not in routes:
            routes.append((host.group(1).lower(), service.group(1) if service else None))
    return TunnelProcess(pid, "managed", None, routes)


def _flag(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def from_tunnel_process(tunnel: TunnelProcess) -> list[Candidate]:
    found: list[Candidate] = []
    if tunnel.origin:
        found.append(
            Candidate(
                url=tunnel.origin,
                sources=(Source.CLOUDFLARED_PROCESS,),
                port=port_of(tunnel.origin),
                tunnel_pid=tunnel.pid,
            )
        )
    for hostname, service in tunnel.routes:
        local = service if service and service.startswith("http") else tunnel.origin
        found.append(
            Candidate(
                url=f"https://{hostname}",
                sources=(Source.CLOUDFLARED_PROCESS,),
                kind=AppKind.CLOUDFLARE,
                port=port_of(local) if local else None,
                tunnel_mode=tunnel.mode,
                tunnel_hostname=hostname,
                tunnel_pid=tunnel.pid,
                local_url=local,
            )
        )
    return found


def from_backend_tunnel(tunnel: TunnelRecord) -> list[Candidate]:
    """A managed tunnel the user's own backend issued: trusted like their records."""
    local = origin_url(tunnel.local_host, tunnel.local_port)
    return [
        Candidate(
            url=tunnel.url,
            sources=(Source.BACKEND_API,),
            kind=AppKind.CLOUDFLARE,
            port=tunnel.local_port,
            tunnel_mode="managed",
            tunnel_hostname=tunnel.hostname,
            local_url=local,
            trusted=True,
        )
    ]


def live_check(is_alive: Callable[[int], bool], runs: Callable[..., bool]) -> Callable[[int], bool]:
    """A record is live while its pid runs and still runs synth-ai (a reused pid is not)."""
    return lambda pid: is_alive(pid) and runs(pid, "synth_ai", "synth-ai")
