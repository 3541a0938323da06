"""Pure rules of discovery: one record per URL, who may get the key, what an answer means."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from synth_ai.domain.discovery.errors import InvalidScanRequest
from synth_ai.domain.discovery.model import (
    AppMetadata,
    Candidate,
    Health,
    HttpAnswer,
    ProbeResult,
)

_LOCAL_ALIASES = {"localhost", "0.0.0.0", "::", "ip6-localhost"}


def parse_port_range(text: str, where: str | None = None) -> tuple[int, int]:
    """``"8000:8100"`` (or ``8000-8100``, or one port) → ``(8000, 8100)``.

    ``where`` names the source in the error (default ``--port-range '…'``; a config file says
    ``[ui] scan_ports = '…' in config.toml``)."""
    raw = (text or "").strip()
    label = where or f"--port-range {text!r}"
    sep = ":" if ":" in raw else ("-" if "-" in raw[1:] else None)
    parts = raw.split(sep, 1) if sep else [raw, raw]
    try:
        first, last = int(parts[0]), int(parts[1])
    except ValueError:
        raise InvalidScanRequest(
            f"{label} is not a range — write START:END, e.g. 8000:8100"
        ) from None
    if not (1 <= first <= 65535 and 1 <= last <= 65535) or first > last:
        raise InvalidScanRequest(
            f"{label} is invalid — use ports 1-65535 with START <= END, e.g. 8000:8100"
        )
    return first, last


def check_timeout(seconds: float) -> float:
    if not seconds > 0:
        raise InvalidScanRequest(
            f"--timeout {seconds:g} is invalid — give a positive number of seconds, e.g. 2"
        )
    return seconds


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOCAL_ALIASES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_url(url: str) -> str:
    """Scheme and host lower-cased, local aliases as ``127.0.0.1``, default port and trailing
    slash dropped: two spellings of one place compare equal."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if host in _LOCAL_ALIASES:
        host = "127.0.0.1"
    port = parts.port
    if (scheme, port) in (("http", 80), ("https", 443)):
        port = None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"


def identity(url: str) -> str:
    """What makes two candidates one app: the URL, except that every loopback address of one
    port is the same app (a server bound to ``::`` answers on 127.0.0.1 and ::1 alike)."""
    normal = normalise_url(url)
    parts = urlsplit(normal)
    if is_loopback(parts.hostname or ""):
        return f"{parts.scheme}://loopback:{parts.port}{parts.path}"
    return normal


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per identity, keeping the richest: fields come from the best-ranked
    source first and are filled in from the others; sources are all kept; an IPv4 loopback
    URL is preferred to an IPv6 one."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(identity(candidate.url), []).append(candidate)
    return [_merge_group(group) for group in groups.values()]


def _merge_group(group: list[Candidate]) -> Candidate:
    ordered = sorted(group, key=lambda c: (c.via.rank, ":" in host_of(c.url)))
    best = ordered[0]
    values = {}
    for name in (
        "port",
        "app_id",
        "tunnel_mode",
        "tunnel_hostname",
        "record_id",
        "record_pid",
        "tunnel_pid",
        "task_app_path",
        "created_at",
        "local_url",
    ):
        values[name] = next(
            (getattr(c, name) for c in ordered if getattr(c, name) is not None), None
        )
    urls = sorted({normalise_url(c.url) for c in group}, key=lambda u: ":" in host_of(u))
    url = normalise_url(best.url) if best.via.rank < 3 else urls[0]
    sources = tuple(dict.fromkeys(s for c in ordered for s in c.sources))
    return Candidate(
        url=url,
        sources=sources,
        kind=best.kind,
        trusted=any(c.trusted for c in group),
        addresses=tuple(u for u in urls if u != url),
        **values,
    )


def may_send_key(candidate: Candidate, *, send_anywhere: bool = False) -> bool:
    """The task-app key goes to loopback addresses and to URLs from the user's own live
    records, never elsewhere unless the user asked for it explicitly."""
    return send_anywhere or candidate.trusted or is_loopback(host_of(candidate.url))


def _object(answer: HttpAnswer | None) -> dict[str, Any]:
    return answer.body if answer is not None and isinstance(answer.body, dict) else {}


def _looks_like_health(body: Mapping[str, Any]) -> bool:
    return any(key in body for key in ("healthy", "service", "auth")) or body.get("status") in (
        "ok",
        "healthy",
    )


def _looks_like_info(body: Mapping[str, Any]) -> bool:
    service = body.get("service")
    return (
        isinstance(service, dict)
        and ("task" in service or "version" in service)
        or ("dataset" in body and ("service" in body or "task" in body))
    )


def metadata_of(result: ProbeResult) -> AppMetadata:
    info = _object(result.info)
    service = _mapping(info.get("service")) or _mapping(_object(result.health).get("service"))
    task = _mapping(service.get("task"))
    dataset = _mapping(info.get("dataset"))
    version = task.get("version") or service.get("version")
    return AppMetadata(
        app_id=_text(task.get("id")),
        task_name=_text(task.get("name")),
        version=_text(version),
        dataset_id=_text(dataset.get("id")),
        info=info or None,
    )


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def classify(result: ProbeResult, *, key_sent: bool, key_known: bool) -> tuple[Health, str]:
    """Healthy / unhealthy / auth required / not a task app / unreachable, with the reason."""
    if result.health is None:
        if result.not_http:
            return Health.NOT_TASK_APP, f"a server that does not speak HTTP ({result.error})"
        return Health.UNREACHABLE, result.error or "no answer"
    health, info = result.health, result.info
    health_body, info_body = _object(health), _object(info)
    denied = [a for a in (health, info) if a is not None and a.status in (401, 403)]
    if denied:
        status = denied[0].status
        if key_sent:
            why = "the key was refused"
        elif key_known:
            why = "the key was not sent (not loopback nor from your records; --send-key-anywhere sends it)"
        else:
            why = "no key given (set ENVIRONMENT_API_KEY or pass --api-key)"
        path = "/health" if denied[0] is health else "/info"
        return Health.AUTH_REQUIRED, f"{path} answered {status}: {why}"
    task_app = _looks_like_health(health_body) or _looks_like_info(info_body)
    if not task_app:
        return Health.NOT_TASK_APP, (
            f"an HTTP server, not a task app: /health answered {health.status}"
            + ("" if info is None else f", /info {info.status}")
        )
    if 200 <= health.status < 300 and health_body.get("healthy", True) is not False:
        return Health.HEALTHY, "ok"
    detail = health_body.get("detail") or health_body.get("error") or ""
    if isinstance(detail, dict):
        detail = detail.get("message", "")
    return Health.UNHEALTHY, f"/health answered {health.status}" + (f": {detail}" if detail else "")


def answered(result: ProbeResult) -> bool:
    return result.health is not None
