"""The JSON of ``synth-ai scan --format json``: the public synth-ai shape first, ours after."""

import json

from synth_ai.adapters.wire.discovery import report_to_json
from synth_ai.domain.discovery.model import (
    AppKind,
    AppMetadata,
    Candidate,
    DiscoveredApp,
    Health,
    ScanReport,
    Source,
    StaleRecord,
)

PUBLIC_APP_FIELDS = [
    "name",
    "url",
    "type",
    "health_status",
    "port",
    "tunnel_mode",
    "tunnel_hostname",
    "app_id",
    "task_name",
    "dataset_id",
    "version",
    "metadata",
    "discovered_via",
]


def report() -> ScanReport:
    local = DiscoveredApp(
        Candidate(
            "http://127.0.0.1:8114",
            (Source.SERVICE_RECORDS, Source.PORT_SCAN),
            port=8114,
            record_id="svc_1",
            record_pid=42,
            task_app_path="/x/app.py",
        ),
        Health.HEALTHY,
        "ok",
        AppMetadata("arith", "Arithmetic", "1.0", "arith-ds", {"service": {"task": {}}}),
        key_sent=True,
    )
    tunnel = DiscoveredApp(
        Candidate(
            "https://q.trycloudflare.com",
            (Source.CLOUDFLARED_PROCESS,),
            kind=AppKind.CLOUDFLARE,
            tunnel_mode="quick",
            tunnel_hostname="q.trycloudflare.com",
        ),
        Health.AUTH_REQUIRED,
        "/info answered 401: the key was not sent",
    )
    stale = StaleRecord(
        "svc_0", "http://127.0.0.1:8120", 7, Source.SERVICE_RECORDS, "pid 7 is gone"
    )
    return ScanReport(apps=(local, tunnel), stale=(stale,), problems=("backend_api: down",))


def test_apps_carry_the_public_fields_in_order_then_ours():
    data = report_to_json(report())
    first = data["apps"][0]
    assert list(first)[: len(PUBLIC_APP_FIELDS)] == PUBLIC_APP_FIELDS
    assert first["discovered_via"] == "service_records"
    assert first["sources"] == ["service_records", "port_scan"]
    assert first["metadata"] == {"service": {"task": {}}, "pid": 42, "task_app_path": "/x/app.py"}
    assert data["apps"][1]["metadata"] == {"error": "/info answered 401: the key was not sent"}


def test_the_summary_has_the_public_counts_and_ours():
    summary = report_to_json(report())["scan_summary"]
    assert summary == {
        "total_found": 2,
        "healthy": 1,
        "unhealthy": 0,
        "local_count": 1,
        "cloudflare_count": 1,
        "auth_required": 1,
        "not_task_app": 0,
        "unreachable": 0,
        "stale": 1,
        "duration_ms": 0.0,
    }


def test_stale_records_and_problems_are_listed_and_everything_is_json():
    data = report_to_json(report())
    assert data["stale"] == [
        {
            "record_id": "svc_0",
            "url": "http://127.0.0.1:8120",
            "pid": 7,
            "discovered_via": "service_records",
            "reason": "pid 7 is gone",
        }
    ]
    assert data["problems"] == ["backend_api: down"]
    assert json.loads(json.dumps(data)) == data
