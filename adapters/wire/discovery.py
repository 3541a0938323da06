"""``synth-ai scan --format json``: the public synth-ai shape, plus our extra fields.

``{"apps": [...], "scan_summary": {total_found, healthy, unhealthy, local_count,
cloudflare_count}}`` is what the public client's ``scan --json`` prints; every app carries its
public fields (``name``, ``url``, ``type``, ``health_status``, ``port``, ``tunnel_mode``,
``tunnel_hostname``, ``app_id``, ``task_name``, ``dataset_id``, ``version``, ``metadata``,
``discovered_via``) and ours after them.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen
from cattrs.preconf.json import make_converter
from synth_ai.domain.discovery.model import (
    AppKind,
    DiscoveredApp,
    Health,
    ScanReport,
    StaleRecord,
)

converter = make_converter()


@frozen
class AppOut:
    name: str
    url: str
    type: str
    health_status: str
    port: int | None
    tunnel_mode: str | None
    tunnel_hostname: str | None
    app_id: str | None
    task_name: str | None
    dataset_id: str | None
    version: str | None
    metadata: dict[str, Any]
    discovered_via: str
    # ours
    status_reason: str
    sources: list[str]
    key_sent: bool
    response_ms: float
    pid: int | None
    tunnel_pid: int | None
    record_id: str | None
    local_url: str | None
    addresses: list[str]


@frozen
class SummaryOut:
    total_found: int
    healthy: int
    unhealthy: int
    local_count: int
    cloudflare_count: int
    # ours
    auth_required: int
    not_task_app: int
    unreachable: int
    stale: int
    duration_ms: float


@frozen
class StaleOut:
    record_id: str
    url: str
    pid: int | None
    discovered_via: str
    reason: str


@frozen
class ScanOut:
    apps: list[AppOut]
    scan_summary: SummaryOut
    stale: list[StaleOut]
    problems: list[str]


def app_out(app: DiscoveredApp) -> AppOut:
    c, meta = app.candidate, app.metadata
    metadata: dict[str, Any] = dict(meta.info or {})
    for key, value in (
        ("pid", c.record_pid),
        ("task_app_path", c.task_app_path),
        ("created_at", c.created_at),
    ):
        if value is not None:
            metadata[key] = value
    if app.health is not Health.HEALTHY:
        metadata["error"] = app.reason
    return AppOut(
        name=app.name,
        url=c.url,
        type=c.kind.value,
        health_status=app.health.value,
        port=c.port,
        tunnel_mode=c.tunnel_mode,
        tunnel_hostname=c.tunnel_hostname,
        app_id=meta.app_id or c.app_id,
        task_name=meta.task_name,
        dataset_id=meta.dataset_id,
        version=meta.version,
        metadata=metadata,
        discovered_via=c.via.value,
        status_reason=app.reason,
        sources=[s.value for s in c.sources],
        key_sent=app.key_sent,
        response_ms=app.response_ms,
        pid=c.record_pid,
        tunnel_pid=c.tunnel_pid,
        record_id=c.record_id,
        local_url=c.local_url,
        addresses=list(c.addresses),
    )


def stale_out(record: StaleRecord) -> StaleOut:
    return StaleOut(record.record_id, record.url, record.pid, record.source.value, record.reason)


def scan_out(report: ScanReport) -> ScanOut:
    return ScanOut(
        apps=[app_out(app) for app in report.apps],
        scan_summary=SummaryOut(
            total_found=len(report.apps),
            healthy=report.count(Health.HEALTHY),
            unhealthy=report.count(Health.UNHEALTHY),
            local_count=report.count_kind(AppKind.LOCAL),
            cloudflare_count=report.count_kind(AppKind.CLOUDFLARE),
            auth_required=report.count(Health.AUTH_REQUIRED),
            not_task_app=report.count(Health.NOT_TASK_APP),
            unreachable=report.count(Health.UNREACHABLE),
            stale=len(report.stale),
            duration_ms=report.duration_ms,
        ),
        stale=[stale_out(s) for s in report.stale],
        problems=list(report.problems),
    )


def report_to_json(report: ScanReport) -> dict:
    return converter.unstructure(scan_out(report))
