"""schemathesis (``--checks all``) against ``/openapi.json`` of a real backend on real Waitress.

Bounded: a few examples per operation, one worker, a fixed seed, a time cap. The backend has
every capability configured (a scripted Chat Completions upstream, a stand-in Cloudflare API),
so a 5xx is a bug, never "not configured". What must hold: no server error, no response that
breaks its declared schema, status or content type, and the documented constraints are the
enforced ones — no schema-valid request refused, no schema-violating request accepted (except
the state-dependent 400s that ``schemathesis.toml`` names, each with its reason).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from synth_ai.settings.config import ApiKey, Settings

from tests.conftest import TEST_KEY
from tests.support.tunnels import cloudflare_api  # noqa: F401

EXAMPLES = 3
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Every failure class of --checks all fails the test; these are the ones it reports on.
CHECKS = {
    "ST101": "server error",
    "ST102": "undocumented status code",
    "ST103": "undocumented content type",
    "ST104": "malformed or missing content type",
    "ST108": "response violates schema",
    "ST201": "invalid request accepted",
    "ST202": "valid request rejected",
}


@pytest.fixture
def settings(synth_home, cloudflare_api) -> Settings:
    return Settings(
        home=synth_home,
        api_keys=[
            ApiKey(
                TEST_KEY,
                "5c1d2a0e-3b7f-5d46-9f0a-0c5b7e8d4a01",
                "8e6b4f2c-1a9d-5c37-b2e4-7f0d3a6c9b12",
            )
        ],
        document={
            "tunnels": {
                "cloudflare_account_id": cloudflare_api.account_id,
                "cloudflare_api_token": cloudflare_api.api_token,
                "cloudflare_zone_id": cloudflare_api.zone_id,
                "cloudflare_api_url": cloudflare_api.url,
                "domain": "tunnels.example.test",
            }
        },
    )


def fuzz(url: str, report: Path) -> dict:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "1",
        "--no-shrink",
        "--workers",
        "1",
        "--max-time",
        "100",
        "--max-failures",
        "100000",
        "--header",
        f"Authorization: Bearer {TEST_KEY}",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    # Its cache (.schemathesis/) goes where it runs: the test's folder, never the checkout.
    run = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=report.parent)
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return {**json.loads(report.read_text()), "output": run.stdout}


def test_fuzzing_the_openapi_document_finds_no_server_error_and_no_false_constraint(
    upstream, backend, tmp_path
):
    data = fuzz(backend.url, tmp_path / "schemathesis.json")
    failures = {f["code"]: f for f in data["failures"]}
    summary = {
        "operations": data["operations"]["tested"],
        "requests": data["test_cases"]["generated"],
        **{CHECKS.get(code, code): f["count"] for code, f in failures.items()},
    }
    print("schemathesis:", json.dumps(summary))
    assert data["operations"]["tested"] == data["operations"]["total"] > 30
    assert summary["requests"] > 100
    found = {
        f"{code} {CHECKS.get(code, f['title'])}": f["operations"] for code, f in failures.items()
    }
    # The failing checks with their operations, then schemathesis's own account of each case.
    assert found == {}, json.dumps(found, indent=2) + "\n" + data["output"][-6000:]
    assert data["errors"] == [], data["errors"]
